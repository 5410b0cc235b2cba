/**
 * "Bookly", a small appointment-booking API written the way a third party would write it: Hono on
 * @hono/node-server, in-memory Maps, UUID ids, page/pageSize pagination, cookie sessions, and one
 * workspace per SUBDOMAIN. `Host: acme.bookly.test` is workspace `acme`; any other Host (the apex
 * `bookly.test`, or `127.0.0.1:PORT`) only has the public sign-up and login routes.
 *
 *   npx tsx examples/subdomain/server.ts [--port N] [--base-domain D] [--bug host-trusted|appointment-idor]
 *
 * prints its URL on the first line. `startBookly()` does the same in-process (tests). On loopback,
 * pick a workspace with the Host header: `curl -H 'Host: acme.bookly.test' http://127.0.0.1:PORT/clients`.
 *
 * The workspace of a request comes from the Host, and the session cookie's user must belong to it.
 * A record of another workspace gets exactly the 404 a missing record gets. Planted bugs:
 *   - `host-trusted`: the tenant middleware trusts the Host and only checks that the session is
 *     valid (for any workspace), so workspace A's cookie sent to B's Host reads and writes B's data.
 *   - `appointment-idor`: GET /clients/{clientId}/appointments/{appointmentId} loads the appointment
 *     by id alone (ignores the workspace and the client).
 */
import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const BUGS = {
  'host-trusted': 'the tenant middleware takes the workspace from the Host and accepts a session of any workspace',
  'appointment-idor': 'GET /clients/{clientId}/appointments/{appointmentId} loads the appointment by id alone',
} as const;
export type BugName = keyof typeof BUGS;

export interface BooklyOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** The planted isolation bug; off unless asked. */
  bug?: BugName;
  /** Workspaces live at `{slug}.{baseDomain}` (default `bookly.test`). */
  baseDomain?: string;
}

export interface BooklyServer {
  url: string;
  close(): Promise<void>;
}

export const SESSION_COOKIE = 'bookly_session';

interface Workspace {
  id: string;
  slug: string;
  name: string;
}
interface User {
  id: string;
  workspaceId: string;
  email: string;
  role: 'owner';
  salt: Buffer;
  hash: Buffer;
}
interface Client {
  id: string;
  workspaceId: string;
  name: string;
  email: string;
  phone: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Appointment {
  id: string;
  workspaceId: string;
  clientId: string;
  startsAt: string;
  durationMinutes: number;
  service: string;
  createdAt: string;
}

type Env = { Variables: { workspace: Workspace; user: User } };
type Json = Record<string, unknown>;
interface Issue {
  path: string;
  message: string;
}

/** Turned into `{ error, issues? }` by the error handler. */
class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly error: string,
    readonly issues?: Issue[],
  ) {
    super(error);
  }
}

