/**
 * "Teamboard", a small kanban API written the way a third party would write it: Hono on
 * @hono/node-server, in-memory Maps, prefixed random ids (`org_…`, `brd_…`), `?limit=&offset=`
 * pagination, errors as `{ "message": "…" }`, its own HS256 JWTs, and the organisation in the PATH:
 * every tenant route lives under `/orgs/{orgId}/…`. An organisation has several users: the admin
 * who signed up, and members they invite.
 *
 *   npx tsx examples/path-prefix/server.ts [--port N] [--bug prefix-unchecked|card-idor]
 *
 * prints its URL on the first line. `startTeamboard()` does the same in-process (tests).
 *
 * The token's `org` claim must equal the `{orgId}` of the path; any other organisation gets the
 * same 404 as one that does not exist, and a record of another organisation the 404 of a missing
 * record. Members may do everything but delete a board or invite (403, a role rule). Planted bugs:
 *   - `prefix-unchecked`: the org middleware checks that `{orgId}` exists, never that it is the
 *     token's, so any user reads and writes any organisation named in the path.
 *   - `card-idor`: GET /orgs/{orgId}/boards/{boardId}/cards/{cardId} finds the card by id alone.
 */
import { readFileSync } from 'node:fs';
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const BUGS = {
  'prefix-unchecked': "the org middleware checks that {orgId} exists, never that it is the token's organisation",
  'card-idor': 'GET /orgs/{orgId}/boards/{boardId}/cards/{cardId} finds the card by id alone',
} as const;
export type BugName = keyof typeof BUGS;

export interface TeamboardOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** The planted isolation bug; off unless asked. */
  bug?: BugName;
  /** Token lifetime in seconds (default 3600). */
  tokenTtlSeconds?: number;
}

export interface TeamboardServer {
  url: string;
  close(): Promise<void>;
}

const ROLES = ['admin', 'member'] as const;
type Role = (typeof ROLES)[number];
const COLUMNS = ['todo', 'doing', 'done'] as const;
type Column = (typeof COLUMNS)[number];

interface Org {
  id: string;
  name: string;
}
interface User {
  id: string;
  orgId: string;
  email: string;
  role: Role;
  salt: Buffer;
  hash: Buffer;
}
interface Invite {
  id: string;
  orgId: string;
  email: string;
  role: Role;
  token: string;
}
interface Board {
  id: string;
  orgId: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Card {
  id: string;
  orgId: string;
  boardId: string;
  title: string;
  description: string | null;
  column: Column;
  createdAt: string;
  updatedAt: string;
}

type Env = { Variables: { org: Org; user: User } };
type Json = Record<string, unknown>;
interface Issue {
  path: string;
  message: string;
}

/** Turned into `{ message, issues? }` by the error handler. */
class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
  }
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const newId = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

// ---------------------------------------------------------------------------------------------
// JWT (HS256) and passwords, by hand.

function signJwt(secret: Buffer, claims: Json): string {
  const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

function verifyJwt(secret: Buffer, token: string): { sub: string; org: string } | undefined {
  const [head, body, sig, extra] = token.split('.');
  if (!head || !body || !sig || extra !== undefined) return undefined;
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Json;
    if (header.alg !== 'HS256' || typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return undefined;
    if (typeof claims.sub !== 'string' || typeof claims.org !== 'string') return undefined;
    return { sub: claims.sub, org: claims.org };
  } catch {
    return undefined;
  }
}

function hashPassword(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, 32, (err, key) => (err ? reject(err) : resolve(key))));
}

// ---------------------------------------------------------------------------------------------
// Validation: each rule adds an issue; `done()` throws 400 if any were found.

class Checker {
  readonly issues: Issue[] = [];
  constructor(private readonly body: Json) {}

  only(allowed: readonly string[]): this {
    for (const key of Object.keys(this.body))
      if (!allowed.includes(key)) this.issues.push({ path: key, message: 'Unrecognized key' });
    return this;
  }

  string(
    key: string,
    rule: { min: number; max: number; required: boolean; nullable?: boolean },
  ): string | null | undefined {
    const v = this.body[key];
    if (v === undefined) {
      if (rule.required) this.issues.push({ path: key, message: 'Required' });
      return undefined;
    }
    if (v === null && rule.nullable) return null;
    if (typeof v !== 'string') return this.fail(key, 'Expected string');
    if (v.length < rule.min || v.length > rule.max)
      return this.fail(key, `Must be ${rule.min} to ${rule.max} characters`);
    if (rule.min > 0 && v.trim() === '') return this.fail(key, 'Must not be blank');
    return v;
  }

