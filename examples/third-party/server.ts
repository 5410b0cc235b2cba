/**
 * "Tracklet", a small multi-tenant project tracker written the way a third party would write it,
 * deliberately unlike our Fastify CRM: Hono on @hono/node-server, in-memory Maps, organisations
 * instead of tenants, self-signed HS256 JWTs from a login route, INTEGER auto-increment ids shared
 * by every organisation (guessable: the classic IDOR set-up), offset pagination, and its own
 * error shape `{ "error": { "code": "not_found", "message": "…" } }` as plain application/json.
 * No request ids, no problem+json, no audit log.
 *
 *   npx tsx examples/third-party/server.ts [--port N] [--id-start N] [--id-sequence per-table|global]
 *                                          [--bug task-idor|project-update-idor]
 *
 * prints its URL on the first line. `startThirdParty()` does the same in-process (tests).
 * `--id-start 10000001 --id-sequence global` is the set-up tenantproof needs today (README.md).
 *
 * The organisation of a request comes ONLY from the verified token. A record of another
 * organisation gets exactly the 404 a missing record gets. One isolation bug can be switched on:
 *   - `task-idor`: GET /projects/{projectId}/tasks/{taskId} loads the task by its id and checks that
 *     it belongs to the project named in the URL, but never that the project is the caller's.
 *   - `project-update-idor`: PATCH /projects/{projectId} looks the project up by id alone.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const BUGS = {
  'task-idor':
    "GET /projects/{projectId}/tasks/{taskId} checks the task belongs to the project in the URL, never that the project is the caller's",
  'project-update-idor': 'PATCH /projects/{projectId} looks the project up by id without the organisation',
} as const;
export type BugName = keyof typeof BUGS;

export interface ThirdPartyOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** The planted isolation bug; off unless asked. */
  bug?: BugName;
  /** Projects plus tasks one organisation may hold (default 10 000). */
  maxRecordsPerOrg?: number;
  /** Organisations the server accepts (default 10 000). */
  maxOrgs?: number;
  /** Token lifetime in seconds (default 3600). */
  tokenTtlSeconds?: number;
  /** The first id of every table (default 1), as in a database whose sequences have moved on. */
  idStart?: number;
  /**
   * `per-table` (the default): organisations, users, projects and tasks each count from `idStart`,
   * so project 7 and task 7 both exist. `global`: one sequence for every table, so an id names
   * exactly one record of any kind.
   */
  idSequence?: 'per-table' | 'global';
}

export interface ThirdPartyServer {
  url: string;
  close(): Promise<void>;
}

const PROJECT_STATUSES = ['planned', 'active', 'on_hold', 'done'] as const;
type ProjectStatus = (typeof PROJECT_STATUSES)[number];

interface Org {
  id: number;
  name: string;
  /** Projects plus tasks alive. */
  records: number;
}
interface User {
  id: number;
  orgId: number;
  email: string;
  salt: Buffer;
  hash: Buffer;
}
interface Project {
  id: number;
  orgId: number;
  name: string;
  description: string | null;
  status: ProjectStatus;
  budget: number;
  createdAt: string;
  updatedAt: string;
}
interface Task {
  id: number;
  orgId: number;
  projectId: number;
  title: string;
  done: boolean;
  assignee: string | null;
  createdAt: string;
  updatedAt: string;
}

type Env = { Variables: { orgId: number; userId: number } };

/** A validation or lookup failure, turned into `{ error: { code, message } }`. */
class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_NAME = 120;
const MAX_DESCRIPTION = 2000;
const MAX_TITLE = 200;
const MAX_EMAIL = 254;
const MAX_BUDGET = 1_000_000_000;
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// ---------------------------------------------------------------------------------------------
// JWT (HS256), by hand.

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function signJwt(secret: Buffer, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

function verifyJwt(secret: Buffer, token: string): { org: number; sub: number } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, sig] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
    if (header.alg !== 'HS256') return undefined;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
      org?: unknown;
      sub?: unknown;
      exp?: unknown;
    };
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return undefined;
    const org = Number(claims.org);
    const sub = Number(claims.sub);
    if (!Number.isSafeInteger(org) || !Number.isSafeInteger(sub)) return undefined;
    return { org, sub };
  } catch {
    return undefined;
  }
}