const SLUG_RE = /^[a-z0-9-]{3,40}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_TIME_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;
const SESSION_RE = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([A-Za-z0-9_-]{43})(?:;|$)`);

function hashPassword(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, 32, (err, key) => (err ? reject(err) : resolve(key))));
}

// ---------------------------------------------------------------------------------------------
// Validation: each rule adds an issue; `done()` throws 400 validation_failed if any were found.

class Checker {
  readonly issues: Issue[] = [];
  constructor(private readonly body: Json) {}

  only(allowed: readonly string[]): this {
    for (const key of Object.keys(this.body))
      if (!allowed.includes(key)) this.issues.push({ path: key, message: 'unknown field' });
    return this;
  }

  string(
    key: string,
    rule: { min: number; max: number; required: boolean; nullable?: boolean },
  ): string | null | undefined {
    const v = this.body[key];
    if (v === undefined) {
      if (rule.required) this.issues.push({ path: key, message: 'is required' });
      return undefined;
    }
    if (v === null && rule.nullable) return null;
    if (typeof v !== 'string') return this.fail(key, 'must be a string');
    if (v.length < rule.min || v.length > rule.max)
      return this.fail(key, `must be ${rule.min} to ${rule.max} characters`);
    if (rule.min > 0 && v.trim() === '') return this.fail(key, 'must not be blank');
    return v;
  }

  email(key: string, required: boolean): string | undefined {
    const v = this.string(key, { min: 3, max: 254, required });
    if (typeof v === 'string' && !EMAIL_RE.test(v)) return this.fail(key, 'must be an email address');
    return v ?? undefined;
  }

  dateTime(key: string, required: boolean): string | undefined {
    const v = this.string(key, { min: 1, max: 40, required });
    if (typeof v === 'string' && (!DATE_TIME_RE.test(v) || Number.isNaN(Date.parse(v))))
      return this.fail(key, 'must be an ISO 8601 date-time');
    return v ?? undefined;
  }

  int(key: string, min: number, max: number, required: boolean): number | undefined {
    const v = this.body[key];
    if (v === undefined) {
      if (required) this.issues.push({ path: key, message: 'is required' });
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      return this.fail(key, `must be an integer from ${min} to ${max}`);
    return v;
  }

  done(): void {
    if (this.issues.length > 0) throw new HttpError(400, 'validation_failed', this.issues);
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
    throw new HttpError(400, 'validation_failed', [{ path: '', message: 'the body must be a JSON object' }]);
  return body as Json;
}

function pageQuery(c: Context): { page: number; pageSize: number } {
  const read = (name: string, fallback: number, max: number): number => {
    const raw = c.req.query(name);
    if (raw === undefined) return fallback;
    const n = /^[0-9]{1,6}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= 1 && n <= max))
      throw new HttpError(400, 'validation_failed', [{ path: name, message: `must be an integer from 1 to ${max}` }]);
    return n;
  };
  return { page: read('page', 1, 100_000), pageSize: read('pageSize', 20, 100) };
}

function paged<T>(rows: T[], { page, pageSize }: { page: number; pageSize: number }) {
  return { items: rows.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total: rows.length };
}

/** What the API shows of a record: everything but the workspace it belongs to. */
const clientView = ({ workspaceId: _ws, ...client }: Client): Json => client;
const appointmentView = ({ workspaceId: _ws, ...appointment }: Appointment): Json => appointment;
const userView = (u: User): Json => ({ id: u.id, email: u.email, role: u.role });

// ---------------------------------------------------------------------------------------------
// The app.

export function createApp(options: BooklyOptions = {}): Hono<Env> {
  const bug = options.bug;
  const suffix = `.${(options.baseDomain ?? 'bookly.test').toLowerCase()}`;

  const workspaces = new Map<string, Workspace>();
  const workspacesBySlug = new Map<string, Workspace>();
  const users = new Map<string, User>();
  const usersByEmail = new Map<string, User>();
  const sessions = new Map<string, { userId: string }>();
  const clients = new Map<string, Client>();
  const appointments = new Map<string, Appointment>();

  const now = (): string => new Date().toISOString();
  const notFound = (): HttpError => new HttpError(404, 'not_found');

  /** The workspace the Host names, or undefined on the apex or any other host. */
  const workspaceOf = (c: Context): Workspace | undefined => {
    const host = (c.req.header('host') ?? '').toLowerCase().replace(/:\d+$/, '');
    if (!host.endsWith(suffix)) return undefined;
    const slug = host.slice(0, -suffix.length);
    return SLUG_RE.test(slug) ? workspacesBySlug.get(slug) : undefined;
  };
  const ownClient = (workspace: Workspace, id: string): Client => {
    const client = clients.get(id);
    if (!client || client.workspaceId !== workspace.id) throw notFound();
    return client;
  };
  const ownAppointment = (client: Client, id: string): Appointment => {
    const a = appointments.get(id);
    if (!a || a.workspaceId !== client.workspaceId || a.clientId !== client.id) throw notFound();
    return a;
  };

  const app = new Hono<Env>();

  app.onError((err, c) => {
    if (err instanceof HttpError)
      return c.json(err.issues ? { error: err.error, issues: err.issues } : { error: err.error }, err.status);
    console.error(err);
    return c.json({ error: 'internal_error' }, 500);
  });
  app.notFound((c) => c.json({ error: 'not_found' }, 404));

  // Public routes.
  app.post('/signup', async (c) => {
    const check = new Checker(await jsonBody(c)).only(['workspaceName', 'slug', 'email', 'password']);
    const name = check.string('workspaceName', { min: 1, max: 120, required: true });
    const slug = check.string('slug', { min: 3, max: 40, required: true });
    if (typeof slug === 'string' && !SLUG_RE.test(slug))
      check.issues.push({ path: 'slug', message: 'lowercase letters, digits and hyphens only' });
    const email = check.email('email', true)?.toLowerCase();
    const password = check.string('password', { min: 8, max: 200, required: true });
    check.done();
    if (workspacesBySlug.has(slug!)) throw new HttpError(409, 'slug_taken');
    if (usersByEmail.has(email!)) throw new HttpError(409, 'email_taken');
    const salt = randomBytes(16);
    const hash = await hashPassword(password!, salt);
    if (workspacesBySlug.has(slug!)) throw new HttpError(409, 'slug_taken');
    if (usersByEmail.has(email!)) throw new HttpError(409, 'email_taken');
    const workspace: Workspace = { id: randomUUID(), slug: slug!, name: name! };
    const user: User = { id: randomUUID(), workspaceId: workspace.id, email: email!, role: 'owner', salt, hash };
    workspaces.set(workspace.id, workspace);
    workspacesBySlug.set(workspace.slug, workspace);
    users.set(user.id, user);
    usersByEmail.set(user.email, user);
    return c.json(
      { workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name }, user: userView(user) },
      201,
    );
  });

  app.post('/login', async (c) => {
    const check = new Checker(await jsonBody(c)).only(['email', 'password']);
    const email = check.string('email', { min: 1, max: 254, required: true })?.toLowerCase();
    const password = check.string('password', { min: 1, max: 200, required: true });
    check.done();
    const workspace = workspaceOf(c);
    if (!workspace) throw new HttpError(404, 'unknown workspace');
    const user = usersByEmail.get(email!);
    const hash = await hashPassword(password!, user?.salt ?? randomBytes(16));
    // A user of another workspace gets the same 401 as a wrong password.
    if (!user || !timingSafeEqual(hash, user.hash) || user.workspaceId !== workspace.id)
      throw new HttpError(401, 'invalid_credentials');
    const sid = randomBytes(32).toString('base64url');
    sessions.set(sid, { userId: user.id });
    c.header('Set-Cookie', `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax`);
    return c.json({ user: userView(user) });
  });

  // Every other route belongs to the Host's workspace and needs a session of one of its users.
  app.use('*', async (c, next) => {
    const workspace = workspaceOf(c);
    if (!workspace) throw new HttpError(404, 'unknown workspace');
    const sid = SESSION_RE.exec(c.req.header('cookie') ?? '')?.[1];
    const session = sid ? sessions.get(sid) : undefined;
    const user = session ? users.get(session.userId) : undefined;
    if (!user) throw new HttpError(401, 'unauthenticated');
    // BUG (planted, host-trusted): "the session is valid" is taken to be enough.
    if (bug !== 'host-trusted' && user.workspaceId !== workspace.id) throw new HttpError(403, 'forbidden');
    c.set('workspace', workspace);
    c.set('user', user);
    return next();
  });

  // Clients.
  const clientFields = ['name', 'email', 'phone', 'notes'] as const;

  app.get('/clients', (c) => {
    const ws = c.get('workspace');
    const q = pageQuery(c);
    return c.json(paged([...clients.values()].filter((x) => x.workspaceId === ws.id).map(clientView), q));
  });

  app.post('/clients', async (c) => {
    const ws = c.get('workspace');
    const check = new Checker(await jsonBody(c)).only(clientFields);
    const name = check.string('name', { min: 1, max: 120, required: true });
    const email = check.email('email', true);
    const phone = check.string('phone', { min: 1, max: 40, required: false, nullable: true });
    const notes = check.string('notes', { min: 0, max: 2000, required: false, nullable: true });
    check.done();
    const at = now();
    const client: Client = {
      id: randomUUID(),
      workspaceId: ws.id,
      name: name!,
      email: email!,
      phone: phone ?? null,
      notes: notes ?? null,
      createdAt: at,
      updatedAt: at,
    };
    clients.set(client.id, client);
    return c.json(clientView(client), 201);
  });

  app.get('/clients/:clientId', (c) => c.json(clientView(ownClient(c.get('workspace'), c.req.param('clientId')))));

  app.patch('/clients/:clientId', async (c) => {
    const check = new Checker(await jsonBody(c)).only(clientFields);
    const name = check.string('name', { min: 1, max: 120, required: false });
    const email = check.email('email', false);
    const phone = check.string('phone', { min: 1, max: 40, required: false, nullable: true });
    const notes = check.string('notes', { min: 0, max: 2000, required: false, nullable: true });
    check.done();
    const client = ownClient(c.get('workspace'), c.req.param('clientId'));
    if (name != null) client.name = name;
    if (email !== undefined) client.email = email;
    if (phone !== undefined) client.phone = phone;
    if (notes !== undefined) client.notes = notes;
    client.updatedAt = now();
    return c.json(clientView(client));
  });

  app.delete('/clients/:clientId', (c) => {
    const client = ownClient(c.get('workspace'), c.req.param('clientId'));
    clients.delete(client.id);
    for (const a of [...appointments.values()]) if (a.clientId === client.id) appointments.delete(a.id);
    return c.body(null, 204);
  });

  // Appointments of a client.
  app.get('/clients/:clientId/appointments', (c) => {
    const client = ownClient(c.get('workspace'), c.req.param('clientId'));
    const q = pageQuery(c);
    const rows = [...appointments.values()].filter((a) => a.clientId === client.id);
    return c.json(paged(rows.map(appointmentView), q));
  });

  app.post('/clients/:clientId/appointments', async (c) => {
    const client = ownClient(c.get('workspace'), c.req.param('clientId'));
    const check = new Checker(await jsonBody(c)).only(['startsAt', 'durationMinutes', 'service']);
    const startsAt = check.dateTime('startsAt', true);
    const durationMinutes = check.int('durationMinutes', 15, 480, true);
    const service = check.string('service', { min: 1, max: 120, required: true });
    check.done();
    const appointment: Appointment = {
      id: randomUUID(),
      workspaceId: client.workspaceId,
      clientId: client.id,
      startsAt: startsAt!,
      durationMinutes: durationMinutes!,
      service: service!,
      createdAt: now(),
    };
    appointments.set(appointment.id, appointment);
    return c.json(appointmentView(appointment), 201);
  });

  app.get('/clients/:clientId/appointments/:appointmentId', (c) => {
    if (bug === 'appointment-idor') {
      // BUG (planted): the appointment id is unguessable, so it is looked up by id alone.
      const a = appointments.get(c.req.param('appointmentId'));
      if (!a) throw notFound();
      return c.json(appointmentView(a));
    }
    const client = ownClient(c.get('workspace'), c.req.param('clientId'));
    return c.json(appointmentView(ownAppointment(client, c.req.param('appointmentId'))));
  });

  app.delete('/clients/:clientId/appointments/:appointmentId', (c) => {
    const client = ownClient(c.get('workspace'), c.req.param('clientId'));
    appointments.delete(ownAppointment(client, c.req.param('appointmentId')).id);
    return c.body(null, 204);
  });

  app.get('/stats', (c) => {
    const ws = c.get('workspace');
    const count = (rows: Iterable<{ workspaceId: string }>): number => {
      let n = 0;
      for (const r of rows) if (r.workspaceId === ws.id) n++;
      return n;
    };
    return c.json({ clients: count(clients.values()), appointments: count(appointments.values()) });
  });

  return app;
}

export function startBookly(options: BooklyOptions = {}): Promise<BooklyServer> {
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

function parseArgs(argv: string[]): BooklyOptions {
  const options: BooklyOptions = {};
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
    } else if (arg === '--base-domain') {
      options.baseDomain = value();
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
        `usage: npx tsx examples/subdomain/server.ts [--port N] [--base-domain D] [--bug ${Object.keys(BUGS).join('|')}]\n`,
      );
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options: BooklyOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const server = await startBookly(options);
  process.stdout.write(`${server.url}\n`);
  if (options.bug) process.stderr.write(`planted bug: ${options.bug} (${BUGS[options.bug]})\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