  email(key: string): string | undefined {
    const v = this.string(key, { min: 3, max: 254, required: true });
    if (typeof v === 'string' && !EMAIL_RE.test(v)) return this.fail(key, 'Invalid email');
    return v?.toLowerCase();
  }

  oneOf<T extends string>(key: string, values: readonly T[], required: boolean): T | undefined {
    const v = this.body[key];
    if (v === undefined) {
      if (required) this.issues.push({ path: key, message: 'Required' });
      return undefined;
    }
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
      return this.fail(key, `Expected one of ${values.join(', ')}`);
    return v as T;
  }

  done(): void {
    if (this.issues.length > 0) throw new HttpError(400, 'Invalid request', this.issues);
  }

  private fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }
}

async function jsonBody(c: Context): Promise<Json> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    body = undefined;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'Invalid request', [{ path: '', message: 'Expected a JSON object' }]);
  return body as Json;
}

function window(c: Context): { limit: number; offset: number } {
  const read = (name: string, fallback: number, min: number, max: number): number => {
    const raw = c.req.query(name);
    if (raw === undefined) return fallback;
    const n = /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max))
      throw new HttpError(400, 'Invalid request', [
        { path: name, message: `Expected an integer from ${min} to ${max}` },
      ]);
    return n;
  };
  return { limit: read('limit', 25, 1, 100), offset: read('offset', 0, 0, 1e9) };
}

/** What the API shows of a record: everything but the organisation it belongs to. */
const boardView = ({ orgId: _org, ...board }: Board): Json => board;
const cardView = ({ orgId: _org, ...card }: Card): Json => card;
const userView = (u: User): Json => ({ id: u.id, email: u.email, role: u.role });

// ---------------------------------------------------------------------------------------------
// The app.

