/**
 * "Deskly", a multi-tenant help-desk API that behaves like a NestJS app on Express with TypeORM on
 * SQLite, as a third party would write one. It is our code, written to reproduce what such a stack
 * does on the wire, so that tenantproof's verdicts can be tested against framework quirks:
 *
 *   - Nest: POST answers 201 (login too), a handler returning `null` gives 200 with an EMPTY body,
 *     `@HttpCode(204)` deletes, errors shaped `{ statusCode, message, error }`, `ValidationPipe`
 *     with `whitelist: true` (unknown properties stripped, never rejected) and class-validator's
 *     messages, `ParseUUIDPipe` on path ids, a passport-jwt guard, `Cannot GET /x` for unknown routes,
 *     and any other error (a database error included) a bare 500 "Internal server error".
 *   - Express: `X-Powered-By`, weak ETags, body-parser (JSON and urlencoded, strict JSON, 1 MB limit).
 *   - TypeORM: `findOne({ where })` resolving `null`, `delete(criteria)` resolving `{ affected }`,
 *     UUID primary keys, create/update date columns, UNIQUE and FOREIGN KEY constraints raising a
 *     `QueryFailedError` that nobody catches (one global UNIQUE index on users' email by default).
 *
 * Everything lives in memory; the "framework" parts are small stand-ins written here, the app is laid
 * out as Nest's would be: controllers → services → repositories.
 *
 *   npx tsx examples/framework-style/server.ts [--port N] [--email-index global|per-organisation]
 *                                              [--bug find-unscoped|body-org-override|list-filter-unscoped]
 *
 * prints its URL on the first line. `startDeskly()` does the same in-process (tests).
 *
 * The organisation of a request comes ONLY from the verified token. One isolation bug can be
 * switched on (`BUGS`); each lives in the service layer, as the real mistake would.
 */
import { readFileSync } from 'node:fs';
import { createHash, createHmac, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

export const BUGS = {
  'find-unscoped': 'GET /tickets/{id} runs findOne({ where: { id } }) without the organisation',
  'body-org-override': 'POST /tickets files the ticket under the organisationId of the request body when it has one',
  'list-filter-unscoped': 'GET /tickets?status= builds its where clause from the filter INSTEAD of the organisation',
} as const;
export type BugName = keyof typeof BUGS;

export type EmailIndex = 'global' | 'per-organisation';

export interface DesklyOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** The planted isolation bug; off unless asked. */
  bug?: BugName;
  /**
   * `global` (the default): one UNIQUE index on users' email across every organisation, as
   * `@Column({ unique: true })` on a shared table gives. `per-organisation`: UNIQUE (organisationId, email).
   */
  emailIndex?: EmailIndex;
  /** Tickets + users + comments one organisation may hold (default 5 000). */
  maxRecordsPerOrganisation?: number;
  /** Organisations the server accepts (default 10 000). */
  maxOrganisations?: number;
  /** Request bodies larger than this get 413 (default 1 MB, body-parser's `limit: '1mb'`). */
  bodyLimitBytes?: number;
  /** Token lifetime in seconds (default 3600). */
  tokenTtlSeconds?: number;
  /** Where Nest's logger writes (unhandled errors); default: nowhere. The CLI logs to stderr. */
  logger?: (line: string) => void;
}

export interface DesklyServer {
  url: string;
  close(): Promise<void>;
}

const ROLES = ['admin', 'agent'] as const;
const PRIORITIES = ['low', 'normal', 'high'] as const;
const STATUSES = ['open', 'pending', 'closed'] as const;
type Role = (typeof ROLES)[number];
type Priority = (typeof PRIORITIES)[number];
type Status = (typeof STATUSES)[number];

// =============================================================================================
// @nestjs/common stand-ins: HTTP exceptions (Nest 8/9 body shape), class-validator rules as the
// global `ValidationPipe({ whitelist: true, transform: true })` applies them, `ParseUUIDPipe`.

type ExceptionBody = { statusCode: number; message: string | string[]; error?: string };

class HttpException extends Error {
  constructor(
    readonly response: ExceptionBody,
    readonly status: number,
  ) {
    super(Array.isArray(response.message) ? response.message.join(', ') : response.message);
  }
}

function createBody(message: string | string[] | undefined, error: string, statusCode: number): ExceptionBody {
  return message === undefined ? { statusCode, message: error } : { statusCode, message, error };
}

class BadRequestException extends HttpException {
  constructor(message?: string | string[]) {
    super(createBody(message, 'Bad Request', 400), 400);
  }
}
class UnauthorizedException extends HttpException {
  constructor(message?: string) {
    super(createBody(message, 'Unauthorized', 401), 401);
  }
}
class ForbiddenException extends HttpException {
  constructor(message?: string) {
    super(createBody(message, 'Forbidden', 403), 403);
  }
}
class NotFoundException extends HttpException {
  constructor(message?: string) {
    super(createBody(message, 'Not Found', 404), 404);
  }
}

/** An `http-errors` error as body-parser raises them (413, 415); Nest answers `{ statusCode, message }`. */
class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** One class-validator / class-transformer decorator on a DTO property. */
interface Rule {
  /** `@IsOptional()` / `@ValidateIf()`: skip every other rule for this value. */
  readonly skipIf?: (value: unknown) => boolean;
  /** `@Type(() => Number)`: applied by class-transformer before validation. */
  readonly transform?: (value: unknown) => unknown;
  readonly check?: (value: unknown) => boolean;
  /** With `$property`, as class-validator words it. */
  readonly message?: string;
}

const UUID_RE = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i;
const EMAIL_RE =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

const chars = (v: string): number => [...v].length;
const IsOptional = (): Rule => ({ skipIf: (v) => v === null || v === undefined });
/** `@ValidateIf((o) => o.x !== undefined)`: absent is fine, `null` is validated (and fails). */
const ValidateIfPresent = (): Rule => ({ skipIf: (v) => v === undefined });
const TypeNumber = (): Rule => ({ transform: (v) => (v === null || v === undefined ? v : Number(v)) });
const IsString = (): Rule => ({ check: (v) => typeof v === 'string', message: '$property must be a string' });
const IsNotEmpty = (): Rule => ({
  check: (v) => v !== '' && v !== null && v !== undefined,
  message: '$property should not be empty',
});
const MaxLength = (n: number): Rule => ({
  check: (v) => typeof v === 'string' && chars(v) <= n,
  message: `$property must be shorter than or equal to ${n} characters`,
});
const MinLength = (n: number): Rule => ({
  check: (v) => typeof v === 'string' && chars(v) >= n,
  message: `$property must be longer than or equal to ${n} characters`,
});
const IsEmail = (): Rule => ({
  check: (v) => typeof v === 'string' && v.length <= 254 && EMAIL_RE.test(v) && v.split('@')[0]!.length <= 64,
  message: '$property must be an email',
});
const IsIn = (values: readonly string[]): Rule => ({
  check: (v) => typeof v === 'string' && values.includes(v),
  message: `$property must be one of the following values: ${values.join(', ')}`,
});
const IsUUID = (): Rule => ({
  check: (v) => typeof v === 'string' && UUID_RE.test(v),
  message: '$property must be a UUID',
});
const IsInt = (): Rule => ({ check: (v) => Number.isInteger(v), message: '$property must be an integer number' });
const Min = (n: number): Rule => ({
  check: (v) => typeof v === 'number' && v >= n,
  message: `$property must not be less than ${n}`,
});
const Max = (n: number): Rule => ({
  check: (v) => typeof v === 'number' && v <= n,
  message: `$property must not be greater than ${n}`,
});

