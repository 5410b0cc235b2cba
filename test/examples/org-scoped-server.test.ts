/**
 * The Orgcast example API (examples/org-scoped/) as shipped: the real server in this process on
 * loopback, spoken to with plain `fetch`, tenants registered through its real register route. It
 * checks the routes, every quirk of the clean build (the one per-IP rate-limit bucket, `X-Org-Id`,
 * `organisationId` required in `POST /v1/contacts`, the spec's generator quirks), that
 * `provision.ts` waits out a 429, and that each planted bug leaks in a plain two-tenant scenario
 * while the clean build (and every other planted bug) does not.
 *
 * No sleeps: the rate-limit tests freeze the server's clock; only the provisioning test waits the
 * one second its server's `Retry-After` asks for.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUGS,
  startOrgcast,
  type BugName,
  type OrgcastOptions,
  type OrgcastServer,
} from '../../examples/org-scoped/server.ts';
import provision from '../../examples/org-scoped/provision.ts';
import { tenantLabel } from '../../harness/tenants/index.ts';
import { REPO_ROOT } from '../support/cli.ts';

const ID = (prefix: string): RegExp => new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** High enough that the shared bucket never gets in the way outside the rate-limit tests. */
const NO_LIMIT = 1_000_000;

const servers: OrgcastServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function start(options: OrgcastOptions = {}): Promise<string> {
  const server = await startOrgcast({ rateLimitPerMinute: NO_LIMIT, ...options });
  servers.push(server);
  return server.url;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is, instead of `body` as JSON. */
  raw?: string;
}

