/**
 * "Orgcast", an organisation-scoped contacts-and-messaging API written the way a third party
 * would write a Hono + Drizzle + PostgreSQL app: Hono on @hono/node-server, zod validation, HS256
 * JWTs from `hono/jwt`, prefixed ULID-like string ids (`con_01J…`), page/pageSize pagination,
 * errors as `{ "message": "…" }`. PostgreSQL is played by in-memory Maps behind a tiny query layer
 * that reads like Drizzle (`db.select().from(contacts).where(and(eq(…), …))`), so the planted bugs
 * below are the query and middleware mistakes such apps really make.
 *
 *   npx tsx examples/org-scoped/server.ts [--port N] [--rate-limit N]
 *                                         [--bug find-unscoped|org-header-override|search-unscoped]
 *
 * prints its URL on the first line. `startOrgcast()` does the same in-process (tests).
 *
 * Quirks of the clean build (README.md): ONE rate-limit bucket per client IP (every tenant on
 * loopback shares it, auth routes included; 429 with `Retry-After`); an optional `X-Org-Id` header
 * that selects one of the caller's organisations; `POST /v1/contacts` requires the client to send
 * `organisationId` in its body, which must be the caller's organisation.
 *
 * Planted isolation bugs, off unless asked (`bug` option or `--bug NAME`): see BUGS.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { serve, type HttpBindings } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { sign, verify } from 'hono/jwt';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

export const BUGS = {
  'find-unscoped': 'GET /v1/contacts/{contactId} selects the contact by id alone, without the organisation predicate',
  'org-header-override':
    'the organisation middleware trusts X-Org-Id without checking that the caller is a member of that organisation',
  'search-unscoped':
    'GET /v1/contacts?search= wraps the organisation predicate in the same or() as the name/email match',
} as const;
export type BugName = keyof typeof BUGS;

export interface OrgcastOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** The planted isolation bug; off unless asked. */
  bug?: BugName;
  /** Requests one client IP may make per window (default 100). */
  rateLimitPerMinute?: number;
  /** The rate-limit window in milliseconds (default 60 000; shorter only for tests). */
  rateLimitWindowMs?: number;
  /** Milliseconds since the epoch, for the rate-limit windows (default Date.now; tests freeze it). */
  clock?: () => number;
  /** Contacts, broadcasts and invites one organisation may hold (default 5 000). */
  maxRecordsPerOrganisation?: number;
  /** Organisations the server accepts (default 10 000). */
  maxOrganisations?: number;
  /** Token lifetime in seconds (default 3600). */
  tokenTtlSeconds?: number;
}

export interface OrgcastServer {
  url: string;
  close(): Promise<void>;
}

// =============================================================================================
// A tiny Drizzle-shaped query layer over Maps ("db/schema.ts" and "db/index.ts" of the app).

interface Row {
  id: string;
}

/** A column of table rows `R`; `get` reads it from a row. */
interface Column<R, K extends keyof R = keyof R> {
  readonly table: string;
  readonly key: K;
  readonly get: (row: R) => R[K];
}

const META = Symbol('table');
interface TableMeta {
  name: string;
  /** Columns with a secondary index (equality lookups). */
  indexes: readonly string[];
  /** Indexed columns whose values must be unique. */
  unique: readonly string[];
}
type Table<R extends Row> = { readonly [K in keyof R]-?: Column<R, K> } & { readonly [META]: TableMeta };

function pgTable<R extends Row>(
  name: string,
  keys: readonly (keyof R & string)[],
  options: { indexes?: readonly (keyof R & string)[]; unique?: readonly (keyof R & string)[] } = {},
): Table<R> {
  const table: Record<string | symbol, unknown> = {
    [META]: { name, indexes: [...(options.indexes ?? []), ...(options.unique ?? [])], unique: options.unique ?? [] },
  };
  for (const key of keys) table[key] = { table: name, key, get: (row: R) => row[key] };
  return table as Table<R>;
}

/** Equality facts every matching row satisfies: the planner uses them to pick an index. */
interface Hint {
  key: string;
  values: readonly unknown[];
}
/** A WHERE condition. */
interface SQL<R> {
  readonly test: (row: R) => boolean;
  readonly hints: readonly Hint[];
}
interface OrderBy<R> {
  readonly compare: (a: R, b: R) => number;
}