/** A DTO class: its properties and their decorators, top to bottom as written; property initialisers. */
interface Dto<T> {
  readonly properties: { readonly [K in keyof T]-?: readonly Rule[] };
  readonly defaults?: Partial<T>;
}

/**
 * `ValidationPipe({ whitelist: true, transform: true })`: properties without decorators and unknown
 * ones are dropped (not rejected); every failing constraint is reported, property by property, each
 * property's decorators bottom-up (the order in which TypeScript applies them).
 */
function validate<T>(dto: Dto<T>, input: unknown): T {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new BadRequestException(['an unknown value was passed to the validate function']);
  }
  const source = input as Record<string, unknown>;
  const defaults = (dto.defaults ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const messages: string[] = [];
  for (const [property, rules] of Object.entries(dto.properties) as [string, readonly Rule[]][]) {
    let value = Object.hasOwn(source, property) ? source[property] : undefined;
    for (const rule of rules) if (rule.transform) value = rule.transform(value);
    if (value === undefined && Object.hasOwn(defaults, property)) value = defaults[property];
    if (value !== undefined) out[property] = value;
    if (rules.some((rule) => rule.skipIf?.(value))) continue;
    for (const rule of [...rules].reverse()) {
      if (rule.check && !rule.check(value)) messages.push(rule.message!.replace('$property', property));
    }
  }
  if (messages.length > 0) throw new BadRequestException(messages);
  return out as T;
}

/** `new ParseUUIDPipe()`. */
function ParseUUIDPipe(value: string): string {
  if (!UUID_RE.test(value)) throw new BadRequestException('Validation failed (uuid is expected)');
  return value;
}

/** `ClassSerializerInterceptor` with `@Exclude()` on these entity properties. */
const EXCLUDED_PROPERTIES = new Set(['passwordHash']);

function instanceToPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(instanceToPlain);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!EXCLUDED_PROPERTIES.has(key)) out[key] = instanceToPlain(v);
  return out;
}

// =============================================================================================
// typeorm stand-ins: a DataSource of in-memory tables with UNIQUE and FOREIGN KEY constraints (as
// SQLite enforces them, `PRAGMA foreign_keys = ON`), repositories with TypeORM's find/save/delete
// semantics, and a transaction that undoes its inserts when the work throws.

/** `QueryFailedError`, as the sqlite driver raises it. Nobody catches it: Nest turns it into a 500. */
class QueryFailedError extends Error {
  constructor(
    readonly query: string,
    message: string,
  ) {
    super(message);
    this.name = 'QueryFailedError';
  }
}
class TypeORMError extends Error {
  override name = 'TypeORMError';
}

interface BaseEntity {
  id: string;
  createdAt: string;
  updatedAt: string;
}
type FindOptionsWhere<T> = { [K in keyof T]?: T[K] };
interface FindOneOptions<T> {
  /** An object is an AND of equalities (undefined values are ignored, as TypeORM does); an array is an OR. */
  where?: FindOptionsWhere<T> | FindOptionsWhere<T>[];
}
interface FindManyOptions<T> extends FindOneOptions<T> {
  order?: { [K in keyof T]?: 'ASC' | 'DESC' };
  skip?: number;
  take?: number;
}
interface DeleteResult {
  raw: unknown[];
  affected: number;
}
/** What `save` takes: an entity, with or without its generated columns. */
type Insert<T extends BaseEntity> = Omit<T, keyof BaseEntity> & Partial<BaseEntity>;

interface Relation {
  readonly column: string;
  readonly references: string;
  readonly onDelete: 'CASCADE' | 'SET NULL';
}
/** An `@Entity()`: its columns in declaration order, nullable ones, UNIQUE and plain indices, FKs. */
interface EntitySchema<T extends BaseEntity> {
  readonly table: string;
  readonly columns: readonly (keyof T & string)[];
  readonly nullable: readonly (keyof T & string)[];
  readonly unique: readonly (readonly (keyof T & string)[])[];
  readonly indices: readonly (keyof T & string)[];
  readonly relations: readonly (Relation & { readonly column: keyof T & string })[];
}
interface TableSchema {
  readonly table: string;
  readonly columns: readonly string[];
  readonly nullable: readonly string[];
  readonly unique: readonly (readonly string[])[];
  readonly indices: readonly string[];
  readonly relations: readonly Relation[];
}

type Row = Record<string, unknown> & { id: string };

class Table {
  readonly rows = new Map<string, Row>();
  private readonly rowids = new Map<string, number>();
  private nextRowid = 1;
  private readonly byColumn = new Map<string, Map<unknown, Set<string>>>();
  private readonly uniques: { columns: readonly string[]; keys: Map<string, string> }[];

  constructor(readonly schema: TableSchema) {
    for (const column of schema.indices) this.byColumn.set(column, new Map());
    this.uniques = schema.unique.map((columns) => ({ columns, keys: new Map() }));
  }

  rowid(id: string): number {
    return this.rowids.get(id) ?? 0;
  }

  /** The rows worth testing against `where`: by primary key, else by the narrowest index, else all. */
  candidates(where: Record<string, unknown>): Iterable<Row> {
    const id = where['id'];
    if (id !== undefined) {
      const row = typeof id === 'string' ? this.rows.get(id) : undefined;
      return row ? [row] : [];
    }
    let best: Set<string> | undefined;
    for (const [column, index] of this.byColumn) {
      if (where[column] === undefined) continue;
      const ids = index.get(where[column]) ?? new Set<string>();
      if (!best || ids.size < best.size) best = ids;
    }
    if (!best) return this.rows.values();
    return [...best].map((rowId) => this.rows.get(rowId)!);
  }

  checkUnique(row: Row, self?: string): void {
    for (const { columns, keys } of this.uniques) {
      const key = uniqueKey(row, columns);
      const holder = key === undefined ? undefined : keys.get(key);
      if (holder !== undefined && holder !== self) {
        const what = columns.map((c) => `${this.schema.table}.${c}`).join(', ');
        throw new QueryFailedError(
          `INSERT INTO "${this.schema.table}"`,
          `SQLITE_CONSTRAINT: UNIQUE constraint failed: ${what}`,
        );
      }
    }
  }