async function call(url: string, method: string, route: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | undefined = options.raw;
  if (options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${route}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

type Json = Record<string, unknown>;

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
interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}
interface Broadcast {
  id: string;
  subject: string;
  body: string;
  status: string;
  recipients: number;
  createdAt: string;
  deliveries?: { contactId: string; email: string; status: string }[];
}
interface Invite {
  id: string;
  email: string;
  role: string;
  status: string;
  organisationId: string;
  createdAt: string;
}

interface Tenant {
  token: string;
  orgId: string;
  userId: string;
  email: string;
  password: string;
}

let serial = 0;
async function register(url: string, name = 'Acme'): Promise<Tenant> {
  const n = ++serial;
  const email = `owner${n}@org${n}.example`;
  const password = `pw-${n}-secret`;
  const res = await call(url, 'POST', '/v1/auth/register', {
    body: { organisationName: `${name} ${n}`, email, password },
  });
  expect(res.status, res.text).toBe(201);
  const body = res.body as { token: string; user: { id: string }; organisation: { id: string } };
  return { token: body.token, orgId: body.organisation.id, userId: body.user.id, email, password };
}

async function createContact(url: string, t: Tenant, fields: Partial<Contact> = {}): Promise<Contact> {
  const res = await call(url, 'POST', '/v1/contacts', {
    token: t.token,
    body: { organisationId: t.orgId, name: 'Ada Lovelace', email: 'ada@example.com', ...fields },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as Contact;
}

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------

describe('Orgcast: auth', () => {
  it('registers an organisation and its owner, with an HS256 JWT carrying sub, org_id and role', async () => {
    const url = await start();
    const res = await call(url, 'POST', '/v1/auth/register', {
      body: { organisationName: 'Globex', email: 'Hank@Globex.example', password: 'correct horse', plan: 'gold' },
    });
    expect(res.status).toBe(201);
    const body = res.body as { token: string; user: { id: string; email: string }; organisation: Json };
    expect(body.user.id).toMatch(ID('usr'));
    expect(body.user.email).toBe('hank@globex.example');
    expect(body.organisation).toEqual({ id: expect.stringMatching(ID('org')), name: 'Globex' });
    const header = JSON.parse(Buffer.from(body.token.split('.')[0]!, 'base64url').toString('utf8')) as Json;
    expect(header.alg).toBe('HS256');
    const c = claims(body.token);
    expect(c).toMatchObject({ sub: body.user.id, org_id: body.organisation.id, role: 'owner' });
    expect(Number(c.exp) - Number(c.iat)).toBe(3600);

    const login = await call(url, 'POST', '/v1/auth/login', {
      body: { email: 'hank@globex.example', password: 'correct horse' },
    });
    expect(login.status).toBe(200);
    const token = (login.body as { token: string }).token;
    expect(claims(token)).toMatchObject({ sub: body.user.id, org_id: body.organisation.id, role: 'owner' });
    expect((await call(url, 'GET', '/v1/stats', { token })).status).toBe(200);
  });

  it('refuses a taken email, a wrong password and bad input', async () => {
    const url = await start();
    const t = await register(url);
    const again = await call(url, 'POST', '/v1/auth/register', {
      body: { organisationName: 'Dup', email: t.email.toUpperCase(), password: 'whatever1' },
    });
    expect(again.status).toBe(409);
    const wrong = await call(url, 'POST', '/v1/auth/login', { body: { email: t.email, password: 'nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ message: 'Invalid email or password' });
    const unknown = await call(url, 'POST', '/v1/auth/login', {
      body: { email: 'x@y.example', password: 'nope-nope' },
    });
    expect(unknown.text).toBe(wrong.text);
    const bad = await call(url, 'POST', '/v1/auth/register', { body: { email: 'not-an-email', password: 'short' } });
    expect(bad.status).toBe(400);
    const issues = (bad.body as { message: string; issues: { path: unknown[] }[] }).issues;
    expect((bad.body as { message: string }).message).toBe('Invalid request');
    expect(issues.map((i) => i.path[0]).sort()).toEqual(['email', 'organisationName', 'password']);
  });

  it('answers 401 {"message":"Unauthorized"} without a valid bearer token', async () => {
    const url = await start();
    const other = await start();
    const t = await register(url);
    const foreign = await register(other);
    const [head, body, sig] = t.token.split('.') as [string, string, string];
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims(t.token), role: 'admin' })).toString('base64url')}.${sig}`;
    const tampered = `${head}.${body}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const auth of [
      undefined,
      'Bearer',
      'Bearer x.y.z',
      `Basic ${t.token}`,
      `Bearer ${forged}`,
      `Bearer ${tampered}`,
    ]) {
      const res = await call(url, 'GET', '/v1/contacts', auth ? { headers: { authorization: auth } } : {});
      expect(res.status, String(auth)).toBe(401);
      expect(res.text).toBe('{"message":"Unauthorized"}');
    }
    // A token signed by another Orgcast (another random secret).
    const res = await call(url, 'GET', '/v1/contacts', { token: foreign.token });
    expect(res.status).toBe(401);
  });
});

describe('Orgcast: contacts', () => {
  it('creates, reads, lists, updates and deletes contacts', async () => {
    const url = await start();
    const t = await register(url);
    const res = await call(url, 'POST', '/v1/contacts', {
      token: t.token,
      body: {
        organisationId: t.orgId,
        name: 'Grace Hopper',
        email: 'grace@navy.example',
        phone: '+1 555 0100',
        tags: ['vip', 'navy'],
        id: 'con_MINE',
        createdAt: '1999-01-01T00:00:00.000Z',
        evil: true,
      },
    });
    expect(res.status).toBe(201);
    const grace = res.body as Contact;
    expect(grace).toEqual({
      id: expect.stringMatching(ID('con')),
      organisationId: t.orgId,
      name: 'Grace Hopper',
      email: 'grace@navy.example',
      phone: '+1 555 0100',
      tags: ['vip', 'navy'],
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(grace.createdAt).not.toBe('1999-01-01T00:00:00.000Z');

    const ada = await createContact(url, t, { name: 'Ada Lovelace', email: 'ada@engine.example' });
    expect(ada.phone).toBeNull();
    expect(ada.tags).toEqual([]);

    expect((await call(url, 'GET', `/v1/contacts/${grace.id}`, { token: t.token })).body).toEqual(grace);

    const all = (await call(url, 'GET', '/v1/contacts', { token: t.token })).body as Page<Contact>;
    expect(all).toEqual({ items: [grace, ada], page: 1, pageSize: 25, total: 2 });
    const second = (await call(url, 'GET', '/v1/contacts?page=2&pageSize=1', { token: t.token })).body as Page<Contact>;
    expect(second).toEqual({ items: [ada], page: 2, pageSize: 1, total: 2 });
    const byName = (await call(url, 'GET', '/v1/contacts?search=HOPP', { token: t.token })).body as Page<Contact>;
    expect(byName.items.map((c) => c.id)).toEqual([grace.id]);
    const byEmail = (await call(url, 'GET', '/v1/contacts?search=Engine.Ex', { token: t.token })).body as Page<Contact>;
    expect(byEmail.items.map((c) => c.id)).toEqual([ada.id]);
    const wildcard = (await call(url, 'GET', '/v1/contacts?search=%25', { token: t.token })).body as Page<Contact>;
    expect(wildcard.total).toBe(0);
    const byTag = (await call(url, 'GET', '/v1/contacts?tag=navy', { token: t.token })).body as Page<Contact>;
    expect(byTag.items.map((c) => c.id)).toEqual([grace.id]);
    const blank = await call(url, 'GET', '/v1/contacts?search=&tag=&page=&pageSize=', { token: t.token });
    expect((blank.body as Page<Contact>).total).toBe(2);
    for (const q of ['page=0', 'pageSize=0', 'pageSize=101', 'page=x']) {
      const bad = await call(url, 'GET', `/v1/contacts?${q}`, { token: t.token });
      expect(bad.status, q).toBe(400);
      expect((bad.body as Json).message).toBe('Invalid request');
    }

    const patched = await call(url, 'PATCH', `/v1/contacts/${ada.id}`, {
      token: t.token,
      body: { phone: '+44 20 7946 0000', tags: ['maths'], organisationId: 'org_SOMEONEELSE', unknown: 1 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id: ada.id,
      organisationId: t.orgId,
      phone: '+44 20 7946 0000',
      tags: ['maths'],
    });
    const cleared = await call(url, 'PATCH', `/v1/contacts/${ada.id}`, { token: t.token, body: { phone: null } });
    expect((cleared.body as Contact).phone).toBeNull();
    const badPatch = await call(url, 'PATCH', `/v1/contacts/${ada.id}`, { token: t.token, body: { email: 'nope' } });
    expect(badPatch.status).toBe(400);

    const del = await call(url, 'DELETE', `/v1/contacts/${ada.id}`, { token: t.token });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await call(url, 'GET', `/v1/contacts/${ada.id}`, { token: t.token })).status).toBe(404);
    expect((await call(url, 'DELETE', `/v1/contacts/${ada.id}`, { token: t.token })).status).toBe(404);
  });

  it('requires organisationId in the body of POST /v1/contacts, and it must be the caller’s organisation', async () => {
    const url = await start();
    const t = await register(url);
    const other = await register(url);
    const missing = await call(url, 'POST', '/v1/contacts', {
      token: t.token,
      body: { name: 'No Org', email: 'no@org.example' },
    });
    expect(missing.status).toBe(400);
    expect((missing.body as { issues: { path: unknown[] }[] }).issues.map((i) => i.path)).toEqual([['organisationId']]);
    for (const organisationId of [other.orgId, 'org_00000000000000000000000000', 'anything']) {
      const res = await call(url, 'POST', '/v1/contacts', {
        token: t.token,
        body: { organisationId, name: 'Wrong Org', email: 'wrong@org.example' },
      });
      expect(res.status).toBe(403);
      expect(res.text).toBe('{"message":"organisationId does not match your organisation"}');
    }
    expect(((await call(url, 'GET', '/v1/stats', { token: other.token })).body as Json).contacts).toBe(0);
    expect(((await call(url, 'GET', '/v1/stats', { token: t.token })).body as Json).contacts).toBe(0);
  });

  it("answers another organisation's contact exactly as a missing one, and never lists it", async () => {
    const url = await start();
    const victim = await register(url);
    const attacker = await register(url);
    const secret = await createContact(url, victim, { name: 'Victim Secret', email: 'secret@victim.example' });
    const missingId = 'con_00000000000000000000000000';
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'pwned' }],
      ['DELETE', undefined],
    ] as const) {
      const foreign = await call(url, method, `/v1/contacts/${secret.id}`, { token: attacker.token, body });
      const missing = await call(url, method, `/v1/contacts/${missingId}`, { token: attacker.token, body });
      expect(foreign.status, method).toBe(404);
      expect(foreign.text).toBe('{"message":"Contact not found"}');
      expect(missing.status).toBe(404);
      expect(missing.text).toBe(foreign.text);
    }
    const list = (await call(url, 'GET', '/v1/contacts?search=victim', { token: attacker.token }))
      .body as Page<Contact>;
    expect(list.total).toBe(0);
    expect((await call(url, 'GET', `/v1/contacts/${secret.id}`, { token: victim.token })).body).toEqual(secret);
  });
});

