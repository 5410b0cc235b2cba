/**
 * The Teamboard example API (examples/path-prefix/) as shipped: the real server in this process on
 * loopback, spoken to with plain `fetch`. It tours the routes of the clean build (the organisation
 * in the path, JWT claims, an admin and an invited member), shows each planted bug leaking in its
 * own two-organisation scenario while the clean build does not, and loads provision.ts the way
 * `--provision module:` does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUGS,
  startTeamboard,
  type TeamboardOptions,
  type TeamboardServer,
} from '../../examples/path-prefix/server.ts';
import provision from '../../examples/path-prefix/provision.ts';
import { provisionFromModule } from '../../harness/tenants/module-provisioner.ts';
import { tenantLabel } from '../../harness/tenants/index.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { openApi31Ajv } from '../support/openapi31-ajv.ts';

const ID = (prefix: string): RegExp => new RegExp(`^${prefix}_[0-9a-f]{12}$`);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const servers: TeamboardServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function start(options: TeamboardOptions = {}): Promise<string> {
  const server = await startTeamboard(options);
  servers.push(server);
  return server.url;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

async function call(
  url: string,
  method: string,
  route: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${route}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
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
interface Board {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Card {
  id: string;
  boardId: string;
  title: string;
  description: string | null;
  column: string;
  createdAt: string;
  updatedAt: string;
}
interface Org {
  orgId: string;
  token: string;
  email: string;
  password: string;
}

function claims(token: string): Json {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Json;
}

let serial = 0;
async function signUp(url: string): Promise<Org> {
  const n = ++serial;
  const email = `admin${n}@team${n}.example`;
  const password = `pw-${n}-secret`;
  const res = await call(url, 'POST', '/signup', { body: { orgName: `Team ${n}`, email, password } });
  expect(res.status, res.text).toBe(201);
  const body = res.body as { token: string; org: { id: string } };
  return { orgId: body.org.id, token: body.token, email, password };
}

/** An admin invites `role`, who accepts; returns the new user's token. */
async function invite(url: string, org: Org, role: 'admin' | 'member'): Promise<string> {
  const n = ++serial;
  const inv = await call(url, 'POST', `/orgs/${org.orgId}/invites`, {
    token: org.token,
    body: { email: `${role}${n}@team.example`, role },
  });
  expect(inv.status, inv.text).toBe(201);
  const accept = await call(url, 'POST', '/invites/accept', {
    body: { inviteToken: (inv.body as { inviteToken: string }).inviteToken, password: 'member-secret' },
  });
  expect(accept.status, accept.text).toBe(201);
  return (accept.body as { token: string }).token;
}

async function addBoard(url: string, org: Org, fields: Json = {}, token = org.token): Promise<Board> {
  const res = await call(url, 'POST', `/orgs/${org.orgId}/boards`, { token, body: { name: 'Roadmap', ...fields } });
  expect(res.status, res.text).toBe(201);
  return res.body as Board;
}