function hashPassword(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, 32, (err, key) => (err ? reject(err) : resolve(key))));
}

// ---------------------------------------------------------------------------------------------
// Input validation, by hand (this API's own rules, reported as 400 validation_failed).

type Json = Record<string, unknown>;

function invalid(message: string): never {
  throw new ApiError(400, 'validation_failed', message);
}

function checkKeys(body: Json, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) if (!allowed.includes(key)) invalid(`unknown field "${key}"`);
}

function str(
  body: Json,
  key: string,
  { min, max, required }: { min: number; max: number; required: boolean },
): string | undefined {
  const v = body[key];
  if (v === undefined) {
    if (required) invalid(`"${key}" is required`);
    return undefined;
  }
  if (typeof v !== 'string') invalid(`"${key}" must be a string`);
  if (v.length < min || v.length > max) invalid(`"${key}" must be ${min} to ${max} characters`);
  if (min > 0 && v.trim().length === 0) invalid(`"${key}" must not be blank`);
  return v;
}

function nullableStr(body: Json, key: string, max: number): string | null | undefined {
  if (body[key] === null) return null;
  return str(body, key, { min: 0, max, required: false });
}

function email(body: Json, key: string): string | null | undefined {
  const v = nullableStr(body, key, MAX_EMAIL);
  if (typeof v === 'string' && !EMAIL_RE.test(v)) invalid(`"${key}" must be an email address`);
  return v;
}

function bool(body: Json, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') invalid(`"${key}" must be true or false`);
  return v;
}

function budget(body: Json): number | undefined {
  const v = body['budget'];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_BUDGET)
    invalid(`"budget" must be an integer from 0 to ${MAX_BUDGET}`);
  return v;
}

function status(body: Json): ProjectStatus | undefined {
  const v = body['status'];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(PROJECT_STATUSES as readonly string[]).includes(v))
    invalid(`"status" must be one of ${PROJECT_STATUSES.join(', ')}`);
  return v as ProjectStatus;
}

async function jsonBody(c: Context): Promise<Json> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body must be a JSON object');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ApiError(400, 'invalid_json', 'the request body must be a JSON object');
  return body as Json;
}

function intParam(raw: string | undefined, name: string): number {
  if (raw === undefined || !/^[0-9]{1,15}$/.test(raw)) invalid(`"${name}" must be a positive integer`);
  return Number(raw);
}

function page(c: Context): { limit: number; offset: number } {
  const l = c.req.query('limit');
  const o = c.req.query('offset');
  const limit = l === undefined ? DEFAULT_LIMIT : /^[0-9]{1,4}$/.test(l) ? Number(l) : NaN;
  const offset = o === undefined ? 0 : /^[0-9]{1,9}$/.test(o) ? Number(o) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) invalid(`"limit" must be an integer from 1 to ${MAX_LIMIT}`);
  if (!(offset >= 0)) invalid('"offset" must be a non-negative integer');
  return { limit, offset };
}

// ---------------------------------------------------------------------------------------------
// The app.