function eq<R, K extends keyof R>(column: Column<R, K>, value: R[K]): SQL<R> {
  return { test: (row) => column.get(row) === value, hints: [{ key: String(column.key), values: [value] }] };
}
function lt<R, K extends keyof R>(column: Column<R, K>, value: R[K]): SQL<R> {
  return { test: (row) => column.get(row) < value, hints: [] };
}
function inArray<R, K extends keyof R>(column: Column<R, K>, values: readonly R[K][]): SQL<R> {
  const set = new Set<unknown>(values);
  return { test: (row) => set.has(column.get(row)), hints: [{ key: String(column.key), values: [...set] }] };
}
/** Postgres ILIKE: `%` any run, `_` one character, `\` escapes. */
function ilike<R, K extends keyof R>(column: Column<R, K>, pattern: string): SQL<R> {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += escapeRegExp(ch);
  }
  const re = new RegExp(`^${source}$`, 'is');
  return {
    test: (row) => {
      const v = column.get(row);
      return typeof v === 'string' && re.test(v);
    },
    hints: [],
  };
}
/** Postgres `column @> values` on a text[] column. */
function arrayContains<R, K extends keyof R>(column: Column<R, K>, values: readonly string[]): SQL<R> {
  return {
    test: (row) => {
      const v: unknown = column.get(row);
      return Array.isArray(v) && values.every((x) => v.includes(x));
    },
    hints: [],
  };
}
/** Like Drizzle's: `undefined` conditions are skipped. */
function and<R>(...conditions: (SQL<R> | undefined)[]): SQL<R> {
  const list = conditions.filter((x): x is SQL<R> => x !== undefined);
  return { test: (row) => list.every((x) => x.test(row)), hints: list.flatMap((x) => x.hints) };
}
function or<R>(...conditions: (SQL<R> | undefined)[]): SQL<R> {
  const list = conditions.filter((x): x is SQL<R> => x !== undefined);
  // No equality holds for every row of an OR, so it has no hints: the planner scans.
  return { test: (row) => list.some((x) => x.test(row)), hints: [] };
}
function asc<R, K extends keyof R>(column: Column<R, K>): OrderBy<R> {
  return { compare: (a, b) => compareValues(column.get(a), column.get(b)) };
}
function desc<R, K extends keyof R>(column: Column<R, K>): OrderBy<R> {
  return { compare: (a, b) => compareValues(column.get(b), column.get(a)) };
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Postgres error 23505. */
class UniqueViolation extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
  ) {
    super(`duplicate key value violates unique constraint "${table}_${column}_unique"`);
  }
}

/** A query that runs when awaited, like Drizzle's. */
abstract class Query<T> implements PromiseLike<T> {
  protected abstract execute(): T;
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return Promise.resolve()
      .then(() => this.execute())
      .then(onfulfilled, onrejected);
  }
}

class Store<R extends Row> {
  readonly rows = new Map<string, R>();
  /** column → value → ids (insertion-ordered). */
  private readonly index = new Map<string, Map<unknown, Set<string>>>();

  constructor(readonly meta: TableMeta) {
    for (const key of meta.indexes) this.index.set(key, new Map());
  }

  /** Rows that may match `where`, narrowed by the most selective hint. */
  candidates(where: SQL<R> | undefined): Iterable<R> {
    let best: string[] | undefined;
    for (const hint of where?.hints ?? []) {
      let ids: string[];
      if (hint.key === 'id') ids = hint.values.map(String);
      else {
        const idx = this.index.get(hint.key);
        if (!idx) continue;
        ids = hint.values.flatMap((v) => [...(idx.get(v) ?? [])]);
      }
      if (!best || ids.length < best.length) best = ids;
    }
    if (!best) return this.rows.values();
    const rows: R[] = [];
    for (const id of best) {
      const row = this.rows.get(id);
      if (row) rows.push(row);
    }
    return rows;
  }

  find(where: SQL<R> | undefined): R[] {
    const out: R[] = [];
    for (const row of this.candidates(where)) if (!where || where.test(row)) out.push(row);
    return out;
  }

  insert(row: R): void {
    for (const key of this.meta.unique) {
      const value = (row as unknown as Record<string, unknown>)[key];
      if (this.index.get(key)?.get(value)?.size) throw new UniqueViolation(this.meta.name, key);
    }
    if (this.rows.has(row.id)) throw new UniqueViolation(this.meta.name, 'id');
    this.rows.set(row.id, row);
    this.reindex(row, 'add');
  }

  remove(row: R): void {
    this.rows.delete(row.id);
    this.reindex(row, 'delete');
  }

  reindex(row: R, op: 'add' | 'delete'): void {
    for (const [key, idx] of this.index) {
      const value = (row as unknown as Record<string, unknown>)[key];
      let ids = idx.get(value);
      if (op === 'add') {
        if (!ids) idx.set(value, (ids = new Set()));
        ids.add(row.id);
      } else if (ids) {
        ids.delete(row.id);
        if (ids.size === 0) idx.delete(value);
      }
    }
  }
}