export function createApp(options: TeamboardOptions = {}): Hono<Env> {
  const bug = options.bug;
  const ttl = options.tokenTtlSeconds ?? 3600;
  const secret = randomBytes(32);

  const orgs = new Map<string, Org>();
  const users = new Map<string, User>();
  const usersByEmail = new Map<string, User>();
  const invites = new Map<string, Invite>();
  const boards = new Map<string, Board>();
  const cards = new Map<string, Card>();

  const now = (): string => new Date().toISOString();
  const tokenFor = (u: User): string => {
    const iat = Math.floor(Date.now() / 1000);
    return signJwt(secret, { sub: u.id, org: u.orgId, role: u.role, iat, exp: iat + ttl });
  };
  const ownBoard = (org: Org, id: string): Board => {
    const b = boards.get(id);
    if (!b || b.orgId !== org.id) throw new HttpError(404, 'Board not found');
    return b;
  };
  const ownCard = (board: Board, id: string): Card => {
    const k = cards.get(id);
    if (!k || k.orgId !== board.orgId || k.boardId !== board.id) throw new HttpError(404, 'Card not found');
    return k;
  };
  const addUser = async (orgId: string, email: string, password: string, role: Role): Promise<User> => {
    const salt = randomBytes(16);
    const hash = await hashPassword(password, salt);
    if (usersByEmail.has(email)) throw new HttpError(409, 'Email already registered');
    const user: User = { id: newId('usr'), orgId, email, role, salt, hash };
    users.set(user.id, user);
    usersByEmail.set(email, user);
    return user;
  };

  const app = new Hono<Env>();

  app.onError((err, c) => {
    if (err instanceof HttpError)
      return c.json(err.issues ? { message: err.message, issues: err.issues } : { message: err.message }, err.status);
    console.error(err);
    return c.json({ message: 'Internal server error' }, 500);
  });
  app.notFound((c) => c.json({ message: 'Not found' }, 404));

  // The API's own document, public (its docs site reads it from here).
  const specText = readFileSync(new URL('./openapi.yaml', import.meta.url), 'utf8');
  app.get('/docs/spec', (c) => c.body(specText, 200, { 'content-type': 'application/yaml; charset=utf-8' }));

  // Public routes.
  app.post('/signup', async (c) => {
    const check = new Checker(await jsonBody(c)).only(['orgName', 'email', 'password']);
    const orgName = check.string('orgName', { min: 1, max: 120, required: true });
    const email = check.email('email');
    const password = check.string('password', { min: 8, max: 200, required: true });
    check.done();
    if (usersByEmail.has(email!)) throw new HttpError(409, 'Email already registered');
    const org: Org = { id: newId('org'), name: orgName! };
    const user = await addUser(org.id, email!, password!, 'admin');
    orgs.set(org.id, org);
    return c.json({ token: tokenFor(user), org: { id: org.id, name: org.name }, user: userView(user) }, 201);
  });

  app.post('/login', async (c) => {
    const check = new Checker(await jsonBody(c)).only(['email', 'password']);
    const email = check.string('email', { min: 1, max: 254, required: true })?.toLowerCase();
    const password = check.string('password', { min: 1, max: 200, required: true });
    check.done();
    const user = usersByEmail.get(email!);
    const hash = await hashPassword(password!, user?.salt ?? randomBytes(16));
    if (!user || !timingSafeEqual(hash, user.hash)) throw new HttpError(401, 'Invalid email or password');
    return c.json({ token: tokenFor(user) });
  });

  app.post('/invites/accept', async (c) => {
    const check = new Checker(await jsonBody(c)).only(['inviteToken', 'password']);
    const token = check.string('inviteToken', { min: 1, max: 200, required: true });
    const password = check.string('password', { min: 8, max: 200, required: true });
    check.done();
    const invite = [...invites.values()].find((i) => i.token === token);
    if (!invite) throw new HttpError(404, 'Invite not found');
    const user = await addUser(invite.orgId, invite.email, password!, invite.role);
    invites.delete(invite.id);
    return c.json({ token: tokenFor(user), user: userView(user) }, 201);
  });

  // The organisation of the path must be the token's.
  app.use('/orgs/:orgId/*', async (c, next) => {
    const m = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(c.req.header('authorization') ?? '');
    const claims = m ? verifyJwt(secret, m[1]!) : undefined;
    const user = claims ? users.get(claims.sub) : undefined;
    if (!claims || !user || user.orgId !== claims.org) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'Unauthorized');
    }
    const org = orgs.get(c.req.param('orgId') ?? '');
    // BUG (planted, prefix-unchecked): "the organisation exists" is taken to be enough.
    if (!org || (bug !== 'prefix-unchecked' && org.id !== claims.org))
      throw new HttpError(404, 'Organisation not found');
    c.set('org', org);
    c.set('user', user);
    return next();
  });

  const adminOnly = (c: Context<Env>): void => {
    if (c.get('user').role !== 'admin') throw new HttpError(403, 'Admins only');
  };

  app.post('/orgs/:orgId/invites', async (c) => {
    adminOnly(c);
    const check = new Checker(await jsonBody(c)).only(['email', 'role']);
    const email = check.email('email');
    const role = check.oneOf('role', ROLES, true);
    check.done();
    if (usersByEmail.has(email!)) throw new HttpError(409, 'Email already registered');
    const invite: Invite = {
      id: newId('inv'),
      orgId: c.get('org').id,
      email: email!,
      role: role!,
      token: randomBytes(24).toString('base64url'),
    };
    invites.set(invite.id, invite);
    return c.json({ id: invite.id, email: invite.email, role: invite.role, inviteToken: invite.token }, 201);
  });

  // Boards.
  const boardFields = ['name', 'description'] as const;

  app.get('/orgs/:orgId/boards', (c) => {
    const org = c.get('org');
    const { limit, offset } = window(c);
    const rows = [...boards.values()].filter((b) => b.orgId === org.id);
    return c.json({ data: rows.slice(offset, offset + limit).map(boardView), total: rows.length });
  });

  app.post('/orgs/:orgId/boards', async (c) => {
    const check = new Checker(await jsonBody(c)).only(boardFields);
    const name = check.string('name', { min: 1, max: 120, required: true });
    const description = check.string('description', { min: 0, max: 2000, required: false, nullable: true });
    check.done();
    const at = now();
    const board: Board = {
      id: newId('brd'),
      orgId: c.get('org').id,
      name: name!,
      description: description ?? null,
      createdAt: at,
      updatedAt: at,
    };
    boards.set(board.id, board);
    return c.json(boardView(board), 201);
  });

  app.get('/orgs/:orgId/boards/:boardId', (c) => c.json(boardView(ownBoard(c.get('org'), c.req.param('boardId')))));

  app.patch('/orgs/:orgId/boards/:boardId', async (c) => {
    const check = new Checker(await jsonBody(c)).only(boardFields);
    const name = check.string('name', { min: 1, max: 120, required: false });
    const description = check.string('description', { min: 0, max: 2000, required: false, nullable: true });
    check.done();
    const board = ownBoard(c.get('org'), c.req.param('boardId'));
    if (name != null) board.name = name;
    if (description !== undefined) board.description = description;
    board.updatedAt = now();
    return c.json(boardView(board));
  });

  app.delete('/orgs/:orgId/boards/:boardId', (c) => {
    const board = ownBoard(c.get('org'), c.req.param('boardId'));
    adminOnly(c);
    boards.delete(board.id);
    for (const k of [...cards.values()]) if (k.boardId === board.id) cards.delete(k.id);
    return c.body(null, 204);
  });

  // Cards of a board.
  const cardFields = ['title', 'description', 'column'] as const;

  app.get('/orgs/:orgId/boards/:boardId/cards', (c) => {
    const board = ownBoard(c.get('org'), c.req.param('boardId'));
    const { limit, offset } = window(c);
    const rows = [...cards.values()].filter((k) => k.boardId === board.id);
    return c.json({ data: rows.slice(offset, offset + limit).map(cardView), total: rows.length });
  });

  app.post('/orgs/:orgId/boards/:boardId/cards', async (c) => {
    const board = ownBoard(c.get('org'), c.req.param('boardId'));
    const check = new Checker(await jsonBody(c)).only(cardFields);
    const title = check.string('title', { min: 1, max: 200, required: true });
    const description = check.string('description', { min: 0, max: 2000, required: false, nullable: true });
    const column = check.oneOf('column', COLUMNS, false);
    check.done();
    const at = now();
    const card: Card = {
      id: newId('crd'),
      orgId: board.orgId,
      boardId: board.id,
      title: title!,
      description: description ?? null,
      column: column ?? 'todo',
      createdAt: at,
      updatedAt: at,
    };
    cards.set(card.id, card);
    return c.json(cardView(card), 201);
  });

  app.get('/orgs/:orgId/boards/:boardId/cards/:cardId', (c) => {
    if (bug === 'card-idor') {
      // BUG (planted): card ids are random, so the card is found by its id alone.
      const k = cards.get(c.req.param('cardId'));
      if (!k) throw new HttpError(404, 'Card not found');
      return c.json(cardView(k));
    }
    const board = ownBoard(c.get('org'), c.req.param('boardId'));
    return c.json(cardView(ownCard(board, c.req.param('cardId'))));
  });

  app.patch('/orgs/:orgId/boards/:boardId/cards/:cardId', async (c) => {
    const check = new Checker(await jsonBody(c)).only(cardFields);
    const title = check.string('title', { min: 1, max: 200, required: false });
    const description = check.string('description', { min: 0, max: 2000, required: false, nullable: true });
    const column = check.oneOf('column', COLUMNS, false);
    check.done();
    const card = ownCard(ownBoard(c.get('org'), c.req.param('boardId')), c.req.param('cardId'));
    if (title != null) card.title = title;
    if (description !== undefined) card.description = description;
    if (column !== undefined) card.column = column;
    card.updatedAt = now();
    return c.json(cardView(card));
  });

  app.delete('/orgs/:orgId/boards/:boardId/cards/:cardId', (c) => {
    const card = ownCard(ownBoard(c.get('org'), c.req.param('boardId')), c.req.param('cardId'));
    cards.delete(card.id);
    return c.body(null, 204);
  });

  app.get('/orgs/:orgId/stats', (c) => {
    const org = c.get('org');
    let boardCount = 0;
    let cardCount = 0;
    for (const b of boards.values()) if (b.orgId === org.id) boardCount++;
    for (const k of cards.values()) if (k.orgId === org.id) cardCount++;
    return c.json({ boards: boardCount, cards: cardCount });
  });

  return app;
}

export function startTeamboard(options: TeamboardOptions = {}): Promise<TeamboardServer> {
  if (options.bug !== undefined && !(options.bug in BUGS)) {
    return Promise.reject(
      new Error(`unknown bug ${JSON.stringify(options.bug)}; known: ${Object.keys(BUGS).join(', ')}`),
    );
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

function parseArgs(argv: string[]): TeamboardOptions {
  const options: TeamboardOptions = {};
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
        `usage: npx tsx examples/path-prefix/server.ts [--port N] [--bug ${Object.keys(BUGS).join('|')}]\n`,
      );
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options: TeamboardOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const server = await startTeamboard(options);
  process.stdout.write(`${server.url}\n`);
  if (options.bug) process.stderr.write(`planted bug: ${options.bug} (${BUGS[options.bug]})\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
