/**
 * The Bookly example API (examples/subdomain/) as shipped: the real server in this process on
 * loopback, spoken to with node:http (fetch may not set a Host header, and Bookly picks the
 * workspace from the Host). It tours the routes of the clean build, shows each planted bug leaking
 * in its own two-workspace scenario while the clean build does not, and loads provision.ts the
 * way `--provision module:` does.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import axios from 'axios';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { BUGS, startBookly, type BooklyOptions, type BooklyServer } from '../../examples/subdomain/server.ts';
import provision, { workspaceSlug } from '../../examples/subdomain/provision.ts';
import { provisionFromModule } from '../../harness/tenants/module-provisioner.ts';
import { tenantLabel } from '../../harness/tenants/index.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { openApi31Ajv } from '../support/openapi31-ajv.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const MISSING = '00000000-0000-4000-8000-000000000000';

const servers: BooklyServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function start(options: BooklyOptions = {}): Promise<string> {
  const server = await startBookly(options);
  servers.push(server);
  return server.url;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: unknown;
}

/** One request with node:http, so that the Host header is ours to choose. */
function call(
  url: string,
  method: string,
  route: string,
  options: { host?: string; cookie?: string; body?: unknown } = {},
): Promise<Reply> {
  const { hostname, port } = new URL(url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (options.host) headers.host = options.host;
  if (options.cookie) headers.cookie = options.cookie;
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path: route, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

type Json = Record<string, unknown>;
interface Client {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Appointment {
  id: string;
  clientId: string;
  startsAt: string;
  durationMinutes: number;
  service: string;
  createdAt: string;
}

interface Workspace {
  id: string;
  slug: string;
  host: string;
  cookie: string;
  email: string;
  password: string;
}

let serial = 0;
/** Signs a workspace up on the apex and logs its owner in on the workspace's Host. */
async function workspace(url: string): Promise<Workspace> {
  const n = ++serial;
  const slug = `studio-${n}`;
  const host = `${slug}.bookly.test`;
  const email = `owner${n}@studio${n}.example`;
  const password = `pw-${n}-secret`;
  const signup = await call(url, 'POST', '/signup', { body: { workspaceName: `Studio ${n}`, slug, email, password } });
  expect(signup.status, signup.text).toBe(201);
  const login = await call(url, 'POST', '/login', { host, body: { email, password } });
  expect(login.status, login.text).toBe(200);
  const cookie = String(login.headers['set-cookie']![0]).split(';')[0]!;
  return { id: (signup.body as { workspace: { id: string } }).workspace.id, slug, host, cookie, email, password };
}

function as(w: Workspace, host = w.host): { host: string; cookie: string } {
  return { host, cookie: w.cookie };
}

async function addClient(url: string, w: Workspace, fields: Json = {}): Promise<Client> {
  const res = await call(url, 'POST', '/clients', {
    ...as(w),
    body: { name: 'Ada Lovelace', email: 'ada@example.com', ...fields },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as Client;
}

async function book(url: string, w: Workspace, client: Client, fields: Json = {}): Promise<Appointment> {
  const res = await call(url, 'POST', `/clients/${client.id}/appointments`, {
    ...as(w),
    body: { startsAt: '2031-05-04T09:30:00Z', durationMinutes: 45, service: 'Haircut', ...fields },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as Appointment;
}

// ---------------------------------------------------------------------------------------------

describe('Bookly: accounts, hosts and sessions', () => {
  it('signs up on any host without logging in, and logs in on the workspace host with a session cookie', async () => {
    const url = await start();
    const signup = await call(url, 'POST', '/signup', {
      host: 'bookly.test',
      body: { workspaceName: 'Kappa Salon', slug: 'kappa', email: 'Kim@Kappa.example', password: 'correct horse' },
    });
    expect(signup.status).toBe(201);
    expect(signup.headers['set-cookie']).toBeUndefined();
    const body = signup.body as { workspace: Json; user: Json };
    expect(body).toEqual({
      workspace: { id: expect.stringMatching(UUID), slug: 'kappa', name: 'Kappa Salon' },
      user: { id: expect.stringMatching(UUID), email: 'kim@kappa.example', role: 'owner' },
    });
    expect(JSON.stringify(body)).not.toContain('token');

    const login = await call(url, 'POST', '/login', {
      host: 'kappa.bookly.test:8443',
      body: { email: 'kim@kappa.example', password: 'correct horse' },
    });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ user: body.user });
    const setCookie = login.headers['set-cookie'] as string[];
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(/^bookly_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = setCookie[0]!.split(';')[0]!;
    const stats = await call(url, 'GET', '/stats', { host: 'KAPPA.bookly.test', cookie });
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({ clients: 0, appointments: 0 });
  });

  it('refuses taken slugs and emails, bad input, wrong credentials and logins on the wrong host', async () => {
    const url = await start();
    const a = await workspace(url);
    const b = await workspace(url);
    const takenSlug = await call(url, 'POST', '/signup', {
      body: { workspaceName: 'X', slug: a.slug, email: 'new@x.example', password: 'whatever1' },
    });
    expect(takenSlug.status).toBe(409);
    expect(takenSlug.body).toEqual({ error: 'slug_taken' });
    const takenEmail = await call(url, 'POST', '/signup', {
      body: { workspaceName: 'X', slug: 'fresh-slug', email: a.email.toUpperCase(), password: 'whatever1' },
    });
    expect(takenEmail.status).toBe(409);
    expect(takenEmail.body).toEqual({ error: 'email_taken' });
    const bad = await call(url, 'POST', '/signup', {
      body: { slug: 'No_Caps!', email: 'nope', password: 'short', plan: 'gold' },
    });
    expect(bad.status).toBe(400);
    const issues = (bad.body as { error: string; issues: { path: string }[] }).issues;
    expect((bad.body as Json).error).toBe('validation_failed');
    expect(issues.map((i) => i.path).sort()).toEqual(['email', 'password', 'plan', 'slug', 'workspaceName']);
    for (const slug of ['ab', 'x'.repeat(41)]) {
      const res = await call(url, 'POST', '/signup', {
        body: { workspaceName: 'X', slug, email: `${slug.length}@x.example`, password: 'whatever1' },
      });
      expect(res.status, slug).toBe(400);
    }

    const wrong = await call(url, 'POST', '/login', { host: a.host, body: { email: a.email, password: 'nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid_credentials' });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const elsewhere = await call(url, 'POST', '/login', {
      host: b.host,
      body: { email: a.email, password: a.password },
    });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.text).toBe(wrong.text);
    const apex = await call(url, 'POST', '/login', { body: { email: a.email, password: a.password } });
    expect(apex.status).toBe(404);
    expect(apex.body).toEqual({ error: 'unknown workspace' });
  });

  it('serves tenant routes only on a known workspace host, with a session of that workspace', async () => {
    const url = await start();
    const a = await workspace(url);
    const b = await workspace(url);
    for (const host of [
      undefined,
      'bookly.test',
      'nobody.bookly.test',
      `${a.slug}.bookly.test.evil.example`,
      'a.b.bookly.test',
    ]) {
      const res = await call(url, 'GET', '/clients', { cookie: a.cookie, ...(host ? { host } : {}) });
      expect(res.status, String(host)).toBe(404);
      expect(res.body).toEqual({ error: 'unknown workspace' });
    }
    for (const cookie of [undefined, 'bookly_session=nope', `bookly_session=${'A'.repeat(43)}`, 'other=1']) {
      const res = await call(url, 'GET', '/clients', { host: a.host, ...(cookie ? { cookie } : {}) });
      expect(res.status, String(cookie)).toBe(401);
      expect(res.body).toEqual({ error: 'unauthenticated' });
    }
    // The cookie among others, as a browser sends it.
    const mixed = await call(url, 'GET', '/stats', { host: a.host, cookie: `theme=dark; ${a.cookie}; lang=en` });
    expect(mixed.status).toBe(200);
    // A's session on B's host.
    const cross = await call(url, 'GET', '/clients', as(a, b.host));
    expect(cross.status).toBe(403);
    expect(cross.body).toEqual({ error: 'forbidden' });
  });
});

describe('Bookly: clients and appointments', () => {
  it('creates, reads, pages, updates and deletes clients', async () => {
    const url = await start();
    const w = await workspace(url);
    const created = await call(url, 'POST', '/clients', {
      ...as(w),
      body: { name: 'Grace Hopper', email: 'grace@navy.example', phone: '+1 555 0100', notes: 'prefers mornings' },
    });
    expect(created.status).toBe(201);
    const grace = created.body as Client;
    expect(grace).toEqual({
      id: expect.stringMatching(UUID),
      name: 'Grace Hopper',
      email: 'grace@navy.example',
      phone: '+1 555 0100',
      notes: 'prefers mornings',
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    const ada = await addClient(url, w);
    expect(ada.phone).toBeNull();
    expect(ada.notes).toBeNull();
    expect((await call(url, 'GET', `/clients/${grace.id}`, as(w))).body).toEqual(grace);
    expect((await call(url, 'GET', '/clients', as(w))).body).toEqual({
      items: [grace, ada],
      page: 1,
      pageSize: 20,
      total: 2,
    });
    expect((await call(url, 'GET', '/clients?page=2&pageSize=1', as(w))).body).toEqual({
      items: [ada],
      page: 2,
      pageSize: 1,
      total: 2,
    });
    for (const q of ['page=0', 'pageSize=0', 'pageSize=101', 'page=x']) {
      const res = await call(url, 'GET', `/clients?${q}`, as(w));
      expect(res.status, q).toBe(400);
      expect((res.body as Json).error).toBe('validation_failed');
    }
    const unknownField = await call(url, 'POST', '/clients', {
      ...as(w),
      body: { name: 'X', email: 'x@x.example', id: MISSING },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body).toEqual({
      error: 'validation_failed',
      issues: [{ path: 'id', message: 'unknown field' }],
    });

    const patched = await call(url, 'PATCH', `/clients/${ada.id}`, { ...as(w), body: { phone: '+44 20 7946 0000' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: ada.id, name: 'Ada Lovelace', phone: '+44 20 7946 0000' });
    const cleared = await call(url, 'PATCH', `/clients/${ada.id}`, { ...as(w), body: { phone: null } });
    expect((cleared.body as Client).phone).toBeNull();
    expect((await call(url, 'PATCH', `/clients/${ada.id}`, { ...as(w), body: { email: 'nope' } })).status).toBe(400);

    await book(url, w, ada);
    expect((await call(url, 'GET', '/stats', as(w))).body).toEqual({ clients: 2, appointments: 1 });
    const del = await call(url, 'DELETE', `/clients/${ada.id}`, as(w));
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await call(url, 'GET', `/clients/${ada.id}`, as(w))).status).toBe(404);
    expect((await call(url, 'DELETE', `/clients/${ada.id}`, as(w))).status).toBe(404);
    expect((await call(url, 'GET', '/stats', as(w))).body).toEqual({ clients: 1, appointments: 0 });
  });

  it('books, lists, reads and cancels a client’s appointments', async () => {
    const url = await start();
    const w = await workspace(url);
    const ada = await addClient(url, w);
    const bob = await addClient(url, w, { name: 'Bob', email: 'bob@example.com' });
    const first = await book(url, w, ada);
    expect(first).toEqual({
      id: expect.stringMatching(UUID),
      clientId: ada.id,
      startsAt: '2031-05-04T09:30:00Z',
      durationMinutes: 45,
      service: 'Haircut',
      createdAt: expect.stringMatching(ISO),
    });
    const second = await book(url, w, ada, { startsAt: '2031-05-05T10:00:00+02:00', durationMinutes: 15 });
    expect((await call(url, 'GET', `/clients/${ada.id}/appointments`, as(w))).body).toEqual({
      items: [first, second],
      page: 1,
      pageSize: 20,
      total: 2,
    });
    expect((await call(url, 'GET', `/clients/${bob.id}/appointments`, as(w))).body).toMatchObject({ total: 0 });
    expect((await call(url, 'GET', `/clients/${ada.id}/appointments/${first.id}`, as(w))).body).toEqual(first);
    // The appointment under another client of the same workspace is not found.
    expect((await call(url, 'GET', `/clients/${bob.id}/appointments/${first.id}`, as(w))).status).toBe(404);
    for (const body of [
      { startsAt: 'tomorrow', durationMinutes: 30, service: 'X' },
      { startsAt: '2031-05-04T09:30:00Z', durationMinutes: 10, service: 'X' },
      { startsAt: '2031-05-04T09:30:00Z', durationMinutes: 481, service: 'X' },
      { startsAt: '2031-05-04T09:30:00Z', durationMinutes: 30.5, service: 'X' },
      { startsAt: '2031-05-04T09:30:00Z', durationMinutes: 30 },
      { startsAt: '2031-05-04T09:30:00Z', durationMinutes: 30, service: 'X', room: 2 },
    ]) {
      const res = await call(url, 'POST', `/clients/${ada.id}/appointments`, { ...as(w), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await call(url, 'POST', `/clients/${MISSING}/appointments`, { ...as(w), body: {} })).status).toBe(404);
    const cancel = await call(url, 'DELETE', `/clients/${ada.id}/appointments/${first.id}`, as(w));
    expect(cancel.status).toBe(204);
    expect((await call(url, 'GET', `/clients/${ada.id}/appointments/${first.id}`, as(w))).status).toBe(404);
    expect((await call(url, 'GET', '/stats', as(w))).body).toEqual({ clients: 2, appointments: 1 });
  });

  it("answers another workspace's ids exactly as missing ones, and never lists them", async () => {
    const url = await start();
    const victim = await workspace(url);
    const attacker = await workspace(url);
    const secret = await addClient(url, victim, { name: 'Victim Secret', email: 'secret@victim.example' });
    const appt = await book(url, victim, secret, { service: 'Victim treatment' });
    const mine = await addClient(url, attacker, { name: 'Mine', email: 'mine@attacker.example' });
    for (const [method, route, body] of [
      ['GET', `/clients/${secret.id}`, undefined],
      ['PATCH', `/clients/${secret.id}`, { name: 'pwned' }],
      ['DELETE', `/clients/${secret.id}`, undefined],
      ['GET', `/clients/${secret.id}/appointments`, undefined],
      [
        'POST',
        `/clients/${secret.id}/appointments`,
        { startsAt: '2031-01-01T00:00:00Z', durationMinutes: 30, service: 'X' },
      ],
      ['GET', `/clients/${secret.id}/appointments/${appt.id}`, undefined],
      ['GET', `/clients/${mine.id}/appointments/${appt.id}`, undefined],
      ['DELETE', `/clients/${secret.id}/appointments/${appt.id}`, undefined],
    ] as const) {
      const foreign = await call(url, method, route, { ...as(attacker), body });
      const missing = await call(url, method, route.replaceAll(secret.id, MISSING).replaceAll(appt.id, MISSING), {
        ...as(attacker),
        body,
      });
      expect(foreign.status, `${method} ${route}`).toBe(404);
      expect(foreign.text).toBe(missing.text);
    }
    expect((await call(url, 'GET', '/clients', as(attacker))).body).toMatchObject({ items: [mine], total: 1 });
    expect((await call(url, 'GET', `/clients/${secret.id}`, as(victim))).body).toEqual(secret);
    expect((await call(url, 'GET', '/stats', as(victim))).body).toEqual({ clients: 1, appointments: 1 });
  });
});

describe('Bookly: planted bugs', () => {
  it('knows exactly its two bugs and refuses others', async () => {
    expect(Object.keys(BUGS).sort()).toEqual(['appointment-idor', 'host-trusted']);
    await expect(startBookly({ bug: 'nope' as never })).rejects.toThrow(/unknown bug/);
  });

  /** A's session sent with B's Host: reads B's client, renames it, adds one to B. */
  async function hostScenario(
    url: string,
  ): Promise<{ read: Reply; list: Reply; patch: Reply; create: Reply; victimView: Reply }> {
    const victim = await workspace(url);
    const attacker = await workspace(url);
    const secret = await addClient(url, victim, { name: 'Victim Secret', email: 'secret@victim.example' });
    const read = await call(url, 'GET', `/clients/${secret.id}`, as(attacker, victim.host));
    const list = await call(url, 'GET', '/clients', as(attacker, victim.host));
    const patch = await call(url, 'PATCH', `/clients/${secret.id}`, {
      ...as(attacker, victim.host),
      body: { notes: 'pwned' },
    });
    const create = await call(url, 'POST', '/clients', {
      ...as(attacker, victim.host),
      body: { name: 'Planted', email: 'planted@attacker.example' },
    });
    const victimView = await call(url, 'GET', '/clients', as(victim));
    return { read, list, patch, create, victimView };
  }

  it('host-trusted: one workspace’s session reads and writes another’s data through its Host', async () => {
    const leak = await hostScenario(await start({ bug: 'host-trusted' }));
    expect(leak.read.status).toBe(200);
    expect((leak.read.body as Client).name).toBe('Victim Secret');
    expect(leak.list.text).toContain('secret@victim.example');
    expect(leak.patch.status).toBe(200);
    expect(leak.create.status).toBe(201);
    const victimNames = (leak.victimView.body as { items: Client[] }).items.map((c) => [c.name, c.notes]);
    expect(victimNames).toEqual([
      ['Victim Secret', 'pwned'],
      ['Planted', null],
    ]);

    const clean = await hostScenario(await start());
    for (const r of [clean.read, clean.list, clean.patch, clean.create]) {
      expect(r.status).toBe(403);
      expect(r.text).toBe('{"error":"forbidden"}');
    }
    expect((clean.victimView.body as { items: Client[] }).items.map((c) => [c.name, c.notes])).toEqual([
      ['Victim Secret', null],
    ]);
  });

  /** The attacker reads the victim's appointment id under one of its own clients. */
  async function appointmentScenario(url: string): Promise<Reply> {
    const victim = await workspace(url);
    const attacker = await workspace(url);
    const secret = await addClient(url, victim, { name: 'Victim Secret', email: 'secret@victim.example' });
    const appt = await book(url, victim, secret, { service: 'Confidential therapy' });
    const mine = await addClient(url, attacker);
    return call(url, 'GET', `/clients/${mine.id}/appointments/${appt.id}`, as(attacker));
  }

  it('appointment-idor: an appointment id alone reads another workspace’s appointment', async () => {
    const leak = await appointmentScenario(await start({ bug: 'appointment-idor' }));
    expect(leak.status).toBe(200);
    expect((leak.body as Appointment).service).toBe('Confidential therapy');
    const clean = await appointmentScenario(await start());
    expect(clean.status).toBe(404);
    expect(clean.text).not.toContain('Confidential therapy');
    // The other bug leaves this route alone.
    expect((await appointmentScenario(await start({ bug: 'host-trusted' }))).status).toBe(404);
  });
});

describe('Bookly: provision.ts', () => {
  it('makes slugs the server accepts from any run tag', () => {
    expect(workspaceSlug('Run_42', 3)).toBe('tp-run-42-3');
    const long = workspaceSlug('X'.repeat(80), 12);
    expect(long).toMatch(/^[a-z0-9-]{3,40}$/);
    expect(long.endsWith('-12')).toBe(true);
  });

  it('loads through provisionFromModule, and each tenant’s cookie opens its own workspace via its Host', async () => {
    const url = await start();
    const runTag = 'Ab12Cd';
    const tenants = await provisionFromModule(path.join(REPO_ROOT, 'examples', 'subdomain', 'provision.ts'), {
      count: 2,
      baseUrl: url,
      runTag,
      env: {},
    });
    expect(tenants.map((t) => t.label)).toEqual(['T1', 'T2']);
    for (const [index, t] of tenants.entries()) {
      const i = index + 1;
      const slug = workspaceSlug(runTag, i);
      expect(t.name).toBe(`tenantproof+${slug}@bookly.example`);
      expect(t.id).toMatch(UUID);
      expect(Object.keys(t.headers)).toEqual(['Cookie']);
      expect(t.headers.Cookie).toMatch(/^bookly_session=[A-Za-z0-9_-]{43}$/);
      expect(t.secrets).toContain(t.headers.Cookie!.split('=')[1]);
      // The Host selector, not a secret, names the tenant's own workspace.
      expect(t.selectors).toEqual({ 'header:Host': `${slug}.bookly.test` });
      expect(t.secrets).not.toContain(`${slug}.bookly.test`);
      const own = await call(url, 'GET', '/stats', { host: t.selectors!['header:Host']!, cookie: t.headers.Cookie! });
      expect(own.status).toBe(200);
    }
    const [t1, t2] = tenants;
    const cross = await call(url, 'GET', '/stats', {
      host: `${workspaceSlug(runTag, 2)}.bookly.test`,
      cookie: t1!.headers.Cookie!,
    });
    expect(cross.status).toBe(403);
    expect(t1!.headers.Cookie).not.toBe(t2!.headers.Cookie);
  });

  it('returns the Host selector itself, and logs in again when the workspace exists (same tag twice)', async () => {
    const url = await start();
    const ctx = {
      label: tenantLabel(1),
      count: 2,
      baseUrl: url,
      http: axios.create({ baseURL: url, validateStatus: () => true }),
      runTag: 'again',
      env: {},
    };
    const first = await provision(1, ctx);
    expect(first.selectors).toEqual({ 'header:Host': 'tp-again-1.bookly.test' });
    expect(first.id).toMatch(UUID);
    const second = await provision(1, ctx);
    expect(second.selectors).toEqual(first.selectors);
    expect(second.headers.Cookie).not.toBe(first.headers.Cookie);
    for (const r of [first, second]) {
      const res = await call(url, 'GET', '/clients', { host: r.selectors['header:Host']!, cookie: r.headers.Cookie! });
      expect(res.status).toBe(200);
    }
  });
});

describe('Bookly: the OpenAPI document', () => {
  interface Operation {
    operationId: string;
    security?: unknown[];
    requestBody?: { content: Record<string, { schema: unknown }> };
    responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
  }
  interface Spec {
    openapi: string;
    security: unknown[];
    servers: unknown[];
    paths: Record<string, Record<string, Operation>>;
    components: { securitySchemes: unknown; responses: Record<string, Operation['responses'][string]> };
  }
  const file = path.join(REPO_ROOT, 'examples', 'subdomain', 'openapi.yaml');
  const text = readFileSync(file, 'utf8');
  const spec = parse(text) as Spec;
  const operations = Object.entries(spec.paths).flatMap(([route, item]) =>
    Object.entries(item)
      .filter(([method]) => method !== 'parameters')
      .map(([method, op]) => ({ route, method: method.toUpperCase(), op })),
  );

  it('is plain OpenAPI 3.1: cookie-session security, public sign-up and login, no tenantproof extensions', () => {
    expect(spec.openapi).toBe('3.1.0');
    expect(text).not.toMatch(/x-tenantproof/i);
    expect(spec.servers).toEqual([
      {
        url: 'https://{workspace}.bookly.test',
        description: 'your workspace',
        variables: { workspace: { default: 'demo', description: 'your workspace slug' } },
      },
    ]);
    expect(spec.components.securitySchemes).toMatchObject({
      sessionCookie: { type: 'apiKey', in: 'cookie', name: 'bookly_session' },
    });
    expect(spec.security).toEqual([{ sessionCookie: [] }]);
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(12);
    expect(operations.filter((o) => o.op.security !== undefined).map((o) => [o.op.operationId, o.op.security])).toEqual(
      [
        ['signUp', []],
        ['logIn', []],
      ],
    );
    for (const { method, op } of operations) {
      if (method === 'POST' || method === 'PATCH')
        expect(op.requestBody?.content['application/json']?.schema, op.operationId).toBeDefined();
      const ok = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(ok, op.operationId).toHaveLength(1);
      if (ok[0] !== '204')
        expect(op.responses[ok[0]!]!.content?.['application/json']?.schema, op.operationId).toBeDefined();
    }
  });

  it('documents what the server answers: each operation once, each response valid against its schema', async () => {
    const ajv = openApi31Ajv(spec as object, 'bookly');
    // The validator bites: a client without its fields, or with a bad id, is not a Client.
    const clientSchema = ajv.compile({ $ref: 'bookly#/components/schemas/Client' });
    expect(clientSchema({})).toBe(false);
    expect(
      clientSchema({
        id: 'x',
        name: 'n',
        email: 'e@e.example',
        phone: null,
        notes: null,
        createdAt: 'now',
        updatedAt: 'now',
      }),
    ).toBe(false);
    const schemaOf = (operationId: string, status: number): unknown => {
      const op = operations.find((o) => o.op.operationId === operationId)!.op;
      let response = op.responses[String(status)];
      expect(response, `${operationId} documents ${status}`).toBeDefined();
      if (response!.$ref) response = spec.components.responses[response!.$ref.split('/').pop()!];
      return response!.content?.['application/json']?.schema;
    };
    const check = (operationId: string, res: Reply, status: number): void => {
      expect(res.status, `${operationId}: ${res.text}`).toBe(status);
      const schema = schemaOf(operationId, status) as { $ref?: string } | undefined;
      if (status === 204) return expect(res.text).toBe('');
      const validate = ajv.compile(schema!.$ref ? { $ref: `bookly${schema!.$ref}` } : schema!);
      expect(validate(res.body), `${operationId} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    };

    const url = await start();
    const apex = {
      body: { workspaceName: 'Spec', slug: 'spec-check', email: 'spec@check.example', password: 'spec-secret' },
    };
    check('signUp', await call(url, 'POST', '/signup', apex), 201);
    check('signUp', await call(url, 'POST', '/signup', apex), 409);
    check('signUp', await call(url, 'POST', '/signup', { body: {} }), 400);
    const host = 'spec-check.bookly.test';
    const creds = { email: 'spec@check.example', password: 'spec-secret' };
    check('logIn', await call(url, 'POST', '/login', { host, body: { ...creds, password: 'wrong' } }), 401);
    check('logIn', await call(url, 'POST', '/login', { body: creds }), 404);
    const login = await call(url, 'POST', '/login', { host, body: creds });
    check('logIn', login, 200);
    const w = { host, cookie: String((login.headers['set-cookie'] as string[])[0]).split(';')[0]! };
    const other = await workspace(url);

    check('listClients', await call(url, 'GET', '/clients', { host }), 401);
    check('listClients', await call(url, 'GET', '/clients', as(other, host)), 403);
    check('listClients', await call(url, 'GET', '/clients', { ...w, host: 'bookly.test' }), 404);
    const created = await call(url, 'POST', '/clients', {
      ...w,
      body: { name: 'Spec', email: 's@s.example', phone: null },
    });
    check('createClient', created, 201);
    check('createClient', await call(url, 'POST', '/clients', { ...w, body: { name: '' } }), 400);
    const client = created.body as Client;
    check('listClients', await call(url, 'GET', '/clients?page=1&pageSize=5', w), 200);
    check('getClient', await call(url, 'GET', `/clients/${client.id}`, w), 200);
    check('getClient', await call(url, 'GET', `/clients/${MISSING}`, w), 404);
    check('updateClient', await call(url, 'PATCH', `/clients/${client.id}`, { ...w, body: { notes: 'n' } }), 200);
    const booked = await call(url, 'POST', `/clients/${client.id}/appointments`, {
      ...w,
      body: { startsAt: '2031-01-01T08:00:00.000Z', durationMinutes: 480, service: 'Long' },
    });
    check('createAppointment', booked, 201);
    const appt = booked.body as Appointment;
    check('listAppointments', await call(url, 'GET', `/clients/${client.id}/appointments`, w), 200);
    check('getAppointment', await call(url, 'GET', `/clients/${client.id}/appointments/${appt.id}`, w), 200);
    check('getStats', await call(url, 'GET', '/stats', w), 200);
    check('cancelAppointment', await call(url, 'DELETE', `/clients/${client.id}/appointments/${appt.id}`, w), 204);
    check('deleteClient', await call(url, 'DELETE', `/clients/${client.id}`, w), 204);
  });
});