const clone = <T>(row: T): T => structuredClone(row);

class SelectQuery<R extends Row> extends Query<R[]> {
  private condition: SQL<R> | undefined;
  private order: OrderBy<R>[] = [];
  private max = Infinity;
  private skip = 0;
  constructor(private readonly store: Store<R>) {
    super();
  }
  where(condition: SQL<R> | undefined): this {
    this.condition = condition;
    return this;
  }
  orderBy(...order: OrderBy<R>[]): this {
    this.order = order;
    return this;
  }
  limit(n: number): this {
    this.max = n;
    return this;
  }
  offset(n: number): this {
    this.skip = n;
    return this;
  }
  protected execute(): R[] {
    const rows = this.store.find(this.condition);
    if (this.order.length) {
      rows.sort((a, b) => {
        for (const o of this.order) {
          const d = o.compare(a, b);
          if (d !== 0) return d;
        }
        return 0;
      });
    }
    return rows.slice(this.skip, this.skip + this.max).map(clone);
  }
}

class InsertQuery<R extends Row> extends Query<void> {
  constructor(
    private readonly store: Store<R>,
    private readonly rows: readonly R[],
  ) {
    super();
  }
  returning(): PromiseLike<R[]> {
    return Promise.resolve().then(() => {
      this.execute();
      return this.rows.map(clone);
    });
  }
  protected execute(): void {
    for (const row of this.rows) this.store.insert(clone(row));
  }
}

/** `set()` takes values, or a function of the row (stands in for sql`${column} + 1`). */
type SetValues<R> = Partial<Omit<R, 'id'>> | ((row: R) => Partial<Omit<R, 'id'>>);

class UpdateQuery<R extends Row> extends Query<R[]> {
  private condition: SQL<R> | undefined;
  constructor(
    private readonly store: Store<R>,
    private readonly values: SetValues<R>,
  ) {
    super();
  }
  where(condition: SQL<R> | undefined): this {
    this.condition = condition;
    return this;
  }
  returning(): PromiseLike<R[]> {
    return this;
  }
  protected execute(): R[] {
    const updated: R[] = [];
    for (const row of this.store.find(this.condition)) {
      const patch = typeof this.values === 'function' ? this.values(row) : this.values;
      this.store.reindex(row, 'delete');
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) (row as Record<string, unknown>)[k] = clone(v);
      this.store.reindex(row, 'add');
      updated.push(clone(row));
    }
    return updated;
  }
}

class DeleteQuery<R extends Row> extends Query<R[]> {
  private condition: SQL<R> | undefined;
  constructor(private readonly store: Store<R>) {
    super();
  }
  where(condition: SQL<R> | undefined): this {
    this.condition = condition;
    return this;
  }
  returning(): PromiseLike<R[]> {
    return this;
  }
  protected execute(): R[] {
    const removed = this.store.find(this.condition);
    for (const row of removed) this.store.remove(row);
    return removed.map(clone);
  }
}

class CountQuery<R extends Row> extends Query<number> {
  constructor(
    private readonly store: Store<R>,
    private readonly condition: SQL<R> | undefined,
  ) {
    super();
  }
  protected execute(): number {
    return this.condition ? this.store.find(this.condition).length : this.store.rows.size;
  }
}

function createDb() {
  const stores = new Map<string, Store<Row>>();
  const store = <R extends Row>(table: Table<R>): Store<R> => {
    const meta = table[META];
    let s = stores.get(meta.name);
    if (!s) stores.set(meta.name, (s = new Store<Row>(meta)));
    return s as unknown as Store<R>;
  };
  return {
    select: () => ({ from: <R extends Row>(table: Table<R>) => new SelectQuery(store(table)) }),
    insert: <R extends Row>(table: Table<R>) => ({
      values: (rows: R | readonly R[]) => new InsertQuery(store(table), Array.isArray(rows) ? rows : [rows as R]),
    }),
    update: <R extends Row>(table: Table<R>) => ({
      set: (values: SetValues<R>) => new UpdateQuery(store(table), values),
    }),
    delete: <R extends Row>(table: Table<R>) => new DeleteQuery(store(table)),
    $count: <R extends Row>(table: Table<R>, where?: SQL<R>) => new CountQuery(store(table), where),
  };
}
type Db = ReturnType<typeof createDb>;

// =============================================================================================
// Schema.

type MemberRole = 'owner' | 'admin' | 'member';