describe('Orgcast: X-Org-Id', () => {
  it('accepts the caller’s own organisation and answers 403 for any other', async () => {
    const url = await start();
    const t = await register(url);
    const other = await register(url);
    const mine = await createContact(url, t);
    const own = await call(url, 'GET', '/v1/contacts', { token: t.token, headers: { 'X-Org-Id': t.orgId } });
    expect(own.status).toBe(200);
    expect((own.body as Page<Contact>).items).toEqual([mine]);
    const created = await call(url, 'POST', '/v1/contacts', {
      token: t.token,
      headers: { 'X-Org-Id': t.orgId },
      body: { organisationId: t.orgId, name: 'Via Header', email: 'via@header.example' },
    });
    expect(created.status).toBe(201);

    for (const orgId of [other.orgId, 'org_00000000000000000000000000', 'nonsense']) {
      for (const [method, route, body] of [
        ['GET', '/v1/contacts', undefined],
        ['GET', `/v1/contacts/${mine.id}`, undefined],
        ['GET', '/v1/stats', undefined],
        ['POST', '/v1/contacts', { organisationId: orgId, name: 'X', email: 'x@x.example' }],
        ['POST', '/v1/invites', { email: 'x@x.example', role: 'member' }],
      ] as const) {
        const res = await call(url, method, route, { token: t.token, headers: { 'X-Org-Id': orgId }, body });
        expect(res.status, `${method} ${route} as ${orgId}`).toBe(403);
        expect(res.text).toBe('{"message":"Not a member of this organisation"}');
      }
    }
    expect(((await call(url, 'GET', '/v1/stats', { token: other.token })).body as Json).contacts).toBe(0);
  });
});