  add(row: Row): void {
    this.rows.set(row.id, row);
    this.rowids.set(row.id, this.nextRowid++);
    this.indexRow(row, true);
  }

  replace(prev: Row, next: Row): void {
    this.indexRow(prev, false);
    this.rows.set(next.id, next);
    this.indexRow(next, true);
  }

  remove(row: Row): void {
    this.indexRow(row, false);
    this.rows.delete(row.id);
    this.rowids.delete(row.id);
  }

  private indexRow(row: Row, add: boolean): void {
    for (const [column, index] of this.byColumn) {
      const value = row[column];
      if (value === null || value === undefined) continue;
      let ids = index.get(value);
      if (add) {
        if (!ids) index.set(value, (ids = new Set()));
        ids.add(row.id);
      } else if (ids) {
        ids.delete(row.id);
        if (ids.size === 0) index.delete(value);
      }
    }
    for (const { columns, keys } of this.uniques) {
      const key = uniqueKey(row, columns);
      if (key === undefined) continue;
      if (add) keys.set(key, row.id);
      else if (keys.get(key) === row.id) keys.delete(key);
    }
  }
}

/** SQL semantics: a NULL in a UNIQUE index never collides. */
function uniqueKey(row: Row, columns: readonly string[]): string | undefined {
  const values = columns.map((c) => row[c]);
  return values.some((v) => v === null || v === undefined) ? undefined : JSON.stringify(values);
}

interface EntityManager {
  getRepository<T extends BaseEntity>(schema: EntitySchema<T>): Repository<T>;
}

class DataSource {
  private readonly tables = new Map<string, Table>();

  constructor(schemas: readonly TableSchema[]) {
    for (const schema of schemas) this.tables.set(schema.table, new Table(schema));
  }

  getRepository<T extends BaseEntity>(schema: EntitySchema<T>, undo?: (() => void)[]): Repository<T> {
    return new Repository<T>(this, this.table(schema.table), schema, undo);
  }

  /** `dataSource.transaction(work)`: the inserts made through `manager` are undone if `work` throws. */
  async transaction<R>(work: (manager: EntityManager) => Promise<R>): Promise<R> {
    const undo: (() => void)[] = [];
    try {
      return await work({ getRepository: (schema) => this.getRepository(schema, undo) });
    } catch (err) {
      for (const step of undo.reverse()) step();
      throw err;
    }
  }

  insert(table: Table, row: Row): void {
    this.checkRow(table, row);
    table.checkUnique(row);
    table.add(row);
  }

  update(table: Table, prev: Row, next: Row): void {
    this.checkRow(table, next);
    table.checkUnique(next, prev.id);
    table.replace(prev, next);
  }

  /** Deletes one row and applies ON DELETE CASCADE / SET NULL of the rows referring to it. */
  deleteRow(table: Table, row: Row): void {
    table.remove(row);
    for (const child of this.tables.values()) {
      for (const relation of child.schema.relations) {
        if (relation.references !== table.schema.table) continue;
        for (const dependent of [...child.candidates({ [relation.column]: row.id })]) {
          if (dependent[relation.column] !== row.id || !child.rows.has(dependent.id)) continue;
          if (relation.onDelete === 'CASCADE') this.deleteRow(child, dependent);
          else child.replace(dependent, { ...dependent, [relation.column]: null });
        }
      }
    }
  }

  private table(name: string): Table {
    const table = this.tables.get(name);
    if (!table) throw new TypeORMError(`No metadata for "${name}" was found.`);
    return table;
  }

  private checkRow(table: Table, row: Row): void {
    for (const column of table.schema.columns) {
      if ((row[column] === null || row[column] === undefined) && !table.schema.nullable.includes(column)) {
        throw new QueryFailedError(
          `INSERT INTO "${table.schema.table}"`,
          `SQLITE_CONSTRAINT: NOT NULL constraint failed: ${table.schema.table}.${column}`,
        );
      }
    }
    for (const relation of table.schema.relations) {
      const value = row[relation.column];
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string' || !this.table(relation.references).rows.has(value)) {
        throw new QueryFailedError(
          `INSERT INTO "${table.schema.table}"`,
          'SQLITE_CONSTRAINT: FOREIGN KEY constraint failed',
        );
      }
    }
  }
}

class Repository<T extends BaseEntity> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly table: Table,
    private readonly schema: EntitySchema<T>,
    private readonly undo?: (() => void)[],
  ) {}

  async findOne(options: FindOneOptions<T>): Promise<T | null> {
    const row = this.select(options.where)[0];
    return row ? this.toEntity(row) : null;
  }

  async find(options: FindManyOptions<T> = {}): Promise<T[]> {
    return this.page(this.select(options.where), options).map((row) => this.toEntity(row));
  }

  async findAndCount(options: FindManyOptions<T> = {}): Promise<[T[], number]> {
    const rows = this.select(options.where);
    return [this.page(rows, options).map((row) => this.toEntity(row)), rows.length];
  }

  async count(options: FindOneOptions<T> = {}): Promise<number> {
    return this.select(options.where).length;
  }

  /** Inserts, or (when a row with the entity's id exists) updates the columns that changed. */
  async save(entity: Insert<T>): Promise<T> {
    const given = entity as unknown as Record<string, unknown>;
    const now = new Date().toISOString();
    const id = typeof given['id'] === 'string' ? given['id'] : undefined;
    const existing = id === undefined ? undefined : this.table.rows.get(id);
    if (existing) {
      const next: Row = { ...existing };
      let changed = false;
      for (const column of this.schema.columns as readonly string[]) {
        if (column === 'id' || column === 'createdAt' || column === 'updatedAt') continue;
        if (given[column] !== undefined && given[column] !== existing[column]) {
          next[column] = given[column];
          changed = true;
        }
      }
      if (changed) next['updatedAt'] = now;
      this.dataSource.update(this.table, existing, next);
      return this.toEntity(next);
    }
    const row: Row = { id: id ?? randomUUID() };
    for (const column of this.schema.columns as readonly string[])
      if (column !== 'id') row[column] = given[column] ?? null;
    row['createdAt'] = given['createdAt'] ?? now;
    row['updatedAt'] = given['updatedAt'] ?? now;
    this.dataSource.insert(this.table, row);
    this.undo?.push(() => this.table.remove(row));
    return this.toEntity(row);
  }

  async delete(criteria: FindOptionsWhere<T>): Promise<DeleteResult> {
    if (Object.values(criteria).every((v) => v === undefined)) {
      throw new TypeORMError('Empty criteria(s) are not allowed for the delete method.');
    }
    const rows = this.select(criteria);
    for (const row of rows) this.dataSource.deleteRow(this.table, row);
    return { raw: [], affected: rows.length };
  }

  private select(where: FindOptionsWhere<T> | FindOptionsWhere<T>[] | undefined): Row[] {
    const clauses = where === undefined ? [{}] : Array.isArray(where) ? where : [where];
    const found = new Map<string, Row>();
    for (const clause of clauses) {
      const conditions = Object.entries(clause).filter(([, v]) => v !== undefined);
      for (const row of this.table.candidates(Object.fromEntries(conditions))) {
        if (conditions.every(([column, value]) => row[column] === value)) found.set(row.id, row);
      }
    }
    return [...found.values()].sort((a, b) => this.table.rowid(a.id) - this.table.rowid(b.id));
  }

  private page(rows: Row[], options: FindManyOptions<T>): Row[] {
    const order = Object.entries(options.order ?? {}) as [string, 'ASC' | 'DESC'][];
    const sorted = order.length === 0 ? rows : [...rows].sort((a, b) => compareRows(a, b, order));
    const skip = options.skip ?? 0;
    return options.take === undefined ? sorted.slice(skip) : sorted.slice(skip, skip + options.take);
  }

  private toEntity(row: Row): T {
    const entity: Record<string, unknown> = {};
    for (const column of this.schema.columns) entity[column] = row[column] ?? null;
    return entity as unknown as T;
  }
}