interface Organisation {
  id: string;
  name: string;
  /** Contacts, broadcasts and invites held (kept by the app, checked against the quota). */
  recordCount: number;
  createdAt: string;
}
interface User {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: string;
}
interface Membership {
  id: string;
  userId: string;
  organisationId: string;
  role: MemberRole;
  createdAt: string;
}
interface Contact {
  id: string;
  organisationId: string;
  name: string;
  email: string;
  phone: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}
interface Broadcast {
  id: string;
  organisationId: string;
  subject: string;
  body: string;
  status: 'queued';
  recipients: number;
  createdAt: string;
}
interface Delivery {
  id: string;
  organisationId: string;
  broadcastId: string;
  contactId: string;
  email: string;
  status: 'sent';
  createdAt: string;
}
interface Invite {
  id: string;
  organisationId: string;
  email: string;
  role: 'admin' | 'member';
  status: 'pending' | 'revoked';
  invitedBy: string;
  createdAt: string;
}

const organisations = pgTable<Organisation>('organisations', ['id', 'name', 'recordCount', 'createdAt']);
const users = pgTable<User>('users', ['id', 'email', 'passwordHash', 'createdAt'], { unique: ['email'] });
const memberships = pgTable<Membership>('memberships', ['id', 'userId', 'organisationId', 'role', 'createdAt'], {
  indexes: ['userId'],
});
const contacts = pgTable<Contact>(
  'contacts',
  ['id', 'organisationId', 'name', 'email', 'phone', 'tags', 'createdAt', 'updatedAt'],
  { indexes: ['organisationId'] },
);
const broadcasts = pgTable<Broadcast>(
  'broadcasts',
  ['id', 'organisationId', 'subject', 'body', 'status', 'recipients', 'createdAt'],
  { indexes: ['organisationId'] },
);
const deliveries = pgTable<Delivery>(
  'deliveries',
  ['id', 'organisationId', 'broadcastId', 'contactId', 'email', 'status', 'createdAt'],
  { indexes: ['broadcastId'] },
);
const invites = pgTable<Invite>(
  'invites',
  ['id', 'organisationId', 'email', 'role', 'status', 'invitedBy', 'createdAt'],
  { indexes: ['organisationId'] },
);

// =============================================================================================
// Helpers.

type Env = {
  Bindings: HttpBindings;
  Variables: { userId: string; organisationId: string; role: MemberRole };
};