export function createApp(options: ThirdPartyOptions = {}): Hono<Env> {
  const bug = options.bug;
  const maxRecords = options.maxRecordsPerOrg ?? 10_000;
  const maxOrgs = options.maxOrgs ?? 10_000;
  const ttl = options.tokenTtlSeconds ?? 3600;
  const secret = randomBytes(32);

  const orgs = new Map<number, Org>();
  const users = new Map<number, User>();
  const usersByEmail = new Map<string, User>();
  const projects = new Map<number, Project>();
  const tasks = new Map<number, Task>();
  const first = (options.idStart ?? 1) - 1;
  const counters = { org: first, user: first, project: first, task: first, global: first };
  const nextId = (table: 'org' | 'user' | 'project' | 'task'): number =>
    options.idSequence === 'global' ? ++counters.global : ++counters[table];

  const now = (): string => new Date().toISOString();
  const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} not found`);

  /** The caller's project, or the same 404 whether it is missing or another organisation's. */
  const ownProject = (orgId: number, id: number): Project => {
    const p = projects.get(id);
    if (!p || p.orgId !== orgId) throw notFound('project');
    return p;
  };
  const ownTask = (orgId: number, project: Project, id: number): Task => {
    const t = tasks.get(id);
    if (!t || t.orgId !== orgId || t.projectId !== project.id) throw notFound('task');
    return t;
  };
  const reserve = (orgId: number): Org => {
    const org = orgs.get(orgId)!;
    if (org.records >= maxRecords)
      throw new ApiError(403, 'quota_exceeded', `an organisation may hold at most ${maxRecords} projects and tasks`);
    return org;
  };
  const paged = <T>(rows: T[], { limit, offset }: { limit: number; offset: number }) => ({
    data: rows.slice(offset, offset + limit),
    pagination: { total: rows.length, limit, offset },
  });

  const app = new Hono<Env>();

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json({ error: { code: err.code, message: err.message } }, err.status);
    console.error(err);
    return c.json({ error: { code: 'internal', message: 'internal error' } }, 500);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: 'no such route' } }, 404));

  // Public routes.
  app.post('/signup', async (c) => {
    const body = await jsonBody(c);
    checkKeys(body, ['orgName', 'email', 'password']);
    const orgName = str(body, 'orgName', { min: 1, max: MAX_NAME, required: true })!;
    const mail = str(body, 'email', { min: 3, max: MAX_EMAIL, required: true })!.toLowerCase();
    const password = str(body, 'password', { min: 8, max: 200, required: true })!;
    if (!EMAIL_RE.test(mail)) invalid('"email" must be an email address');
    if (usersByEmail.has(mail)) throw new ApiError(409, 'email_taken', 'a user with this email already exists');
    if (orgs.size >= maxOrgs) throw new ApiError(403, 'quota_exceeded', 'no more organisations can sign up');
    const salt = randomBytes(16);
    const hash = await hashPassword(password, salt);
    if (usersByEmail.has(mail)) throw new ApiError(409, 'email_taken', 'a user with this email already exists');
    const org: Org = { id: nextId('org'), name: orgName, records: 0 };
    const user: User = { id: nextId('user'), orgId: org.id, email: mail, salt, hash };
    orgs.set(org.id, org);
    users.set(user.id, user);
    usersByEmail.set(mail, user);
    return c.json({ org: { id: org.id, name: org.name }, user: { id: user.id, email: user.email } }, 201);
  });

  app.post('/login', async (c) => {
    const body = await jsonBody(c);
    checkKeys(body, ['email', 'password']);
    const mail = str(body, 'email', { min: 1, max: MAX_EMAIL, required: true })!.toLowerCase();
    const password = str(body, 'password', { min: 1, max: 200, required: true })!;
    const user = usersByEmail.get(mail);
    const hash = await hashPassword(password, user?.salt ?? randomBytes(16));
    if (!user || !timingSafeEqual(hash, user.hash))
      throw new ApiError(401, 'invalid_credentials', 'wrong email or password');
    const iat = Math.floor(Date.now() / 1000);
    return c.json({
      token: signJwt(secret, { sub: String(user.id), org: user.orgId, iat, exp: iat + ttl }),
      expiresIn: ttl,
    });
  });

  // Everything else needs a bearer token; the organisation comes from it and nowhere else.
  app.use('*', async (c, next) => {
    if (c.req.path === '/signup' || c.req.path === '/login') return next();
    const auth = c.req.header('authorization') ?? '';
    const m = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(auth);
    const claims = m ? verifyJwt(secret, m[1]!) : undefined;
    if (!claims || !orgs.has(claims.org) || users.get(claims.sub)?.orgId !== claims.org) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new ApiError(401, 'unauthorized', 'a valid bearer token is required');
    }
    c.set('orgId', claims.org);
    c.set('userId', claims.sub);
    return next();
  });

  // Projects.
  const projectFields = ['name', 'description', 'status', 'budget'] as const;

  app.get('/projects', (c) => {
    const orgId = c.get('orgId');
    const rows = [...projects.values()].filter((p) => p.orgId === orgId);
    return c.json(paged(rows.map(projectView), page(c)));
  });

  app.post('/projects', async (c) => {
    const orgId = c.get('orgId');
    const body = await jsonBody(c);
    checkKeys(body, projectFields);
    const name = str(body, 'name', { min: 1, max: MAX_NAME, required: true })!;
    const description = nullableStr(body, 'description', MAX_DESCRIPTION) ?? null;
    const st = status(body) ?? 'planned';
    const b = budget(body) ?? 0;
    const org = reserve(orgId);
    const at = now();
    const project: Project = {
      id: nextId('project'),
      orgId,
      name,
      description,
      status: st,
      budget: b,
      createdAt: at,
      updatedAt: at,
    };
    projects.set(project.id, project);
    org.records++;
    return c.json(projectView(project), 201);
  });

  app.get('/projects/:projectId', (c) => {
    const project = ownProject(c.get('orgId'), intParam(c.req.param('projectId'), 'projectId'));
    return c.json(projectView(project));
  });

  app.patch('/projects/:projectId', async (c) => {
    const orgId = c.get('orgId');
    const id = intParam(c.req.param('projectId'), 'projectId');
    const body = await jsonBody(c);
    checkKeys(body, projectFields);
    const name = str(body, 'name', { min: 1, max: MAX_NAME, required: false });
    const description = nullableStr(body, 'description', MAX_DESCRIPTION);
    const st = status(body);
    const b = budget(body);
    let project: Project;
    if (bug === 'project-update-idor') {
      // BUG (planted): the update path reuses a lookup helper written for an internal job that
      // ran across all organisations, so the organisation is never checked.
      const p = projects.get(id);
      if (!p) throw notFound('project');
      project = p;
    } else {
      project = ownProject(orgId, id);
    }
    if (name !== undefined) project.name = name;
    if (description !== undefined) project.description = description;
    if (st !== undefined) project.status = st;
    if (b !== undefined) project.budget = b;
    project.updatedAt = now();
    return c.json(projectView(project));
  });

  app.delete('/projects/:projectId', (c) => {
    const orgId = c.get('orgId');
    const project = ownProject(orgId, intParam(c.req.param('projectId'), 'projectId'));
    let removed = 1;
    for (const t of tasks.values()) {
      if (t.projectId === project.id) {
        tasks.delete(t.id);
        removed++;
      }
    }
    projects.delete(project.id);
    orgs.get(orgId)!.records -= removed;
    return c.body(null, 204);
  });

  // Tasks, nested under a project.
  const taskFields = ['title', 'done', 'assignee'] as const;

  app.get('/projects/:projectId/tasks', (c) => {
    const orgId = c.get('orgId');
    const project = ownProject(orgId, intParam(c.req.param('projectId'), 'projectId'));
    const rows = [...tasks.values()].filter((t) => t.orgId === orgId && t.projectId === project.id);
    return c.json(paged(rows.map(taskView), page(c)));
  });

  app.post('/projects/:projectId/tasks', async (c) => {
    const orgId = c.get('orgId');
    const project = ownProject(orgId, intParam(c.req.param('projectId'), 'projectId'));
    const body = await jsonBody(c);
    checkKeys(body, taskFields);
    const title = str(body, 'title', { min: 1, max: MAX_TITLE, required: true })!;
    const done = bool(body, 'done') ?? false;
    const assignee = email(body, 'assignee') ?? null;
    const org = reserve(orgId);
    const at = now();
    const task: Task = {
      id: nextId('task'),
      orgId,
      projectId: project.id,
      title,
      done,
      assignee,
      createdAt: at,
      updatedAt: at,
    };
    tasks.set(task.id, task);
    org.records++;
    return c.json(taskView(task), 201);
  });

  app.get('/projects/:projectId/tasks/:taskId', (c) => {
    const orgId = c.get('orgId');
    const projectId = intParam(c.req.param('projectId'), 'projectId');
    const taskId = intParam(c.req.param('taskId'), 'taskId');
    if (bug === 'task-idor') {
      // BUG (planted): "the task must belong to the project in the URL" is checked, and taken
      // to be enough; nobody checks that the project belongs to the caller's organisation.
      const t = tasks.get(taskId);
      if (!t || t.projectId !== projectId) throw notFound('task');
      return c.json(taskView(t));
    }
    const project = ownProject(orgId, projectId);
    return c.json(taskView(ownTask(orgId, project, taskId)));
  });

  app.patch('/projects/:projectId/tasks/:taskId', async (c) => {
    const orgId = c.get('orgId');
    const projectId = intParam(c.req.param('projectId'), 'projectId');
    const taskId = intParam(c.req.param('taskId'), 'taskId');
    const body = await jsonBody(c);
    checkKeys(body, taskFields);
    const title = str(body, 'title', { min: 1, max: MAX_TITLE, required: false });
    const done = bool(body, 'done');
    const assignee = email(body, 'assignee');
    const task = ownTask(orgId, ownProject(orgId, projectId), taskId);
    if (title !== undefined) task.title = title;
    if (done !== undefined) task.done = done;
    if (assignee !== undefined) task.assignee = assignee;
    task.updatedAt = now();
    return c.json(taskView(task));
  });

  app.delete('/projects/:projectId/tasks/:taskId', (c) => {
    const orgId = c.get('orgId');
    const project = ownProject(orgId, intParam(c.req.param('projectId'), 'projectId'));
    const task = ownTask(orgId, project, intParam(c.req.param('taskId'), 'taskId'));
    tasks.delete(task.id);
    orgs.get(orgId)!.records--;
    return c.body(null, 204);
  });

  // The organisation's numbers.
  app.get('/stats', (c) => {
    const orgId = c.get('orgId');
    let projectCount = 0;
    let totalBudget = 0;
    for (const p of projects.values()) {
      if (p.orgId !== orgId) continue;
      projectCount++;
      totalBudget += p.budget;
    }
    let taskCount = 0;
    let openTaskCount = 0;
    for (const t of tasks.values()) {
      if (t.orgId !== orgId) continue;
      taskCount++;
      if (!t.done) openTaskCount++;
    }
    return c.json({ projectCount, taskCount, openTaskCount, totalBudget });
  });

  return app;
}

function projectView(p: Project): Json {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    status: p.status,
    budget: p.budget,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

function taskView(t: Task): Json {
  return {
    id: t.id,
    projectId: t.projectId,
    title: t.title,
    done: t.done,
    assignee: t.assignee,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

export function startThirdParty(options: ThirdPartyOptions = {}): Promise<ThirdPartyServer> {
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

function parseArgs(argv: string[]): ThirdPartyOptions {
  const options: ThirdPartyOptions = {};
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
    } else if (arg === '--id-start') {
      const start = Number(value());
      if (!Number.isSafeInteger(start) || start < 1) throw new Error('--id-start must be a positive integer');
      options.idStart = start;
    } else if (arg === '--id-sequence') {
      const v = value();
      if (v !== 'per-table' && v !== 'global') throw new Error('--id-sequence must be per-table or global');
      options.idSequence = v;
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
        `usage: npx tsx examples/third-party/server.ts [--port N] [--id-start N] [--id-sequence per-table|global] [--bug ${Object.keys(BUGS).join('|')}]\n`,
      );
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options: ThirdPartyOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const server = await startThirdParty(options);
  process.stdout.write(`${server.url}\n`);
  if (options.bug) process.stderr.write(`planted bug: ${options.bug} (${BUGS[options.bug]})\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