function compareRows(a: Row, b: Row, order: [string, 'ASC' | 'DESC'][]): number {
  for (const [column, direction] of order) {
    const x = String(a[column] ?? '');
    const y = String(b[column] ?? '');
    if (x !== y) return (x < y ? -1 : 1) * (direction === 'ASC' ? 1 : -1);
  }
  return 0;
}

// =============================================================================================
// Entities.

interface Organisation extends BaseEntity {
  name: string;
}
interface User extends BaseEntity {
  email: string;
  name: string | null;
  role: Role;
  /** `@Exclude()`d from every response. Users created by an admin have none (they cannot log in). */
  passwordHash: string | null;
  organisationId: string;
}
interface Ticket extends BaseEntity {
  subject: string;
  description: string | null;
  priority: Priority;
  status: Status;
  assigneeId: string | null;
  organisationId: string;
}
interface Comment extends BaseEntity {
  body: string;
  ticketId: string;
  /** A plain column: a deleted author leaves the id behind. */
  authorId: string;
  organisationId: string;
}

const OrganisationEntity: EntitySchema<Organisation> = {
  table: 'organisation',
  columns: ['id', 'name', 'createdAt', 'updatedAt'],
  nullable: [],
  unique: [],
  indices: [],
  relations: [],
};

function userEntity(emailIndex: EmailIndex): EntitySchema<User> {
  return {
    table: 'user',
    columns: ['id', 'email', 'name', 'role', 'passwordHash', 'organisationId', 'createdAt', 'updatedAt'],
    nullable: ['name', 'passwordHash'],
    // `@Column({ unique: true }) email` (global), or `@Unique(['organisationId', 'email'])`.
    unique: emailIndex === 'global' ? [['email']] : [['organisationId', 'email']],
    indices: ['organisationId', 'email'],
    relations: [{ column: 'organisationId', references: 'organisation', onDelete: 'CASCADE' }],
  };
}

const TicketEntity: EntitySchema<Ticket> = {
  table: 'ticket',
  columns: [
    'id',
    'subject',
    'description',
    'priority',
    'status',
    'assigneeId',
    'organisationId',
    'createdAt',
    'updatedAt',
  ],
  nullable: ['description', 'assigneeId'],
  unique: [],
  indices: ['organisationId', 'assigneeId'],
  relations: [
    { column: 'organisationId', references: 'organisation', onDelete: 'CASCADE' },
    { column: 'assigneeId', references: 'user', onDelete: 'SET NULL' },
  ],
};

const CommentEntity: EntitySchema<Comment> = {
  table: 'comment',
  columns: ['id', 'body', 'ticketId', 'authorId', 'organisationId', 'createdAt', 'updatedAt'],
  nullable: [],
  unique: [],
  indices: ['organisationId', 'ticketId'],
  relations: [
    { column: 'organisationId', references: 'organisation', onDelete: 'CASCADE' },
    { column: 'ticketId', references: 'ticket', onDelete: 'CASCADE' },
  ],
};

// =============================================================================================
// DTOs (what @nestjs/swagger publishes as components.schemas, and what ValidationPipe checks).

interface SignupDto {
  organisationName: string;
  email: string;
  password: string;
}
const SignupDto: Dto<SignupDto> = {
  properties: {
    organisationName: [IsString(), IsNotEmpty(), MaxLength(100)],
    email: [IsEmail()],
    password: [IsString(), MinLength(8), MaxLength(72)],
  },
};

interface LoginDto {
  email: string;
  password: string;
}
const LoginDto: Dto<LoginDto> = {
  properties: { email: [IsEmail()], password: [IsString(), IsNotEmpty()] },
};

interface CreateUserDto {
  email: string;
  name: string;
  role: Role;
}
const CreateUserDto: Dto<CreateUserDto> = {
  properties: { email: [IsEmail()], name: [IsString(), IsNotEmpty(), MaxLength(100)], role: [IsIn(ROLES)] },
};

interface CreateTicketDto {
  subject: string;
  description?: string;
  priority: Priority;
  status?: Status;
  assigneeId?: string;
  /** "Organisation the ticket belongs to; ignored for regular users." */
  organisationId?: string;
}
const CreateTicketDto: Dto<CreateTicketDto> = {
  properties: {
    subject: [IsString(), IsNotEmpty(), MaxLength(200)],
    description: [IsOptional(), IsString(), MaxLength(5000)],
    priority: [IsIn(PRIORITIES)],
    status: [IsOptional(), IsIn(STATUSES)],
    assigneeId: [IsOptional(), IsUUID()],
    organisationId: [IsOptional(), IsUUID()],
  },
};

interface UpdateTicketDto {
  subject?: string;
  description?: string | null;
  priority?: Priority;
  status?: Status;
  assigneeId?: string | null;
}
const UpdateTicketDto: Dto<UpdateTicketDto> = {
  properties: {
    subject: [ValidateIfPresent(), IsString(), IsNotEmpty(), MaxLength(200)],
    description: [IsOptional(), IsString(), MaxLength(5000)],
    priority: [ValidateIfPresent(), IsIn(PRIORITIES)],
    status: [ValidateIfPresent(), IsIn(STATUSES)],
    assigneeId: [IsOptional(), IsUUID()],
  },
};