class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly issues?: unknown[],
  ) {
    super(message);
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** `prefix_` plus 26 random Crockford base32 characters (ULID-shaped; random, not time-ordered). */
function newId(prefix: string): string {
  let out = `${prefix}_`;
  for (const byte of randomBytes(26)) out += CROCKFORD[byte & 31];
  return out;
}

const now = (): string => new Date().toISOString();

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, 32, (err, key) => (err ? reject(err) : resolve(key))));
}
async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${(await scryptAsync(password, salt)).toString('base64url')}`;
}
async function checkPassword(password: string, stored: string | undefined): Promise<boolean> {
  const [, salt, hash] = (stored ?? 'scrypt$$').split('$');
  const key = await scryptAsync(password, Buffer.from(salt ?? '', 'base64url'));
  const expected = Buffer.from(hash ?? '', 'base64url');
  return stored !== undefined && expected.length === key.length && timingSafeEqual(key, expected);
}

function zodIssues(error: z.ZodError): unknown[] {
  return error.issues.map((issue) => ({
    code: issue.code,
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
  }));
}

/** The JSON body, validated (unknown fields are stripped, as zod objects do by default). */
async function jsonBody<S extends z.ZodType>(c: Context<Env>, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ApiError(400, 'Invalid request', [{ code: 'invalid_json', path: [], message: 'Malformed JSON body' }]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, 'Invalid request', zodIssues(parsed.error));
  return parsed.data;
}

function queryParams<S extends z.ZodType>(c: Context<Env>, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new ApiError(400, 'Invalid request', zodIssues(parsed.error));
  return parsed.data;
}

/** `?page=` and `?pageSize=`; an empty value means the default. */
const blankIsUndefined = (v: unknown): unknown => (v === '' ? undefined : v);
const pagination = {
  page: z.preprocess(blankIsUndefined, z.coerce.number().int().min(1).max(1_000_000).default(1)),
  pageSize: z.preprocess(blankIsUndefined, z.coerce.number().int().min(1).max(100).default(25)),
};

// =============================================================================================
// Validation schemas.

const registerBody = z.object({
  organisationName: z.string().trim().min(1).max(120),
  email: z.email().max(254),
  password: z.string().min(8).max(200),
});
const loginBody = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(200) });

const tag = z.string().trim().min(1).max(50);
const contactFields = {
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
  phone: z.string().trim().max(40).nullable(),
  tags: z.array(tag).max(20),
};
const createContactBody = z.object({
  organisationId: z.string().min(1).max(64),
  name: contactFields.name,
  email: contactFields.email,
  phone: contactFields.phone.optional(),
  tags: contactFields.tags.optional(),
});
const updateContactBody = z.object({
  name: contactFields.name.optional(),
  email: contactFields.email.optional(),
  phone: contactFields.phone.optional(),
  tags: contactFields.tags.optional(),
});
const listContactsQuery = z.object({
  search: z.string().max(200).optional(),
  tag: z.string().max(50).optional(),
  ...pagination,
});
const pageQuery = z.object(pagination);

const createBroadcastBody = z.object({
  subject: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(10_000),
  contactIds: z.array(z.string().min(1).max(64)).min(1).max(1000).optional(),
});
const createInviteBody = z.object({ email: z.email().max(254), role: z.enum(['admin', 'member']) });

// =============================================================================================
// Views.

const contactView = (c: Contact) => ({
  id: c.id,
  organisationId: c.organisationId,
  name: c.name,
  email: c.email,
  phone: c.phone,
  tags: c.tags,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});
const broadcastView = (b: Broadcast) => ({
  id: b.id,
  subject: b.subject,
  body: b.body,
  status: b.status,
  recipients: b.recipients,
  createdAt: b.createdAt,
});
const inviteView = (i: Invite) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  status: i.status,
  organisationId: i.organisationId,
  createdAt: i.createdAt,
});

// =============================================================================================
// The app.

export function createApp(options: OrgcastOptions = {}): Hono<Env> {
  /** Whether a planted bug is switched on. */
  const planted = (name: BugName): boolean => options.bug === name;
  const maxRecords = options.maxRecordsPerOrganisation ?? 5000;
  const maxOrganisations = options.maxOrganisations ?? 10_000;
  const tokenTtl = options.tokenTtlSeconds ?? 3600;
  const jwtSecret = randomBytes(32).toString('hex');
  const db: Db = createDb();

  const issueToken = (userId: string, organisationId: string, role: MemberRole): Promise<string> => {
    const iat = Math.floor(Date.now() / 1000);
    return sign({ sub: userId, org_id: organisationId, role, iat, exp: iat + tokenTtl }, jwtSecret, 'HS256');
  };

  /** Takes one record of the organisation's quota (a conditional UPDATE, so concurrent inserts cannot overshoot). */
  const reserveRecord = async (organisationId: string): Promise<void> => {
    const [org] = await db
      .update(organisations)
      .set((o) => ({ recordCount: o.recordCount + 1 }))
      .where(and(eq(organisations.id, organisationId), lt(organisations.recordCount, maxRecords)))
      .returning();
    if (!org) throw new ApiError(403, `Organisation record limit reached (${maxRecords})`);
  };
  const releaseRecord = async (organisationId: string): Promise<void> => {
    await db
      .update(organisations)
      .set((o) => ({ recordCount: Math.max(0, o.recordCount - 1) }))
      .where(eq(organisations.id, organisationId));
  };

  const app = new Hono<Env>();

  app.onError((err, c) => {
    if (err instanceof ApiError)
      return c.json(err.issues ? { message: err.message, issues: err.issues } : { message: err.message }, err.status);
    console.error(err);
    return c.json({ message: 'Internal server error' }, 500);
  });
  app.notFound((c) => c.json({ message: 'Not found' }, 404));

  // Rate limit: fixed windows, one bucket per client IP (like a default express-rate-limit or
  // hono-rate-limiter set-up keyed on the remote address). Auth routes count too.
  const limit = options.rateLimitPerMinute ?? 100;
  const windowMs = options.rateLimitWindowMs ?? 60_000;
  const clock = options.clock ?? Date.now;
  const buckets = new Map<string, { count: number; resetAt: number }>();
  const rateLimit: MiddlewareHandler<Env> = async (c, next) => {
    const t = clock();
    const key = getConnInfo(c).remote.address ?? 'unknown';
    let bucket = buckets.get(key);
    if (!bucket || bucket.resetAt <= t) {
      if (buckets.size > 10_000) for (const [k, b] of buckets) if (b.resetAt <= t) buckets.delete(k);
      bucket = { count: 0, resetAt: t + windowMs };
      buckets.set(key, bucket);
    }
    bucket.count++;
    const reset = Math.max(1, Math.ceil((bucket.resetAt - t) / 1000));
    c.header('RateLimit-Limit', String(limit));
    c.header('RateLimit-Remaining', String(Math.max(0, limit - bucket.count)));
    c.header('RateLimit-Reset', String(reset));
    if (bucket.count > limit) {
      c.header('Retry-After', String(reset));
      return c.json({ message: 'Too many requests' }, 429);
    }
    return next();
  };
  app.use('*', rateLimit);
  // The generated document, served as its generator's apps do (public).
  const specText = readFileSync(new URL('./openapi.yaml', import.meta.url), 'utf8');
  app.get('/openapi.yaml', (c) => c.body(specText, 200, { 'content-type': 'application/yaml; charset=utf-8' }));
  app.use('*', bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.json({ message: 'Request body too large' }, 413) }));

  const api = new Hono<Env>();

  // ---- Auth (public) ----
  api.post('/auth/register', async (c) => {
    const input = await jsonBody(c, registerBody);
    const email = input.email.toLowerCase();
    const taken = () => new ApiError(409, 'Email already registered');
    if (await db.$count(users, eq(users.email, email))) throw taken();
    if ((await db.$count(organisations)) >= maxOrganisations)
      throw new ApiError(403, 'Organisation limit reached; no more sign-ups');
    const passwordHash = await hashPassword(input.password);
    const at = now();
    const user: User = { id: newId('usr'), email, passwordHash, createdAt: at };
    try {
      await db.insert(users).values(user);
    } catch (err) {
      if (err instanceof UniqueViolation) throw taken();
      throw err;
    }
    const org: Organisation = { id: newId('org'), name: input.organisationName, recordCount: 0, createdAt: at };
    await db.insert(organisations).values(org);
    await db
      .insert(memberships)
      .values({ id: newId('mem'), userId: user.id, organisationId: org.id, role: 'owner', createdAt: at });
    return c.json(
      {
        token: await issueToken(user.id, org.id, 'owner'),
        user: { id: user.id, email: user.email },
        organisation: { id: org.id, name: org.name },
      },
      201,
    );
  });

  api.post('/auth/login', async (c) => {
    const input = await jsonBody(c, loginBody);
    const [user] = await db.select().from(users).where(eq(users.email, input.email.toLowerCase()));
    if (!(await checkPassword(input.password, user?.passwordHash)) || !user)
      throw new ApiError(401, 'Invalid email or password');
    const [membership] = await db
      .select()
      .from(memberships)
      .where(eq(memberships.userId, user.id))
      .orderBy(asc(memberships.createdAt));
    if (!membership) throw new ApiError(401, 'Invalid email or password');
    return c.json({ token: await issueToken(user.id, membership.organisationId, membership.role) });
  });

  // ---- Everything below needs a bearer token ----
  const requireAuth: MiddlewareHandler<Env> = async (c, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    let payload: Record<string, unknown> | undefined;
    if (m) {
      try {
        payload = await verify(m[1]!, jwtSecret, 'HS256');
      } catch {
        payload = undefined;
      }
    }
    const sub = payload?.sub;
    const orgId = payload?.org_id;
    const [membership] =
      typeof sub === 'string' && typeof orgId === 'string'
        ? await db
            .select()
            .from(memberships)
            .where(and(eq(memberships.userId, sub), eq(memberships.organisationId, orgId)))
        : [];
    if (!membership) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new ApiError(401, 'Unauthorized');
    }
    c.set('userId', membership.userId);
    c.set('organisationId', membership.organisationId);
    c.set('role', membership.role);
    return next();
  };

  // The organisation of the request: the token's, or the one X-Org-Id selects (users who belong
  // to several organisations switch with it).
  const organisationContext: MiddlewareHandler<Env> = async (c, next) => {
    const requested = c.req.header('x-org-id');
    if (requested && requested !== c.get('organisationId')) {
      let role: MemberRole | undefined;
      if (planted('org-header-override')) {
        // BUG (planted): "the header is only sent by our own web app" - so it is only checked
        // that the organisation exists, not that the caller belongs to it.
        const [org] = await db.select().from(organisations).where(eq(organisations.id, requested));
        role = org ? c.get('role') : undefined;
      } else {
        const [membership] = await db
          .select()
          .from(memberships)
          .where(and(eq(memberships.userId, c.get('userId')), eq(memberships.organisationId, requested)));
        role = membership?.role;
      }
      if (!role) throw new ApiError(403, 'Not a member of this organisation');
      c.set('organisationId', requested);
      c.set('role', role);
    }
    return next();
  };

  api.use('*', requireAuth, organisationContext);

  // ---- Contacts ----
  const contactNotFound = () => new ApiError(404, 'Contact not found');

  api.post('/contacts', async (c) => {
    const orgId = c.get('organisationId');
    const input = await jsonBody(c, createContactBody);
    if (input.organisationId !== orgId) throw new ApiError(403, 'organisationId does not match your organisation');
    await reserveRecord(orgId);
    const at = now();
    const [contact] = await db
      .insert(contacts)
      .values({
        id: newId('con'),
        organisationId: orgId,
        name: input.name,
        email: input.email,
        phone: input.phone ?? null,
        tags: input.tags ?? [],
        createdAt: at,
        updatedAt: at,
      })
      .returning();
    return c.json(contactView(contact!), 201);
  });

  api.get('/contacts', async (c) => {
    const orgId = c.get('organisationId');
    const q = queryParams(c, listContactsQuery);
    const filters: SQL<Contact>[] = [];
    if (q.search) {
      const pattern = `%${q.search.replace(/[\\%_]/g, '\\$&')}%`;
      if (planted('search-unscoped')) {
        // BUG (planted): the tenant predicate went into the same or() as the two matches, so
        // "org = $1 OR name ILIKE $2 OR email ILIKE $2" matches every organisation's contacts.
        filters.push(
          or(eq(contacts.organisationId, orgId), ilike(contacts.name, pattern), ilike(contacts.email, pattern)),
        );
      } else {
        filters.push(
          eq(contacts.organisationId, orgId),
          or(ilike(contacts.name, pattern), ilike(contacts.email, pattern)),
        );
      }
    } else {
      filters.push(eq(contacts.organisationId, orgId));
    }
    if (q.tag) filters.push(arrayContains(contacts.tags, [q.tag]));
    const where = and(...filters);
    const total = await db.$count(contacts, where);
    const rows = await db
      .select()
      .from(contacts)
      .where(where)
      .orderBy(asc(contacts.createdAt))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize);
    return c.json({ items: rows.map(contactView), page: q.page, pageSize: q.pageSize, total });
  });

  api.get('/contacts/:contactId', async (c) => {
    const orgId = c.get('organisationId');
    const id = c.req.param('contactId');
    // BUG (planted) find-unscoped: this one query lost its organisation predicate ("ids are
    // random, nobody can guess them"), so any contact id of any organisation is returned.
    const where = planted('find-unscoped')
      ? eq(contacts.id, id)
      : and(eq(contacts.id, id), eq(contacts.organisationId, orgId));
    const [contact] = await db.select().from(contacts).where(where);
    if (!contact) throw contactNotFound();
    return c.json(contactView(contact));
  });

  api.patch('/contacts/:contactId', async (c) => {
    const orgId = c.get('organisationId');
    const input = await jsonBody(c, updateContactBody);
    const [contact] = await db
      .update(contacts)
      .set({ ...input, updatedAt: now() })
      .where(and(eq(contacts.id, c.req.param('contactId')), eq(contacts.organisationId, orgId)))
      .returning();
    if (!contact) throw contactNotFound();
    return c.json(contactView(contact));
  });

  api.delete('/contacts/:contactId', async (c) => {
    const orgId = c.get('organisationId');
    const [contact] = await db
      .delete(contacts)
      .where(and(eq(contacts.id, c.req.param('contactId')), eq(contacts.organisationId, orgId)))
      .returning();
    if (!contact) throw contactNotFound();
    await releaseRecord(orgId);
    return c.body(null, 204);
  });

  // ---- Broadcasts: "send" a message to contacts (fan-out recorded as deliveries) ----
  const broadcastNotFound = () => new ApiError(404, 'Broadcast not found');

  api.post('/broadcasts', async (c) => {
    const orgId = c.get('organisationId');
    const input = await jsonBody(c, createBroadcastBody);
    let recipients: Contact[];
    if (input.contactIds) {
      const ids = [...new Set(input.contactIds)];
      recipients = await db
        .select()
        .from(contacts)
        .where(and(eq(contacts.organisationId, orgId), inArray(contacts.id, ids)))
        .orderBy(asc(contacts.createdAt));
      if (recipients.length !== ids.length) throw new ApiError(422, 'Unknown contact');
    } else {
      recipients = await db
        .select()
        .from(contacts)
        .where(eq(contacts.organisationId, orgId))
        .orderBy(asc(contacts.createdAt));
    }
    await reserveRecord(orgId);
    const at = now();
    const broadcast: Broadcast = {
      id: newId('brd'),
      organisationId: orgId,
      subject: input.subject,
      body: input.body,
      status: 'queued',
      recipients: recipients.length,
      createdAt: at,
    };
    await db.insert(broadcasts).values(broadcast);
    await db.insert(deliveries).values(
      recipients.map((r) => ({
        id: newId('dlv'),
        organisationId: orgId,
        broadcastId: broadcast.id,
        contactId: r.id,
        email: r.email,
        status: 'sent' as const,
        createdAt: at,
      })),
    );
    return c.json(broadcastView(broadcast), 202);
  });

  api.get('/broadcasts', async (c) => {
    const q = queryParams(c, pageQuery);
    const where = eq(broadcasts.organisationId, c.get('organisationId'));
    const total = await db.$count(broadcasts, where);
    const rows = await db
      .select()
      .from(broadcasts)
      .where(where)
      .orderBy(asc(broadcasts.createdAt))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize);
    return c.json({ items: rows.map(broadcastView), page: q.page, pageSize: q.pageSize, total });
  });

  api.get('/broadcasts/:broadcastId', async (c) => {
    const orgId = c.get('organisationId');
    const [broadcast] = await db
      .select()
      .from(broadcasts)
      .where(and(eq(broadcasts.id, c.req.param('broadcastId')), eq(broadcasts.organisationId, orgId)));
    if (!broadcast) throw broadcastNotFound();
    const sent = await db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.broadcastId, broadcast.id), eq(deliveries.organisationId, orgId)))
      .orderBy(asc(deliveries.createdAt));
    return c.json({
      ...broadcastView(broadcast),
      deliveries: sent.map((d) => ({ contactId: d.contactId, email: d.email, status: d.status })),
    });
  });

  // ---- Invites ----
  api.post('/invites', async (c) => {
    const orgId = c.get('organisationId');
    const input = await jsonBody(c, createInviteBody);
    await reserveRecord(orgId);
    const [invite] = await db
      .insert(invites)
      .values({
        id: newId('inv'),
        organisationId: orgId,
        email: input.email.toLowerCase(),
        role: input.role,
        status: 'pending',
        invitedBy: c.get('userId'),
        createdAt: now(),
      })
      .returning();
    return c.json(inviteView(invite!), 201);
  });

  api.get('/invites', async (c) => {
    const q = queryParams(c, pageQuery);
    const where = eq(invites.organisationId, c.get('organisationId'));
    const total = await db.$count(invites, where);
    const rows = await db
      .select()
      .from(invites)
      .where(where)
      .orderBy(asc(invites.createdAt))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize);
    return c.json({ items: rows.map(inviteView), page: q.page, pageSize: q.pageSize, total });
  });

  api.post('/invites/:inviteId/revoke', async (c) => {
    const [invite] = await db
      .update(invites)
      .set({ status: 'revoked' })
      .where(and(eq(invites.id, c.req.param('inviteId')), eq(invites.organisationId, c.get('organisationId'))))
      .returning();
    if (!invite) throw new ApiError(404, 'Invite not found');
    return c.json(inviteView(invite));
  });

  // ---- Stats ----
  api.get('/stats', async (c) => {
    const orgId = c.get('organisationId');
    const [contactCount, broadcastCount, pendingInvites] = await Promise.all([
      db.$count(contacts, eq(contacts.organisationId, orgId)),
      db.$count(broadcasts, eq(broadcasts.organisationId, orgId)),
      db.$count(invites, and(eq(invites.organisationId, orgId), eq(invites.status, 'pending'))),
    ]);
    return c.json({ contacts: contactCount, broadcasts: broadcastCount, pendingInvites });
  });

  app.route('/v1', api);
  return app;
}

export function startOrgcast(options: OrgcastOptions = {}): Promise<OrgcastServer> {
  if (options.bug !== undefined && !(options.bug in BUGS)) {
    return Promise.reject(
      new Error(`unknown bug ${JSON.stringify(options.bug)}; known: ${Object.keys(BUGS).join(', ')}`),
    );
  }
  const limit = options.rateLimitPerMinute;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    return Promise.reject(new Error('rateLimitPerMinute must be a positive integer'));
  }
  const app = createApp(options);
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            const http = server as Server;
            http.close(() => done());
            http.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}

function parseArgs(argv: string[]): OrgcastOptions {
  const options: OrgcastOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--port') {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0 to 65535');
      options.port = port;
    } else if (arg === '--rate-limit') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error('--rate-limit must be a positive integer');
      options.rateLimitPerMinute = n;
    } else if (arg === '--bug') {
      const bug = value();
      if (!(bug in BUGS))
        throw new Error(
          `unknown bug ${bug}; known:\n${Object.entries(BUGS)
            .map(([k, v]) => `  ${k}: ${v}`)
            .join('\n')}`,
        );
      options.bug = bug as BugName;
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        `usage: npx tsx examples/org-scoped/server.ts [--port N] [--rate-limit N] [--bug ${Object.keys(BUGS).join('|')}]\n`,
      );
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options: OrgcastOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const server = await startOrgcast(options);
  process.stdout.write(`${server.url}\n`);
  if (options.bug) process.stderr.write(`planted bug: ${options.bug} (${BUGS[options.bug]})\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