async function addCard(url: string, org: Org, board: Board, fields: Json = {}, token = org.token): Promise<Card> {
  const res = await call(url, 'POST', `/orgs/${org.orgId}/boards/${board.id}/cards`, {
    token,
    body: { title: 'Write the docs', ...fields },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as Card;
}

// ---------------------------------------------------------------------------------------------

describe('Teamboard: auth and the organisation in the path', () => {
  it('signs up an organisation and its admin with an HS256 JWT carrying sub, org, role, iat and exp', async () => {
    const url = await start();
    const res = await call(url, 'POST', '/signup', {
      body: { orgName: 'Globex', email: 'Hank@Globex.example', password: 'correct horse' },
    });
    expect(res.status).toBe(201);
    const body = res.body as { token: string; org: Json; user: { id: string } };
    expect(body).toEqual({
      token: expect.any(String),
      org: { id: expect.stringMatching(ID('org')), name: 'Globex' },
      user: { id: expect.stringMatching(ID('usr')), email: 'hank@globex.example', role: 'admin' },
    });
    expect(JSON.parse(Buffer.from(body.token.split('.')[0]!, 'base64url').toString('utf8'))).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
    const c = claims(body.token);
    expect(c).toMatchObject({ sub: body.user.id, org: body.org.id, role: 'admin' });
    expect(Number(c.exp) - Number(c.iat)).toBe(3600);

    const login = await call(url, 'POST', '/login', {
      body: { email: 'hank@globex.example', password: 'correct horse' },
    });
    expect(login.status).toBe(200);
    expect(Object.keys(login.body as Json)).toEqual(['token']);
    const token = (login.body as { token: string }).token;
    expect(claims(token)).toMatchObject({ sub: body.user.id, org: body.org.id, role: 'admin' });
    const stats = await call(url, 'GET', `/orgs/${body.org.id}/stats`, { token });
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({ boards: 0, cards: 0 });
  });

  it('refuses a taken email, a wrong password and bad input', async () => {
    const url = await start();
    const org = await signUp(url);
    const again = await call(url, 'POST', '/signup', {
      body: { orgName: 'Dup', email: org.email.toUpperCase(), password: 'whatever1' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ message: 'Email already registered' });
    const wrong = await call(url, 'POST', '/login', { body: { email: org.email, password: 'nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ message: 'Invalid email or password' });
    const bad = await call(url, 'POST', '/signup', { body: { email: 'nope', password: 'short', plan: 'gold' } });
    expect(bad.status).toBe(400);
    expect((bad.body as Json).message).toBe('Invalid request');
    const issues = (bad.body as { issues: { path: string }[] }).issues.map((i) => i.path).sort();
    expect(issues).toEqual(['email', 'orgName', 'password', 'plan']);
  });

  it('answers 401 without a valid token, and 404 for any organisation but the token’s', async () => {
    const url = await start();
    const a = await signUp(url);
    const b = await signUp(url);
    const [head, body, sig] = a.token.split('.') as [string, string, string];
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims(a.token), org: b.orgId })).toString('base64url')}.${sig}`;
    for (const auth of [
      undefined,
      'Bearer',
      'Bearer x.y.z',
      `Basic ${a.token}`,
      `Bearer ${forged}`,
      `Bearer ${head}.${body}`,
    ]) {
      const res = await call(url, 'GET', `/orgs/${a.orgId}/boards`, auth ? { headers: { authorization: auth } } : {});
      expect(res.status, String(auth)).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized' });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    for (const orgId of [b.orgId, 'org_000000000000', 'nonsense']) {
      for (const [method, route, payload] of [
        ['GET', `/orgs/${orgId}/boards`, undefined],
        ['POST', `/orgs/${orgId}/boards`, { name: 'X' }],
        ['GET', `/orgs/${orgId}/stats`, undefined],
        ['POST', `/orgs/${orgId}/invites`, { email: 'x@x.example', role: 'member' }],
      ] as const) {
        const res = await call(url, method, route, { token: a.token, body: payload });
        expect(res.status, `${method} ${route}`).toBe(404);
        expect(res.text).toBe('{"message":"Organisation not found"}');
      }
    }
    expect((await call(url, 'GET', `/orgs/${b.orgId}/stats`, { token: b.token })).body).toEqual({
      boards: 0,
      cards: 0,
    });
  });
});

describe('Teamboard: boards and cards', () => {
  it('creates, reads, pages, updates and deletes boards and their cards', async () => {
    const url = await start();
    const org = await signUp(url);
    const t = org.token;
    const base = `/orgs/${org.orgId}`;
    const created = await call(url, 'POST', `${base}/boards`, {
      token: t,
      body: { name: 'Roadmap', description: 'What we ship next' },
    });
    expect(created.status).toBe(201);
    const roadmap = created.body as Board;
    expect(roadmap).toEqual({
      id: expect.stringMatching(ID('brd')),
      name: 'Roadmap',
      description: 'What we ship next',
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    const bugs = await addBoard(url, org, { name: 'Bugs' });
    expect(bugs.description).toBeNull();
    expect((await call(url, 'GET', `${base}/boards/${roadmap.id}`, { token: t })).body).toEqual(roadmap);
    expect((await call(url, 'GET', `${base}/boards`, { token: t })).body).toEqual({ data: [roadmap, bugs], total: 2 });
    expect((await call(url, 'GET', `${base}/boards?limit=1&offset=1`, { token: t })).body).toEqual({
      data: [bugs],
      total: 2,
    });
    for (const q of ['limit=0', 'limit=101', 'offset=-1', 'limit=x']) {
      expect((await call(url, 'GET', `${base}/boards?${q}`, { token: t })).status, q).toBe(400);
    }
    const unknownField = await call(url, 'POST', `${base}/boards`, { token: t, body: { name: 'X', orgId: 'org_x' } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body).toEqual({
      message: 'Invalid request',
      issues: [{ path: 'orgId', message: 'Unrecognized key' }],
    });
    const renamed = await call(url, 'PATCH', `${base}/boards/${bugs.id}`, { token: t, body: { name: 'Defects' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: bugs.id, name: 'Defects', description: null });

    const card = await addCard(url, org, roadmap);
    expect(card).toEqual({
      id: expect.stringMatching(ID('crd')),
      boardId: roadmap.id,
      title: 'Write the docs',
      description: null,
      column: 'todo',
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    const doing = await addCard(url, org, roadmap, { title: 'Ship', description: 'v1', column: 'doing' });
    expect((await call(url, 'GET', `${base}/boards/${roadmap.id}/cards`, { token: t })).body).toEqual({
      data: [card, doing],
      total: 2,
    });
    expect((await call(url, 'GET', `${base}/boards/${roadmap.id}/cards/${card.id}`, { token: t })).body).toEqual(card);
    // A card under another board of the same organisation is not found.
    expect((await call(url, 'GET', `${base}/boards/${bugs.id}/cards/${card.id}`, { token: t })).status).toBe(404);
    const moved = await call(url, 'PATCH', `${base}/boards/${roadmap.id}/cards/${card.id}`, {
      token: t,
      body: { column: 'done' },
    });
    expect(moved.body).toMatchObject({ id: card.id, column: 'done', title: 'Write the docs' });
    const badColumn = await call(url, 'PATCH', `${base}/boards/${roadmap.id}/cards/${card.id}`, {
      token: t,
      body: { column: 'archived' },
    });
    expect(badColumn.status).toBe(400);
    expect((await call(url, 'GET', `${base}/stats`, { token: t })).body).toEqual({ boards: 2, cards: 2 });
    const delCard = await call(url, 'DELETE', `${base}/boards/${roadmap.id}/cards/${card.id}`, { token: t });
    expect(delCard.status).toBe(204);
    expect((await call(url, 'GET', `${base}/boards/${roadmap.id}/cards/${card.id}`, { token: t })).status).toBe(404);
    const delBoard = await call(url, 'DELETE', `${base}/boards/${roadmap.id}`, { token: t });
    expect(delBoard.status).toBe(204);
    expect(delBoard.text).toBe('');
    expect((await call(url, 'GET', `${base}/boards/${roadmap.id}`, { token: t })).body).toEqual({
      message: 'Board not found',
    });
    expect((await call(url, 'GET', `${base}/stats`, { token: t })).body).toEqual({ boards: 1, cards: 0 });
  });

  it("answers another organisation's ids, under the caller's own prefix, exactly as missing ones", async () => {
    const url = await start();
    const victim = await signUp(url);
    const attacker = await signUp(url);
    const board = await addBoard(url, victim, { name: 'Victim plans' });
    const card = await addCard(url, victim, board, { title: 'Victim secret card' });
    const own = await addBoard(url, attacker, { name: 'Mine' });
    const base = `/orgs/${attacker.orgId}`;
    const missingBoard = 'brd_000000000000';
    const missingCard = 'crd_000000000000';
    for (const [method, route, body] of [
      ['GET', `${base}/boards/${board.id}`, undefined],
      ['PATCH', `${base}/boards/${board.id}`, { name: 'pwned' }],
      ['DELETE', `${base}/boards/${board.id}`, undefined],
      ['GET', `${base}/boards/${board.id}/cards`, undefined],
      ['POST', `${base}/boards/${board.id}/cards`, { title: 'planted' }],
      ['GET', `${base}/boards/${board.id}/cards/${card.id}`, undefined],
      ['GET', `${base}/boards/${own.id}/cards/${card.id}`, undefined],
      ['PATCH', `${base}/boards/${board.id}/cards/${card.id}`, { title: 'pwned' }],
      ['DELETE', `${base}/boards/${board.id}/cards/${card.id}`, undefined],
    ] as const) {
      const foreign = await call(url, method, route, { token: attacker.token, body });
      const missing = await call(
        url,
        method,
        route.replaceAll(board.id, missingBoard).replaceAll(card.id, missingCard),
        { token: attacker.token, body },
      );
      expect(foreign.status, `${method} ${route}`).toBe(404);
      expect(foreign.text).toBe(missing.text);
    }
    expect((await call(url, 'GET', `${base}/boards`, { token: attacker.token })).body).toEqual({
      data: [own],
      total: 1,
    });
    expect((await call(url, 'GET', `/orgs/${victim.orgId}/stats`, { token: victim.token })).body).toEqual({
      boards: 1,
      cards: 1,
    });
  });
});

describe('Teamboard: several users per organisation', () => {
  it('admins invite admins and members; members work on boards and cards but may not delete a board or invite', async () => {
    const url = await start();
    const org = await signUp(url);
    const inv = await call(url, 'POST', `/orgs/${org.orgId}/invites`, {
      token: org.token,
      body: { email: 'Mia@Team.example', role: 'member' },
    });
    expect(inv.status).toBe(201);
    expect(inv.body).toEqual({
      id: expect.stringMatching(ID('inv')),
      email: 'mia@team.example',
      role: 'member',
      inviteToken: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
    });
    const inviteToken = (inv.body as { inviteToken: string }).inviteToken;
    const accept = await call(url, 'POST', '/invites/accept', { body: { inviteToken, password: 'mia-secret' } });
    expect(accept.status).toBe(201);
    const joined = accept.body as { token: string; user: { id: string } };
    expect(joined.user).toEqual({ id: expect.stringMatching(ID('usr')), email: 'mia@team.example', role: 'member' });
    expect(claims(joined.token)).toMatchObject({ sub: joined.user.id, org: org.orgId, role: 'member' });
    const reused = await call(url, 'POST', '/invites/accept', { body: { inviteToken, password: 'mia-secret' } });
    expect(reused.status).toBe(404);
    expect(reused.body).toEqual({ message: 'Invite not found' });
    const login = await call(url, 'POST', '/login', { body: { email: 'mia@team.example', password: 'mia-secret' } });
    expect(claims((login.body as { token: string }).token)).toMatchObject({ org: org.orgId, role: 'member' });
    const taken = await call(url, 'POST', `/orgs/${org.orgId}/invites`, {
      token: org.token,
      body: { email: 'mia@team.example', role: 'admin' },
    });
    expect(taken.status).toBe(409);
    const badRole = await call(url, 'POST', `/orgs/${org.orgId}/invites`, {
      token: org.token,
      body: { email: 'x@team.example', role: 'owner' },
    });
    expect(badRole.status).toBe(400);

    const memberToken = joined.token;
    const board = await addBoard(url, org, { name: 'Shared' }, memberToken);
    const card = await addCard(url, org, board, { title: 'By a member' }, memberToken);
    expect((await call(url, 'GET', `/orgs/${org.orgId}/boards`, { token: org.token })).body).toEqual({
      data: [board],
      total: 1,
    });
    const patch = await call(url, 'PATCH', `/orgs/${org.orgId}/boards/${board.id}/cards/${card.id}`, {
      token: memberToken,
      body: { column: 'doing' },
    });
    expect(patch.status).toBe(200);
    const memberDelete = await call(url, 'DELETE', `/orgs/${org.orgId}/boards/${board.id}`, { token: memberToken });
    expect(memberDelete.status).toBe(403);
    expect(memberDelete.text).toBe('{"message":"Admins only"}');
    const memberInvite = await call(url, 'POST', `/orgs/${org.orgId}/invites`, {
      token: memberToken,
      body: { email: 'y@team.example', role: 'member' },
    });
    expect(memberInvite.status).toBe(403);
    expect(memberInvite.body).toEqual({ message: 'Admins only' });

    // An invited admin may delete boards.
    const secondAdmin = await invite(url, org, 'admin');
    expect(claims(secondAdmin).role).toBe('admin');
    expect((await call(url, 'DELETE', `/orgs/${org.orgId}/boards/${board.id}`, { token: secondAdmin })).status).toBe(
      204,
    );
    expect((await call(url, 'GET', `/orgs/${org.orgId}/stats`, { token: memberToken })).body).toEqual({
      boards: 0,
      cards: 0,
    });
  });
});

describe('Teamboard: planted bugs', () => {
  it('knows exactly its two bugs and refuses others', async () => {
    expect(Object.keys(BUGS).sort()).toEqual(['card-idor', 'prefix-unchecked']);
    await expect(startTeamboard({ bug: 'nope' as never })).rejects.toThrow(/unknown bug/);
  });

  /** The attacker's own token, the victim's orgId in the path. */
  async function prefixScenario(url: string) {
    const victim = await signUp(url);
    const attacker = await signUp(url);
    const board = await addBoard(url, victim, { name: 'Victim plans', description: 'acquire Initech' });
    const base = `/orgs/${victim.orgId}`;
    const list = await call(url, 'GET', `${base}/boards`, { token: attacker.token });
    const read = await call(url, 'GET', `${base}/boards/${board.id}`, { token: attacker.token });
    const patch = await call(url, 'PATCH', `${base}/boards/${board.id}`, {
      token: attacker.token,
      body: { name: 'pwned' },
    });
    const create = await call(url, 'POST', `${base}/boards`, { token: attacker.token, body: { name: 'Planted' } });
    const victimView = await call(url, 'GET', `${base}/boards`, { token: victim.token });
    return { list, read, patch, create, victimView };
  }

  it('prefix-unchecked: any token reads and writes the organisation named in the path', async () => {
    const leak = await prefixScenario(await start({ bug: 'prefix-unchecked' }));
    expect(leak.list.status).toBe(200);
    expect(leak.list.text).toContain('acquire Initech');
    expect((leak.read.body as Board).description).toBe('acquire Initech');
    expect(leak.patch.status).toBe(200);
    expect(leak.create.status).toBe(201);
    expect((leak.victimView.body as { data: Board[] }).data.map((b) => b.name)).toEqual(['pwned', 'Planted']);

    const clean = await prefixScenario(await start());
    for (const r of [clean.list, clean.read, clean.patch, clean.create]) {
      expect(r.status).toBe(404);
      expect(r.text).toBe('{"message":"Organisation not found"}');
    }
    expect((clean.victimView.body as { data: Board[] }).data.map((b) => b.name)).toEqual(['Victim plans']);
  });

  /** The attacker reads the victim's card id under its own organisation and board. */
  async function cardScenario(url: string): Promise<Reply> {
    const victim = await signUp(url);
    const attacker = await signUp(url);
    const board = await addBoard(url, victim);
    const card = await addCard(url, victim, board, { title: 'Victim salary review', description: 'confidential' });
    const own = await addBoard(url, attacker);
    return call(url, 'GET', `/orgs/${attacker.orgId}/boards/${own.id}/cards/${card.id}`, { token: attacker.token });
  }

  it('card-idor: a card id alone reads another organisation’s card', async () => {
    const leak = await cardScenario(await start({ bug: 'card-idor' }));
    expect(leak.status).toBe(200);
    expect(leak.body).toMatchObject({ title: 'Victim salary review', description: 'confidential' });
    const clean = await cardScenario(await start());
    expect(clean.status).toBe(404);
    expect(clean.text).toBe('{"message":"Card not found"}');
    expect((await cardScenario(await start({ bug: 'prefix-unchecked' }))).status).toBe(404);
  });
});

describe('Teamboard: provision.ts', () => {
  it('loads through provisionFromModule; each tenant’s token opens its own orgId and no other', async () => {
    const url = await start();
    const tenants = await provisionFromModule(path.join(REPO_ROOT, 'examples', 'path-prefix', 'provision.ts'), {
      count: 2,
      baseUrl: url,
      runTag: 'Ab12Cd',
      env: {},
    });
    expect(tenants.map((t) => t.label)).toEqual(['T1', 'T2']);
    for (const [index, t] of tenants.entries()) {
      expect(t.name).toBe(`tenantproof+ab12cd-org${index + 1}@teamboard.example`);
      expect(t.id).toMatch(ID('org'));
      expect(Object.keys(t.headers)).toEqual(['Authorization']);
      const token = t.headers.Authorization!.replace(/^Bearer /, '');
      expect(claims(token)).toMatchObject({ org: t.id, role: 'admin' });
      expect(t.secrets).toContain(token);
      expect(t.selectors).toEqual({ 'path:orgId': t.id });
      expect(t.role).toBe('admin');
      expect(t.users?.map((u) => u.role)).toEqual(['member']);
      const own = await call(url, 'GET', `/orgs/${t.id}/boards`, { headers: t.headers });
      expect(own.status).toBe(200);
    }
    const [t1, t2] = tenants;
    expect(t1!.id).not.toBe(t2!.id);
    const cross = await call(url, 'GET', `/orgs/${t2!.id}/boards`, { headers: t1!.headers });
    expect(cross.status).toBe(404);
  });

  it('returns the orgId selector and a member of the same organisation, and survives the same tag twice', async () => {
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
    expect(first.selectors).toEqual({ 'path:orgId': first.id });
    expect(first.role).toBe('admin');
    expect(first.users).toHaveLength(1);
    const member = first.users[0]!;
    expect(member.role).toBe('member');
    expect(member.label).toBe('tenantproof+again-org1-member@teamboard.example');
    const memberToken = member.headers.Authorization!.replace(/^Bearer /, '');
    expect(member.secrets).toContain(memberToken);
    expect(claims(memberToken)).toMatchObject({ org: first.id, role: 'member' });
    const board = await addBoard(url, { orgId: first.id!, token: memberToken, email: '', password: '' });
    const del = await call(url, 'DELETE', `/orgs/${first.id}/boards/${board.id}`, { headers: member.headers });
    expect(del.status).toBe(403);
    const adminDel = await call(url, 'DELETE', `/orgs/${first.id}/boards/${board.id}`, { headers: first.headers });
    expect(adminDel.status).toBe(204);

    const second = await provision(1, ctx);
    expect(second.id).toBe(first.id);
    expect(claims(second.users[0]!.headers.Authorization!.replace(/^Bearer /, ''))).toMatchObject({
      org: first.id,
      role: 'member',
    });
  });
});

describe('Teamboard: the OpenAPI document', () => {
  interface Operation {
    operationId: string;
    security?: unknown[];
    parameters?: { $ref?: string }[];
    requestBody?: { content: Record<string, { schema: unknown }> };
    responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
  }
  interface Spec {
    openapi: string;
    security: unknown[];
    paths: Record<string, Record<string, Operation> & { parameters?: { $ref: string }[] }>;
    components: {
      securitySchemes: unknown;
      parameters: Record<string, unknown>;
      responses: Record<string, Operation['responses'][string]>;
    };
  }
  const file = path.join(REPO_ROOT, 'examples', 'path-prefix', 'openapi.yaml');
  const text = readFileSync(file, 'utf8');
  const spec = parse(text) as Spec;
  const operations = Object.entries(spec.paths).flatMap(([route, item]) =>
    Object.entries(item)
      .filter(([method]) => method !== 'parameters')
      .map(([method, op]) => ({ route, method: method.toUpperCase(), op: op as Operation })),
  );

  it('is plain OpenAPI 3.1: bearer JWT security, public auth routes, orgId in every tenant path, no extensions', () => {
    expect(spec.openapi).toBe('3.1.0');
    expect(text).not.toMatch(/x-tenantproof/i);
    expect(spec.components.securitySchemes).toMatchObject({
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
    expect(spec.security).toEqual([{ bearerAuth: [] }]);
    expect(spec.components.parameters.OrgId).toMatchObject({
      name: 'orgId',
      in: 'path',
      required: true,
      description: "the organisation's id (from sign-up)",
    });
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(15);
    expect(operations.filter((o) => o.op.security !== undefined).map((o) => [o.op.operationId, o.op.security])).toEqual(
      [
        ['signUp', []],
        ['logIn', []],
        ['acceptInvite', []],
      ],
    );
    for (const { route, method, op } of operations) {
      if (op.security === undefined) {
        expect(route.startsWith('/orgs/{orgId}/'), route).toBe(true);
        expect(spec.paths[route]!.parameters?.[0]).toEqual({ $ref: '#/components/parameters/OrgId' });
      }
      if (method === 'POST' || method === 'PATCH')
        expect(op.requestBody?.content['application/json']?.schema, op.operationId).toBeDefined();
      const ok = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(ok, op.operationId).toHaveLength(1);
      if (ok[0] !== '204')
        expect(op.responses[ok[0]!]!.content?.['application/json']?.schema, op.operationId).toBeDefined();
    }
  });

  it('documents what the server answers: each operation once, each response valid against its schema', async () => {
    const ajv = openApi31Ajv(spec as object, 'teamboard');
    // The validator bites: a card without its fields, or with a foreign id shape, is not a Card.
    const cardSchema = ajv.compile({ $ref: 'teamboard#/components/schemas/Card' });
    expect(cardSchema({})).toBe(false);
    expect(
      cardSchema({
        id: 'brd_000000000000',
        boardId: 'brd_000000000000',
        title: 't',
        description: null,
        column: 'todo',
        createdAt: '2030-01-01T00:00:00.000Z',
        updatedAt: '2030-01-01T00:00:00.000Z',
      }),
    ).toBe(false);
    const check = (operationId: string, res: Reply, status: number): void => {
      expect(res.status, `${operationId}: ${res.text}`).toBe(status);
      const op = operations.find((o) => o.op.operationId === operationId)!.op;
      let response = op.responses[String(status)];
      expect(response, `${operationId} documents ${status}`).toBeDefined();
      if (status === 204) return expect(res.text).toBe('');
      if (response!.$ref) response = spec.components.responses[response!.$ref.split('/').pop()!];
      const schema = response!.content!['application/json']!.schema as { $ref?: string };
      const validate = ajv.compile(schema.$ref ? { $ref: `teamboard${schema.$ref}` } : schema);
      expect(validate(res.body), `${operationId} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    };

    const url = await start();
    const creds = { email: 'spec@check.example', password: 'spec-secret' };
    const signup = await call(url, 'POST', '/signup', { body: { orgName: 'Spec', ...creds } });
    check('signUp', signup, 201);
    check('signUp', await call(url, 'POST', '/signup', { body: { orgName: 'Spec', ...creds } }), 409);
    check('signUp', await call(url, 'POST', '/signup', { body: {} }), 400);
    check('logIn', await call(url, 'POST', '/login', { body: creds }), 200);
    check('logIn', await call(url, 'POST', '/login', { body: { ...creds, password: 'wrong' } }), 401);
    const token = (signup.body as { token: string }).token;
    const base = `/orgs/${(signup.body as { org: { id: string } }).org.id}`;

    const inv = await call(url, 'POST', `${base}/invites`, {
      token,
      body: { email: 'm@spec.example', role: 'member' },
    });
    check('createInvite', inv, 201);
    const accept = await call(url, 'POST', '/invites/accept', {
      body: { inviteToken: (inv.body as { inviteToken: string }).inviteToken, password: 'member-secret' },
    });
    check('acceptInvite', accept, 201);
    check(
      'acceptInvite',
      await call(url, 'POST', '/invites/accept', { body: { inviteToken: 'x', password: 'member-secret' } }),
      404,
    );
    const member = (accept.body as { token: string }).token;
    check('createInvite', await call(url, 'POST', `${base}/invites`, { token: member, body: {} }), 403);

    check('listBoards', await call(url, 'GET', `${base}/boards`), 401);
    check('listBoards', await call(url, 'GET', '/orgs/org_000000000000/boards', { token }), 404);
    const created = await call(url, 'POST', `${base}/boards`, { token, body: { name: 'Spec', description: null } });
    check('createBoard', created, 201);
    check('createBoard', await call(url, 'POST', `${base}/boards`, { token, body: { name: 1 } }), 400);
    const board = created.body as Board;
    check('listBoards', await call(url, 'GET', `${base}/boards?limit=5&offset=0`, { token }), 200);
    check('getBoard', await call(url, 'GET', `${base}/boards/${board.id}`, { token }), 200);
    check('getBoard', await call(url, 'GET', `${base}/boards/brd_000000000000`, { token }), 404);
    check('updateBoard', await call(url, 'PATCH', `${base}/boards/${board.id}`, { token, body: { name: 'S' } }), 200);
    const card = await call(url, 'POST', `${base}/boards/${board.id}/cards`, {
      token,
      body: { title: 'C', column: 'done' },
    });
    check('createCard', card, 201);
    const cardId = (card.body as Card).id;
    check('listCards', await call(url, 'GET', `${base}/boards/${board.id}/cards`, { token }), 200);
    check('getCard', await call(url, 'GET', `${base}/boards/${board.id}/cards/${cardId}`, { token }), 200);
    check(
      'updateCard',
      await call(url, 'PATCH', `${base}/boards/${board.id}/cards/${cardId}`, { token, body: { description: 'd' } }),
      200,
    );
    check('getOrgStats', await call(url, 'GET', `${base}/stats`, { token }), 200);
    check('deleteCard', await call(url, 'DELETE', `${base}/boards/${board.id}/cards/${cardId}`, { token }), 204);
    check('deleteBoard', await call(url, 'DELETE', `${base}/boards/${board.id}`, { token: member }), 403);
    check('deleteBoard', await call(url, 'DELETE', `${base}/boards/${board.id}`, { token }), 204);
  });
});