interface ListTicketsQueryDto {
  status?: Status;
  priority?: Priority;
  page: number;
  limit: number;
}
const ListTicketsQueryDto: Dto<ListTicketsQueryDto> = {
  properties: {
    status: [IsOptional(), IsIn(STATUSES)],
    priority: [IsOptional(), IsIn(PRIORITIES)],
    page: [IsOptional(), TypeNumber(), IsInt(), Min(1)],
    limit: [IsOptional(), TypeNumber(), IsInt(), Min(1), Max(100)],
  },
  defaults: { page: 1, limit: 20 },
};

interface CreateCommentDto {
  body: string;
}
const CreateCommentDto: Dto<CreateCommentDto> = {
  properties: { body: [IsString(), IsNotEmpty(), MaxLength(5000)] },
};

// =============================================================================================
// Auth: @nestjs/jwt (HS256, jsonwebtoken's claim order), a passport-jwt strategy that trusts the
// token's claims without a database lookup, scrypt password hashes.

interface JwtPayload {
  sub: string;
  organisationId: string;
  email: string;
  iat: number;
  exp: number;
}
/** What `JwtStrategy.validate()` puts on `req.user`. */
interface AuthUser {
  userId: string;
  organisationId: string;
  email: string;
}

class JwtService {
  constructor(
    private readonly secret: Buffer,
    private readonly ttlSeconds: number,
  ) {}