describe('Orgcast: broadcasts', () => {
  it('fans a message out to all or some of the organisation’s contacts, and only to those', async () => {
    const url = await start();
    const t = await register(url);
    const other = await register(url);
    const a = await createContact(url, t, { name: 'A', email: 'a@t.example' });
    const b = await createContact(url, t, { name: 'B', email: 'b@t.example' });
    const foreign = await createContact(url, other, { name: 'F', email: 'f@other.example' });

    const all = await call(url, 'POST', '/v1/broadcasts', {
      token: t.token,
      body: { subject: 'Hello', body: 'World' },
    });
    expect(all.status).toBe(202);
    const everyone = all.body as Broadcast;
    expect(everyone).toEqual({
      id: expect.stringMatching(ID('brd')),
      subject: 'Hello',
      body: 'World',
      status: 'queued',
      recipients: 2,
      createdAt: expect.stringMatching(ISO),
    });
    const some = await call(url, 'POST', '/v1/broadcasts', {
      token: t.token,
      body: { subject: 'Just B', body: '!', contactIds: [b.id, b.id] },
    });
    expect(some.status).toBe(202);
    expect((some.body as Broadcast).recipients).toBe(1);

    for (const contactIds of [[foreign.id], [a.id, foreign.id], ['con_00000000000000000000000000']]) {
      const res = await call(url, 'POST', '/v1/broadcasts', {
        token: t.token,
        body: { subject: 'Leak?', body: '?', contactIds },
      });
      expect(res.status).toBe(422);
      expect(res.text).toBe('{"message":"Unknown contact"}');
    }
    expect((await call(url, 'POST', '/v1/broadcasts', { token: t.token, body: { subject: '' } })).status).toBe(400);

    const detail = await call(url, 'GET', `/v1/broadcasts/${everyone.id}`, { token: t.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual({
      ...everyone,
      deliveries: [
        { contactId: a.id, email: 'a@t.example', status: 'sent' },
        { contactId: b.id, email: 'b@t.example', status: 'sent' },
      ],
    });
    const list = (await call(url, 'GET', '/v1/broadcasts', { token: t.token })).body as Page<Broadcast>;
    expect(list.total).toBe(2);
    expect(list.items.map((x) => x.id)).toEqual([everyone.id, (some.body as Broadcast).id]);
    expect(list.items[0]).not.toHaveProperty('deliveries');

    const theirs = (await call(url, 'GET', '/v1/broadcasts', { token: other.token })).body as Page<Broadcast>;
    expect(theirs.total).toBe(0);
    const peek = await call(url, 'GET', `/v1/broadcasts/${everyone.id}`, { token: other.token });
    expect(peek.status).toBe(404);
    expect(peek.text).toBe('{"message":"Broadcast not found"}');
  });
});

describe('Orgcast: invites and stats', () => {
  it('creates, lists and revokes invites, and counts per organisation', async () => {
    const url = await start();
    const t = await register(url);
    const other = await register(url);
    const res = await call(url, 'POST', '/v1/invites', {
      token: t.token,
      body: { email: 'New@Hire.example', role: 'admin' },
    });
    expect(res.status).toBe(201);
    const invite = res.body as Invite;
    expect(invite).toEqual({
      id: expect.stringMatching(ID('inv')),
      email: 'new@hire.example',
      role: 'admin',
      status: 'pending',
      organisationId: t.orgId,
      createdAt: expect.stringMatching(ISO),
    });
    const bad = await call(url, 'POST', '/v1/invites', {
      token: t.token,
      body: { email: 'x@y.example', role: 'owner' },
    });
    expect(bad.status).toBe(400);
    const second = (
      await call(url, 'POST', '/v1/invites', { token: t.token, body: { email: 'b@c.example', role: 'member' } })
    ).body as Invite;
    await createContact(url, t);
    await call(url, 'POST', '/v1/broadcasts', { token: t.token, body: { subject: 's', body: 'b' } });

    const foreignRevoke = await call(url, 'POST', `/v1/invites/${invite.id}/revoke`, { token: other.token });
    expect(foreignRevoke.status).toBe(404);
    expect(foreignRevoke.text).toBe('{"message":"Invite not found"}');
    const missingRevoke = await call(url, 'POST', '/v1/invites/inv_00000000000000000000000000/revoke', {
      token: other.token,
    });
    expect(missingRevoke.text).toBe(foreignRevoke.text);

    expect((await call(url, 'GET', '/v1/stats', { token: t.token })).body).toEqual({
      contacts: 1,
      broadcasts: 1,
      pendingInvites: 2,
    });
    const revoked = await call(url, 'POST', `/v1/invites/${second.id}/revoke`, { token: t.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ ...second, status: 'revoked' });
    const list = (await call(url, 'GET', '/v1/invites', { token: t.token })).body as Page<Invite>;
    expect(list).toEqual({ items: [invite, { ...second, status: 'revoked' }], page: 1, pageSize: 25, total: 2 });
    expect(((await call(url, 'GET', '/v1/stats', { token: t.token })).body as Json).pendingInvites).toBe(1);
    expect((await call(url, 'GET', '/v1/stats', { token: other.token })).body).toEqual({
      contacts: 0,
      broadcasts: 0,
      pendingInvites: 0,
    });
    expect(((await call(url, 'GET', '/v1/invites', { token: other.token })).body as Page<Invite>).total).toBe(0);
  });
});

describe('Orgcast: validation and limits', () => {
  it('answers 400 for malformed JSON, 413 for a body over 1 MB, 404 for an unknown route', async () => {
    const url = await start();
    const t = await register(url);
    const malformed = await call(url, 'POST', '/v1/contacts', { token: t.token, raw: '{"name": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ message: 'Invalid request', issues: [expect.any(Object)] });
    const array = await call(url, 'POST', '/v1/contacts', { token: t.token, body: [] });
    expect(array.status).toBe(400);
    const big = await call(url, 'POST', '/v1/contacts', {
      token: t.token,
      body: { organisationId: t.orgId, name: 'x'.repeat(1024 * 1024), email: 'big@x.example' },
    });
    expect(big.status).toBe(413);
    expect((await call(url, 'GET', '/v1/nothing-here', { token: t.token })).status).toBe(404);
  });

  it('holds an organisation to its record limit and the server to its organisation limit', async () => {
    const url = await start({ maxRecordsPerOrganisation: 2, maxOrganisations: 2 });
    const t = await register(url);
    await createContact(url, t);
    await call(url, 'POST', '/v1/invites', { token: t.token, body: { email: 'i@x.example', role: 'member' } });
    const full = await call(url, 'POST', '/v1/contacts', {
      token: t.token,
      body: { organisationId: t.orgId, name: 'One Too Many', email: 'x@x.example' },
    });
    expect(full.status).toBe(403);
    const deleted = (await call(url, 'GET', '/v1/contacts', { token: t.token })).body as Page<Contact>;
    expect((await call(url, 'DELETE', `/v1/contacts/${deleted.items[0]!.id}`, { token: t.token })).status).toBe(204);
    await createContact(url, t);

    await register(url);
    const third = await call(url, 'POST', '/v1/auth/register', {
      body: { organisationName: 'Third', email: 'third@x.example', password: 'password3' },
    });
    expect(third.status).toBe(403);
  });
});

describe('Orgcast: the rate limit (one bucket per client IP)', () => {
  it('defaults to 100 requests a minute and says so on every response', async () => {
    const server = await startOrgcast();
    servers.push(server);
    const res = await call(server.url, 'GET', '/v1/stats');
    expect(res.status).toBe(401);
    expect(res.headers.get('ratelimit-limit')).toBe('100');
    expect(res.headers.get('ratelimit-remaining')).toBe('99');
    expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(60);
  });

  it('shares one bucket between tenants and auth routes, answers 429 with Retry-After, resets each window', async () => {
    let now = Date.UTC(2030, 0, 1, 12, 0, 0);
    const url = await start({ rateLimitPerMinute: 5, clock: () => now });
    const a = await register(url); // 1
    const b = await register(url); // 2
    const seen: Reply[] = [];
    seen.push(await call(url, 'GET', '/v1/stats', { token: a.token })); // 3
    seen.push(await call(url, 'GET', '/v1/stats', { token: b.token })); // 4
    seen.push(await call(url, 'GET', '/v1/stats')); // 5: unauthenticated, still counted
    expect(seen.map((r) => r.status)).toEqual([200, 200, 401]);
    expect(seen.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0']);
    for (const r of seen) {
      expect(r.headers.get('ratelimit-limit')).toBe('5');
      expect(r.headers.get('ratelimit-reset')).toBe('60');
      expect(r.headers.get('retry-after')).toBeNull();
    }

    // Over the limit: every client on this IP, whoever it is (X-Forwarded-For is not trusted), and
    // the auth routes too.
    const over = [
      await call(url, 'GET', '/v1/stats', { token: a.token }),
      await call(url, 'GET', '/v1/contacts', { token: b.token, headers: { 'X-Forwarded-For': '203.0.113.7' } }),
      await call(url, 'POST', '/v1/auth/login', { body: { email: a.email, password: a.password } }),
      await call(url, 'POST', '/v1/auth/register', {
        body: { organisationName: 'Late', email: 'late@x.example', password: 'password9' },
      }),
    ];
    for (const r of over) {
      expect(r.status).toBe(429);
      expect(r.text).toBe('{"message":"Too many requests"}');
      expect(r.headers.get('retry-after')).toBe('60');
      expect(r.headers.get('ratelimit-limit')).toBe('5');
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
      expect(r.headers.get('ratelimit-reset')).toBe('60');
    }

    now += 45_000; // the same fixed window: still refused, 15 s to go
    const later = await call(url, 'GET', '/v1/stats', { token: a.token });
    expect(later.status).toBe(429);
    expect(later.headers.get('retry-after')).toBe('15');
    expect(later.headers.get('ratelimit-reset')).toBe('15');

    now += 15_000; // a new window
    const fresh = await call(url, 'GET', '/v1/stats', { token: a.token });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('ratelimit-remaining')).toBe('4');
    expect(fresh.headers.get('ratelimit-reset')).toBe('60');
    expect(fresh.headers.get('retry-after')).toBeNull();
  });

  it('provision.ts waits out a 429 (Retry-After) instead of failing', async () => {
    // A one-second window on a frozen clock: the bucket stays empty until the test moves the
    // clock on, which it does when the 429 goes past; provision.ts then waits its 1 s and retries.
    let now = Date.UTC(2030, 0, 1, 12, 0, 0);
    const url = await start({ rateLimitPerMinute: 2, rateLimitWindowMs: 1000, clock: () => now });
    await call(url, 'GET', '/v1/stats');
    await call(url, 'GET', '/v1/stats');
    const statuses: number[] = [];
    const http = axios.create({ baseURL: url, validateStatus: () => true });
    http.interceptors.response.use((res) => {
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers['retry-after']).toBe('1');
        now += 1000;
      }
      return res;
    });
    const result = await provision(1, {
      label: tenantLabel(1),
      count: 2,
      baseUrl: url,
      http,
      runTag: 'Run-42',
      env: {},
    });
    expect(statuses).toEqual([429, 201]);
    expect(result.label).toBe('tenantproof+run-42-org1@orgcast.example');
    expect(result.id).toMatch(ID('org'));
    expect(result.secrets).toHaveLength(2);
    const token = result.headers.Authorization!.replace(/^Bearer /, '');
    expect(result.secrets).toContain(token);
    expect(claims(token).org_id).toBe(result.id);
    const stats = await call(url, 'GET', '/v1/stats', { headers: result.headers });
    expect(stats.status).toBe(200);
  });
});

describe('Orgcast: the OpenAPI document', () => {
  interface Operation {
    operationId: string;
    security?: unknown[];
    parameters?: { name: string; in: string; required?: boolean }[];
    responses: Record<string, unknown>;
  }
  const spec = parse(readFileSync(path.join(REPO_ROOT, 'examples', 'org-scoped', 'openapi.yaml'), 'utf8')) as {
    openapi: string;
    security: unknown[];
    components: { securitySchemes: Json; schemas: Record<string, { properties?: Record<string, unknown> }> };
    paths: Record<string, Record<string, Operation>>;
  };
  const operations = Object.entries(spec.paths).flatMap(([route, item]) =>
    Object.entries(item).map(([method, op]) => ({ route, method, op })),
  );

  it('is a 3.0.3 document with the generator quirks kept: type "null" and operationIds with spaces', () => {
    expect(spec.openapi).toBe('3.0.3');
    expect(spec.components.schemas.Contact!.properties!.phone).toEqual({
      anyOf: [{ type: 'string' }, { type: 'null' }],
    });
    const ids = operations.map((o) => o.op.operationId);
    expect(ids.filter((id) => id.includes(' ')).sort()).toEqual(['Get contact', 'List contacts', 'List invites']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(readFileSync(path.join(REPO_ROOT, 'examples', 'org-scoped', 'openapi.yaml'), 'utf8')).not.toContain(
      'x-tenantproof',
    );
  });

  it('has global bearer auth, public auth routes, and X-Org-Id on every tenant route', () => {
    expect(spec.security).toEqual([{ bearerAuth: [] }]);
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(operations).toHaveLength(14);
    for (const { route, op } of operations) {
      if (route.startsWith('/v1/auth/')) {
        expect(op.security, route).toEqual([]);
        continue;
      }
      expect(op.security).toBeUndefined();
      const header = op.parameters?.find((p) => p.name === 'X-Org-Id');
      expect(header, `${route} ${op.operationId}`).toMatchObject({ in: 'header', required: false });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The planted bugs: each leaks in a plain two-tenant scenario, and only its own scenario leaks.

/** Does the attacker see or change the victim's data this way? */
type Scenario = (url: string) => Promise<boolean>;

const SCENARIOS: Record<BugName, Scenario> = {
  /** The attacker reads a victim's contact by its id. */
  'find-unscoped': async (url) => {
    const victim = await register(url, 'Victim');
    const attacker = await register(url, 'Attacker');
    const secret = await createContact(url, victim, { name: 'Secret Victim Person', email: 'secret@victim.example' });
    const res = await call(url, 'GET', `/v1/contacts/${secret.id}`, { token: attacker.token });
    if (res.status === 404) return false;
    expect(res.status).toBe(200);
    expect(res.body).toEqual(secret);
    return true;
  },
  /** The attacker names the victim's organisation in X-Org-Id: reads its list, writes into it. */
  'org-header-override': async (url) => {
    const victim = await register(url, 'Victim');
    const attacker = await register(url, 'Attacker');
    const secret = await createContact(url, victim, { name: 'Secret Victim Person', email: 'secret@victim.example' });
    const as = { token: attacker.token, headers: { 'X-Org-Id': victim.orgId } };
    const read = await call(url, 'GET', '/v1/contacts', as);
    const planted = await call(url, 'POST', '/v1/contacts', {
      ...as,
      body: { organisationId: victim.orgId, name: 'Planted By Attacker', email: 'evil@attacker.example' },
    });
    const changed = await call(url, 'PATCH', `/v1/contacts/${secret.id}`, { ...as, body: { name: 'Renamed' } });
    const victimView = (await call(url, 'GET', '/v1/contacts', { token: victim.token })).body as Page<Contact>;
    if (read.status === 403) {
      expect([planted.status, changed.status]).toEqual([403, 403]);
      expect(victimView.items).toEqual([secret]);
      return false;
    }
    expect(read.status).toBe(200);
    expect((read.body as Page<Contact>).items).toContainEqual(secret);
    expect(planted.status).toBe(201);
    expect(changed.status).toBe(200);
    expect(victimView.items.map((c) => c.name).sort()).toEqual(['Planted By Attacker', 'Renamed']);
    return true;
  },
  /** The attacker searches for a word in a victim's contact. */
  'search-unscoped': async (url) => {
    const victim = await register(url, 'Victim');
    const attacker = await register(url, 'Attacker');
    const mine = await createContact(url, attacker, { name: 'Attacker Own', email: 'own@attacker.example' });
    const secret = await createContact(url, victim, { name: 'Secret Victim Person', email: 'secret@victim.example' });
    const res = await call(url, 'GET', '/v1/contacts?search=victim', { token: attacker.token });
    expect(res.status).toBe(200);
    const page = res.body as Page<Contact>;
    if (page.total === 0) {
      expect(page.items).toEqual([]);
      return false;
    }
    expect(page.items).toContainEqual(secret);
    // The or() also matches every contact of the caller's own organisation, search or not.
    expect(page.items).toContainEqual(mine);
    return true;
  },
};

describe('Orgcast: planted bugs', () => {
  const builds: (BugName | undefined)[] = [undefined, ...(Object.keys(BUGS) as BugName[])];
  it.each(builds.map((bug) => [bug ?? 'clean', bug] as const))(
    'the %s build leaks in exactly its own scenario',
    async (_name, bug) => {
      const url = await start(bug ? { bug } : {});
      for (const [scenario, leaks] of Object.entries(SCENARIOS) as [BugName, Scenario][]) {
        expect(await leaks(url), `${scenario} scenario on the ${bug ?? 'clean'} build`).toBe(scenario === bug);
      }
    },
  );

  it('rejects an unknown bug name', async () => {
    await expect(startOrgcast({ bug: 'nope' as BugName })).rejects.toThrow(/unknown bug/);
  });
});