  sign(payload: Omit<JwtPayload, 'iat' | 'exp'>): string {
    const iat = Math.floor(Date.now() / 1000);
    const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ ...payload, iat, exp: iat + this.ttlSeconds })).toString('base64url');
    return `${head}.${body}.${createHmac('sha256', this.secret).update(`${head}.${body}`).digest('base64url')}`;
  }

  verify(token: string): JwtPayload | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head, body, signature] = parts as [string, string, string];
    const expected = createHmac('sha256', this.secret).update(`${head}.${body}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
      if (header.alg !== 'HS256') return undefined;
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<
        Record<keyof JwtPayload, unknown>
      >;
      if (typeof claims.exp !== 'number' || Math.floor(Date.now() / 1000) >= claims.exp) return undefined;
      if (
        typeof claims.sub !== 'string' ||
        typeof claims.organisationId !== 'string' ||
        typeof claims.email !== 'string'
      ) {
        return undefined;
      }
      return claims as JwtPayload;
    } catch {
      return undefined;
    }
  }
}

/** `@UseGuards(AuthGuard('jwt'))`: `ExtractJwt.fromAuthHeaderAsBearerToken()`, then `validate(payload)`. */
class JwtAuthGuard {
  constructor(private readonly jwt: JwtService) {}

  canActivate(headers: IncomingHttpHeaders): AuthUser {
    const match = /(\S+)\s+(\S+)/.exec(headers.authorization ?? '');
    const payload = match && match[1]!.toLowerCase() === 'bearer' ? this.jwt.verify(match[2]!) : undefined;
    if (!payload) throw new UnauthorizedException();
    return { userId: payload.sub, organisationId: payload.organisationId, email: payload.email };
  }
}

class PasswordHasher {
  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    return `${salt.toString('hex')}:${(await scryptKey(password, salt)).toString('hex')}`;
  }

  async compare(password: string, stored: string): Promise<boolean> {
    const [salt, hash] = stored.split(':');
    if (!salt || !hash) return false;
    const key = await scryptKey(password, Buffer.from(salt, 'hex'));
    const expected = Buffer.from(hash, 'hex');
    return key.length === expected.length && timingSafeEqual(key, expected);
  }
}

function scryptKey(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, 32, (err, key) => (err ? reject(err) : resolve(key))));
}

// =============================================================================================
// Services.

/** Which planted bug is switched on (at most one). */
class PlantedBugs {
  constructor(private readonly bug: BugName | undefined) {}

  on(name: BugName): boolean {
    return this.bug === name;
  }
}

class QuotaService {
  constructor(
    private readonly organisations: Repository<Organisation>,
    private readonly users: Repository<User>,
    private readonly tickets: Repository<Ticket>,
    private readonly comments: Repository<Comment>,
    private readonly maxRecords: number,
    private readonly maxOrganisations: number,
  ) {}

  /** Tickets + users + comments of one organisation, checked before each insert. */
  async assertRoom(organisationId: string): Promise<void> {
    const where = { organisationId };
    const counts = await Promise.all([
      this.tickets.count({ where }),
      this.users.count({ where }),
      this.comments.count({ where }),
    ]);
    if (counts.reduce((a, b) => a + b, 0) >= this.maxRecords) throw new ForbiddenException('Quota exceeded');
  }

  async assertOrganisationRoom(): Promise<void> {
    if ((await this.organisations.count()) >= this.maxOrganisations) throw new ForbiddenException('Quota exceeded');
  }
}

class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly userSchema: EntitySchema<User>,
    private readonly users: Repository<User>,
    private readonly quota: QuotaService,
    private readonly jwt: JwtService,
    private readonly hasher: PasswordHasher,
  ) {}

  async signup(dto: SignupDto): Promise<{ accessToken: string; organisationId: string; userId: string }> {
    const passwordHash = await this.hasher.hash(dto.password);
    return this.dataSource.transaction(async (manager) => {
      await this.quota.assertOrganisationRoom();
      const organisation = await manager.getRepository(OrganisationEntity).save({ name: dto.organisationName });
      // A taken email fails here, on the UNIQUE index, and the QueryFailedError goes up untouched.
      const user = await manager.getRepository(this.userSchema).save({
        email: dto.email,
        name: null,
        role: 'admin',
        passwordHash,
        organisationId: organisation.id,
      });
      return { accessToken: this.token(user), organisationId: organisation.id, userId: user.id };
    });
  }

  async login(dto: LoginDto): Promise<{ accessToken: string }> {
    const candidates = await this.users.find({ where: { email: dto.email }, order: { createdAt: 'ASC' } });
    for (const user of candidates) {
      if (user.passwordHash && (await this.hasher.compare(dto.password, user.passwordHash))) {
        return { accessToken: this.token(user) };
      }
    }
    throw new UnauthorizedException();
  }

  private token(user: User): string {
    return this.jwt.sign({ sub: user.id, organisationId: user.organisationId, email: user.email });
  }
}

class UsersService {
  constructor(
    private readonly users: Repository<User>,
    private readonly quota: QuotaService,
  ) {}

  async create(user: AuthUser, dto: CreateUserDto): Promise<User> {
    await this.quota.assertRoom(user.organisationId);
    return this.users.save({
      email: dto.email,
      name: dto.name,
      role: dto.role,
      passwordHash: null,
      organisationId: user.organisationId,
    });
  }

  findAll(user: AuthUser): Promise<User[]> {
    return this.users.find({ where: { organisationId: user.organisationId }, order: { createdAt: 'ASC' } });
  }

  findOne(user: AuthUser, id: string): Promise<User | null> {
    return this.users.findOne({ where: { id, organisationId: user.organisationId } });
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.users.delete({ id, organisationId: user.organisationId });
  }
}

interface Paginated<T> {
  data: T[];
  total: number;
  page: number;
  limit: number;
}

class TicketsService {
  constructor(
    private readonly tickets: Repository<Ticket>,
    private readonly users: Repository<User>,
    private readonly quota: QuotaService,
    private readonly bugs: PlantedBugs,
  ) {}

  async create(user: AuthUser, dto: CreateTicketDto): Promise<Ticket> {
    // `organisationId` is in the DTO for the platform console, where support staff file tickets on
    // a customer's behalf; a customer's token never carries that role, so it is not used here.
    let organisationId = user.organisationId;
    if (this.bugs.on('body-org-override') && dto.organisationId) {
      // BUG (body-org-override): the console shortcut, without the check that the caller is staff.
      organisationId = dto.organisationId;
    }
    await this.assertAssignee(organisationId, dto.assigneeId);
    await this.quota.assertRoom(organisationId);
    return this.tickets.save({
      subject: dto.subject,
      description: dto.description ?? null,
      priority: dto.priority,
      status: dto.status ?? 'open',
      assigneeId: dto.assigneeId ?? null,
      organisationId,
    });
  }

  async findAll(user: AuthUser, query: ListTicketsQueryDto): Promise<Paginated<Ticket>> {
    const { organisationId } = user;
    let where: FindOptionsWhere<Ticket>;
    if (this.bugs.on('list-filter-unscoped')) {
      // BUG (list-filter-unscoped): the status filter was added later, and replaces the tenant
      // predicate instead of joining it.
      where = query.status ? { status: query.status } : { organisationId };
    } else {
      where = query.status ? { organisationId, status: query.status } : { organisationId };
    }
    if (query.priority) where.priority = query.priority;
    const [data, total] = await this.tickets.findAndCount({
      where,
      order: { createdAt: 'ASC' },
      skip: (query.page - 1) * query.limit,
      take: query.limit,
    });
    return { data, total, page: query.page, limit: query.limit };
  }

  findOne(user: AuthUser, id: string): Promise<Ticket | null> {
    // BUG (find-unscoped): the lookup from before organisations existed, missed when every other
    // query got its `organisationId`.
    const where: FindOptionsWhere<Ticket> = this.bugs.on('find-unscoped')
      ? { id }
      : { id, organisationId: user.organisationId };
    return this.tickets.findOne({ where });
  }

  async update(user: AuthUser, id: string, dto: UpdateTicketDto): Promise<Ticket> {
    const ticket = await this.tickets.findOne({ where: { id, organisationId: user.organisationId } });
    if (!ticket) throw new NotFoundException('Ticket not found');
    await this.assertAssignee(user.organisationId, dto.assigneeId);
    Object.assign(ticket, dto);
    return this.tickets.save(ticket);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    // `affected` is not looked at: a missing or foreign id gets the same 204.
    await this.tickets.delete({ id, organisationId: user.organisationId });
  }

  private async assertAssignee(organisationId: string, assigneeId: string | null | undefined): Promise<void> {
    if (assigneeId === undefined || assigneeId === null) return;
    const assignee = await this.users.findOne({ where: { id: assigneeId, organisationId } });
    if (!assignee) throw new BadRequestException('Assignee not found');
  }
}

class CommentsService {
  constructor(
    private readonly comments: Repository<Comment>,
    private readonly tickets: Repository<Ticket>,
    private readonly quota: QuotaService,
  ) {}

  async create(user: AuthUser, ticketId: string, dto: CreateCommentDto): Promise<Comment> {
    const ticket = await this.ownTicket(user, ticketId);
    await this.quota.assertRoom(user.organisationId);
    return this.comments.save({
      body: dto.body,
      ticketId: ticket.id,
      authorId: user.userId,
      organisationId: user.organisationId,
    });
  }

  async findAll(user: AuthUser, ticketId: string): Promise<Comment[]> {
    const ticket = await this.ownTicket(user, ticketId);
    return this.comments.find({
      where: { ticketId: ticket.id, organisationId: user.organisationId },
      order: { createdAt: 'ASC' },
    });
  }

  private async ownTicket(user: AuthUser, id: string): Promise<Ticket> {
    const ticket = await this.tickets.findOne({ where: { id, organisationId: user.organisationId } });
    if (!ticket) throw new NotFoundException('Ticket not found');
    return ticket;
  }
}

class ReportsService {
  constructor(
    private readonly tickets: Repository<Ticket>,
    private readonly users: Repository<User>,
  ) {}

  async summary(user: AuthUser): Promise<{ tickets: number; openTickets: number; users: number }> {
    const { organisationId } = user;
    const [tickets, openTickets, users] = await Promise.all([
      this.tickets.count({ where: { organisationId } }),
      this.tickets.count({ where: { organisationId, status: 'open' } }),
      this.users.count({ where: { organisationId } }),
    ]);
    return { tickets, openTickets, users };
  }
}

// =============================================================================================
// Controllers. A route's handler asks the context for its arguments in the order of the Nest
// handler's parameters, so the pipes run in that order (ParseUUIDPipe before the body's validation).

interface RouteContext {
  /** `@Req() req.user`, set by the guard. */
  readonly user: AuthUser;
  /** `@Param(name, pipe)`. */
  param(name: string, pipe: (value: string) => string): string;
  /** `@Body() dto: X`. */
  body<T>(dto: Dto<T>): T;
  /** `@Query() query: X`. */
  query<T>(dto: Dto<T>): T;
}

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface RouteDefinition {
  method: HttpMethod;
  /** Under the controller's prefix, e.g. `:id`. */
  path: string;
  /** `@HttpCode()`; Nest's default is 201 for POST, 200 otherwise. */
  status?: number;
  handler: (ctx: RouteContext) => unknown;
}

interface Controller {
  /** `@Controller(prefix)`. */
  readonly prefix: string;
  /** `@UseGuards(AuthGuard('jwt'))` on the class. */
  readonly guarded: boolean;
  routes(): RouteDefinition[];
}

/** `SwaggerModule.setup('api', app, document)`: the document as JSON at `GET /api-json`, public. */
class SwaggerController implements Controller {
  readonly prefix = 'api-json';
  readonly guarded = false;
  private readonly document: unknown = JSON.parse(readFileSync(new URL('./openapi.json', import.meta.url), 'utf8'));

  routes(): RouteDefinition[] {
    return [{ method: 'GET', path: '', handler: () => this.document }];
  }
}

class AuthController implements Controller {
  readonly prefix = 'auth';
  readonly guarded = false;
  constructor(private readonly auth: AuthService) {}

  routes(): RouteDefinition[] {
    return [
      { method: 'POST', path: 'signup', handler: (c) => this.auth.signup(c.body(SignupDto)) },
      { method: 'POST', path: 'login', handler: (c) => this.auth.login(c.body(LoginDto)) },
    ];
  }
}

class UsersController implements Controller {
  readonly prefix = 'users';
  readonly guarded = true;
  constructor(private readonly users: UsersService) {}

  routes(): RouteDefinition[] {
    return [
      { method: 'POST', path: '', handler: (c) => this.users.create(c.user, c.body(CreateUserDto)) },
      { method: 'GET', path: '', handler: (c) => this.users.findAll(c.user) },
      { method: 'GET', path: ':id', handler: (c) => this.users.findOne(c.user, c.param('id', ParseUUIDPipe)) },
      {
        method: 'DELETE',
        path: ':id',
        status: 204,
        handler: (c) => this.users.remove(c.user, c.param('id', ParseUUIDPipe)),
      },
    ];
  }
}

class TicketsController implements Controller {
  readonly prefix = 'tickets';
  readonly guarded = true;
  constructor(private readonly tickets: TicketsService) {}

  routes(): RouteDefinition[] {
    return [
      { method: 'POST', path: '', handler: (c) => this.tickets.create(c.user, c.body(CreateTicketDto)) },
      { method: 'GET', path: '', handler: (c) => this.tickets.findAll(c.user, c.query(ListTicketsQueryDto)) },
      { method: 'GET', path: ':id', handler: (c) => this.tickets.findOne(c.user, c.param('id', ParseUUIDPipe)) },
      {
        method: 'PATCH',
        path: ':id',
        handler: (c) => this.tickets.update(c.user, c.param('id', ParseUUIDPipe), c.body(UpdateTicketDto)),
      },
      {
        method: 'DELETE',
        path: ':id',
        status: 204,
        handler: (c) => this.tickets.remove(c.user, c.param('id', ParseUUIDPipe)),
      },
    ];
  }
}

class CommentsController implements Controller {
  readonly prefix = 'tickets/:ticketId/comments';
  readonly guarded = true;
  constructor(private readonly comments: CommentsService) {}

  routes(): RouteDefinition[] {
    return [
      {
        method: 'POST',
        path: '',
        handler: (c) => this.comments.create(c.user, c.param('ticketId', ParseUUIDPipe), c.body(CreateCommentDto)),
      },
      { method: 'GET', path: '', handler: (c) => this.comments.findAll(c.user, c.param('ticketId', ParseUUIDPipe)) },
    ];
  }
}

class ReportsController implements Controller {
  readonly prefix = 'reports';
  readonly guarded = true;
  constructor(private readonly reports: ReportsService) {}

  routes(): RouteDefinition[] {
    return [{ method: 'GET', path: 'summary', handler: (c) => this.reports.summary(c.user) }];
  }
}

// =============================================================================================
// The module: wiring, as Nest's injector would do it.

function createControllers(options: DesklyOptions): { controllers: Controller[]; guard: JwtAuthGuard } {
  const userSchema = userEntity(options.emailIndex ?? 'global');
  const dataSource = new DataSource([OrganisationEntity, userSchema, TicketEntity, CommentEntity]);
  const organisations = dataSource.getRepository(OrganisationEntity);
  const users = dataSource.getRepository(userSchema);
  const tickets = dataSource.getRepository(TicketEntity);
  const comments = dataSource.getRepository(CommentEntity);
  const quota = new QuotaService(
    organisations,
    users,
    tickets,
    comments,
    options.maxRecordsPerOrganisation ?? 5_000,
    options.maxOrganisations ?? 10_000,
  );
  const jwt = new JwtService(randomBytes(32), options.tokenTtlSeconds ?? 3600);
  const bugs = new PlantedBugs(options.bug);
  return {
    guard: new JwtAuthGuard(jwt),
    controllers: [
      new SwaggerController(),
      new AuthController(new AuthService(dataSource, userSchema, users, quota, jwt, new PasswordHasher())),
      new UsersController(new UsersService(users, quota)),
      new TicketsController(new TicketsService(tickets, users, quota, bugs)),
      new CommentsController(new CommentsService(comments, tickets, quota)),
      new ReportsController(new ReportsService(tickets, users)),
    ],
  };
}

// =============================================================================================
// The platform: what @nestjs/platform-express and Express do around the handlers.

interface CompiledRoute {
  method: HttpMethod;
  segments: string[];
  status: number;
  guarded: boolean;
  handler: (ctx: RouteContext) => unknown;
}

function compileRoutes(controllers: Controller[]): CompiledRoute[] {
  return controllers.flatMap((controller) =>
    controller.routes().map((route) => ({
      method: route.method,
      segments: [controller.prefix, route.path].join('/').split('/').filter(Boolean),
      status: route.status ?? (route.method === 'POST' ? 201 : 200),
      guarded: controller.guarded,
      handler: route.handler,
    })),
  );
}

/** Express's router: case-insensitive, trailing slash optional, parameters percent-decoded. */
function matchRoute(
  routes: CompiledRoute[],
  method: string,
  pathname: string,
): { route: CompiledRoute; params: Record<string, string> } | undefined {
  const trimmed = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  const parts = trimmed.split('/').slice(1);
  for (const route of routes) {
    if (route.method !== method || route.segments.length !== parts.length) continue;
    const raw: Record<string, string> = {};
    const ok = route.segments.every((segment, i) => {
      const part = parts[i]!;
      if (segment.startsWith(':')) {
        raw[segment.slice(1)] = part;
        return part.length > 0;
      }
      return part.toLowerCase() === segment.toLowerCase();
    });
    if (!ok) continue;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        // Express raises a URIError; Nest maps it to a 400.
        throw new BadRequestException(`Failed to decode param '${value}'`);
      }
    }
    return { route, params };
  }
  return undefined;
}

/** `qs`-like enough: a repeated key or a bracketed one (`a[]=1`, `a[b]=1`) gives a non-string. */
function parseQuery(search: string): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [rawKey, value] of new URLSearchParams(search)) {
    const bracket = rawKey.indexOf('[');
    const key = bracket > 0 ? rawKey.slice(0, bracket) : rawKey;
    const previous = out[key];
    if (bracket > 0 || previous !== undefined) {
      out[key] = [...(Array.isArray(previous) ? previous : previous === undefined ? [] : [previous]), value];
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Reads what is left of a request and throws it away (the 413 is sent once the client has finished). */
function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve();
    req.on('end', () => resolve());
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.resume();
  });
}

/**
 * body-parser's `json()` (strict) and `urlencoded()`, both with `limit`. Other content types are not
 * read, and the body is `{}`, as Express 4 leaves it.
 */
async function parseBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const hasBody = req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;
  if (!hasBody) return {};
  const [mime = '', ...parameters] = (req.headers['content-type'] ?? '').split(';').map((s) => s.trim());
  const type = mime.toLowerCase();
  if (type !== 'application/json' && type !== 'application/x-www-form-urlencoded') return {};
  const charset = parameters
    .map((p) => /^charset=(?:"([^"]*)"|(.*))$/i.exec(p))
    .map((m) => (m ? (m[1] ?? m[2] ?? '').toLowerCase() : undefined))
    .find((c) => c !== undefined);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    await drain(req);
    throw new HttpError(415, `unsupported content encoding "${encoding}"`);
  }
  if (charset !== undefined && charset !== 'utf-8') {
    await drain(req);
    throw new HttpError(415, `unsupported charset "${charset.toUpperCase()}"`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    await drain(req);
    throw new HttpError(413, 'request entity too large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve());
    req.on('error', reject);
  });
  if (tooLarge) throw new HttpError(413, 'request entity too large');
  const text = Buffer.concat(chunks).toString('utf8');
  if (type === 'application/x-www-form-urlencoded') return parseQuery(text);
  if (text.length === 0) return {};
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw strictSyntaxError(text, first ?? '');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BadRequestException((err as Error).message);
  }
}

/** body-parser's message for a JSON body that is neither an object nor an array. */
function strictSyntaxError(text: string, char: string): BadRequestException {
  const index = text.indexOf(char);
  const partial = index === -1 ? '' : text.slice(0, index) + '#'.repeat(text.length - index);
  try {
    JSON.parse(partial);
  } catch (err) {
    return new BadRequestException((err as Error).message.replace(/#+/g, (m) => text.slice(index, index + m.length)));
  }
  return new BadRequestException('Unexpected token');
}

/** The `etag` module, weak, as Express computes it for every body it sends. */
function weakEtag(body: Buffer): string {
  const hash = createHash('sha1').update(body).digest('base64').slice(0, 27);
  return `W/"${body.length.toString(16)}-${hash}"`;
}

/** Express's `req.fresh` against the response's ETag. */
function isFresh(req: IncomingMessage, status: number, etag: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (!((status >= 200 && status < 300) || status === 304)) return false;
  const noneMatch = req.headers['if-none-match'];
  if (!noneMatch || /(?:^|,)\s*no-cache\s*(?:,|$)/.test(req.headers['cache-control'] ?? '')) return false;
  if (noneMatch.trim() === '*') return true;
  const strip = (tag: string): string => tag.trim().replace(/^W\//, '');
  return noneMatch.split(',').some((tag) => strip(tag) === strip(etag));
}

/** `ExpressAdapter.reply`: `res.send()` for null/undefined, `res.json(body)` otherwise. */
function reply(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  if (body === null || body === undefined) {
    res.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(body));
  const etag = weakEtag(payload);
  res.setHeader('ETag', etag);
  if (status === 204 || isFresh(req, status, etag)) {
    if (status !== 204) res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', payload.length);
  res.end(req.method === 'HEAD' ? undefined : payload);
}

/** Nest's `BaseExceptionFilter`. */
function exceptionResponse(err: unknown, log: (line: string) => void): { status: number; body: ExceptionBody } {
  if (err instanceof HttpException) return { status: err.status, body: err.response };
  if (err instanceof HttpError)
    return { status: err.statusCode, body: { statusCode: err.statusCode, message: err.message } };
  const e = err instanceof Error ? err : new Error(String(err));
  log(`[Nest] ${process.pid}  - ${new Date().toLocaleString('en-US')}   ERROR [ExceptionsHandler] ${e.message}`);
  if (e.stack) log(e.stack);
  return { status: 500, body: { statusCode: 500, message: 'Internal server error' } };
}

function createRequestListener(options: DesklyOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { controllers, guard } = createControllers(options);
  const routes = compileRoutes(controllers);
  const limit = options.bodyLimitBytes ?? 1024 * 1024;
  const log = options.logger ?? ((): void => {});

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const body = await parseBody(req, limit);
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const found = matchRoute(routes, method === 'HEAD' ? 'GET' : method, pathname);
    if (!found) throw new NotFoundException(`Cannot ${method} ${url}`);
    const user = found.route.guarded ? guard.canActivate(req.headers) : undefined;
    const ctx: RouteContext = {
      get user(): AuthUser {
        if (!user) throw new UnauthorizedException();
        return user;
      },
      param: (name, pipe) => pipe(found.params[name] ?? ''),
      body: (dto) => validate(dto, body),
      query: (dto) => validate(dto, parseQuery(q === -1 ? '' : url.slice(q + 1))),
    };
    const result = await found.route.handler(ctx);
    reply(req, res, found.route.status, instanceToPlain(result));
  };

  return (req, res) => {
    res.setHeader('X-Powered-By', 'Express');
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const { status, body } = exceptionResponse(err, log);
      reply(req, res, status, body);
    });
  };
}

export function startDeskly(options: DesklyOptions = {}): Promise<DesklyServer> {
  if (options.bug !== undefined && !(options.bug in BUGS)) {
    return Promise.reject(
      new Error(`unknown bug ${JSON.stringify(options.bug)}; known: ${Object.keys(BUGS).join(', ')}`),
    );
  }
  if (
    options.emailIndex !== undefined &&
    options.emailIndex !== 'global' &&
    options.emailIndex !== 'per-organisation'
  ) {
    return Promise.reject(new Error('emailIndex must be global or per-organisation'));
  }
  const server = createServer(createRequestListener(options));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.hostname ?? '127.0.0.1', () => {
      const info = server.address() as AddressInfo;
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function parseArgs(argv: string[]): DesklyOptions {
  const options: DesklyOptions = {};
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
    } else if (arg === '--email-index') {
      const v = value();
      if (v !== 'global' && v !== 'per-organisation')
        throw new Error('--email-index must be global or per-organisation');
      options.emailIndex = v;
    } else if (arg === '--bug') {
      const bug = value();
      if (!(bug in BUGS)) {
        const known = Object.entries(BUGS).map(([k, v]) => `  ${k}: ${v}`);
        throw new Error(`unknown bug ${bug}; known:\n${known.join('\n')}`);
      }
      options.bug = bug as BugName;
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: npx tsx examples/framework-style/server.ts [--port N] [--email-index global|per-organisation] ' +
          `[--bug ${Object.keys(BUGS).join('|')}]\n`,
      );
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options: DesklyOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const server = await startDeskly({ ...options, logger: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${server.url}\n`);
  if (options.bug) process.stderr.write(`planted bug: ${options.bug} (${BUGS[options.bug]})\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
