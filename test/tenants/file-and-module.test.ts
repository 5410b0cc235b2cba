/** `file:` and `module:` provisioning: they load good input and fail clearly on bad input. */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allSecrets,
  parseProvisionerSpec,
  ProvisioningError,
  provisionTenants,
  redactHeaders,
  redactText,
  REDACTED,
} from '../../harness/tenants/index.ts';
import { PROVISION_FIXTURES, REPO_ROOT } from '../support/paths.ts';

const P = PROVISION_FIXTURES;
const fixture = (name: string) => resolve(P, name);

async function expectProvisioningError(
  promise: Promise<unknown>,
  kind: 'config' | 'target',
  message: RegExp,
): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProvisioningError);
  expect((err as ProvisioningError).kind).toBe(kind);
  expect((err as Error).message).toMatch(message);
}

describe('file: provisioning', () => {
  it('loads every tenant in the file by default, with labels T1..Tn and secrets marked', async () => {
    const tenants = await provisionTenants(`file:${fixture('two-tenants.json')}`);
    expect(tenants.map((t) => [t.label, t.id])).toEqual([
      ['T1', 'acme'],
      ['T2', 'globex'],
      ['T3', 'T3'],
    ]);
    expect(tenants[1]!.name).toBe('Globex');
    expect(tenants[2]!.headers).toEqual({ Authorization: 'Bearer key-initech-0003', 'X-Workspace': 'initech' });
    expect(tenants[0]!.secrets).toEqual(['Bearer key-acme-0001']);
    const json = JSON.stringify(tenants);
    expect(json).not.toContain('key-acme');
    expect(json).toContain(REDACTED);
  });

  it('takes the first N when a count is given, and resolves paths from cwd', async () => {
    const tenants = await provisionTenants('file:two-tenants.json', { count: 2, cwd: P });
    expect(tenants.map((t) => t.id)).toEqual(['acme', 'globex']);
  });

  it('reads YAML and fills ${VAR} from the environment', async () => {
    const tenants = await provisionTenants(`file:${fixture('env-tenants.yaml')}`, {
      env: { TP_TEST_KEY_ONE: 'secret-one-1234', TP_TEST_KEY_TWO: 'secret-two-5678' },
    });
    expect(tenants.map((t) => t.headers['X-Api-Key'])).toEqual(['secret-one-1234', 'secret-two-5678']);
  });

  const bad: [string, string, Record<string, string>, number | undefined, RegExp][] = [
    ['a missing file', 'nope.json', {}, undefined, /nope\.json: cannot read the credentials file \(no such file\)/],
    ['bad JSON', 'broken.json', {}, undefined, /broken\.json: not valid JSON/],
    ['fewer than 2 tenants', 'one-tenant.json', {}, undefined, /at least 2 tenants, the file has 1/],
    ['a tenant without headers', 'missing-headers.json', {}, undefined, /tenants\[1\]\.headers: /],
    ['identical credentials', 'identical.json', {}, undefined, /tenants T1 and T2 have identical headers/],
    [
      'an unset environment variable',
      'env-tenants.yaml',
      {},
      undefined,
      /tenants\[0\]\.headers\.X-Api-Key uses \$\{TP_TEST_KEY_ONE\}, which is not set/,
    ],
    ['more tenants than the file has', 'two-tenants.json', {}, 5, /5 tenants requested, the file has 3/],
  ];
  it.each(bad)('fails clearly on %s', async (_name, file, env, count, message) => {
    await expectProvisioningError(
      provisionTenants(`file:${fixture(file)}`, { env, ...(count ? { count } : {}) }),
      'config',
      message,
    );
  });

  it('refuses a run of fewer than 2 tenants whatever the source', async () => {
    await expectProvisioningError(
      provisionTenants(`file:${fixture('two-tenants.json')}`, { count: 1 }),
      'config',
      /at least 2 tenants \(got 1\)/,
    );
  });

  it('rejects an unknown provisioning kind', () => {
    expect(() => parseProvisionerSpec('ldap:foo')).toThrow(
      /unknown provisioning "ldap:foo"; use crm-admin, file:PATH or module:PATH/,
    );
  });
});

describe('module: provisioning', () => {
  it('calls a TypeScript default export for tenants 1..N (default 4)', async () => {
    const tenants = await provisionTenants(`module:${fixture('good-module.ts')}`, { runTag: 'rt1' });
    expect(tenants.map((t) => [t.label, t.id, t.headers.Authorization])).toEqual(
      [1, 2, 3, 4].map((i) => [`T${i}`, `user-${i}`, `Bearer module-key-rt1-${i}`]),
    );
    expect(tenants[0]!.name).toBe('user 1 of 4');
  });

  it("carries selectors, the role and more users of a tenant; selectors are not secrets, users' headers are", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-selectors-'));
    const file = join(dir, 'selectors.ts');
    writeFileSync(
      file,
      [
        'export default (i: number) => ({',
        '  headers: { Cookie: `sid=admin-${i}` },',
        '  id: `ws_${i}`,',
        "  selectors: { 'header:Host': `t${i}.example.test`, 'path:slug': `ws-${i}` },",
        "  role: 'admin',",
        "  users: [{ role: 'member', headers: { Cookie: `sid=member-${i}` }, secrets: [`pw-${i}`] }],",
        '});',
      ].join('\n'),
    );
    const [t1] = await provisionTenants(`module:${file}`, { count: 2 });
    expect(t1!.selectors).toEqual({ 'header:Host': 't1.example.test', 'path:slug': 'ws-1' });
    expect(t1!.role).toBe('admin');
    expect(t1!.users).toEqual([{ role: 'member', headers: { Cookie: 'sid=member-1' } }]);
    expect([...t1!.secrets].sort()).toEqual(['pw-1', 'sid=admin-1', 'sid=member-1']);
    expect(JSON.stringify(t1)).not.toContain('sid=');
    expect(JSON.parse(JSON.stringify(t1)).selectors).toEqual(t1!.selectors);

    const bad = join(dir, 'bad-selector.ts');
    writeFileSync(bad, "export default (i: number) => ({ headers: { 'X-Key': `k${i}` }, selectors: { Host: 'x' } });");
    await expect(provisionTenants(`module:${bad}`, { count: 2 })).rejects.toThrow(/header:NAME or path:NAME/);
  });

  it('tells tenants apart by their selectors too (one shared key, one subdomain each)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-selectors-'));
    const file = join(dir, 'shared-key.ts');
    writeFileSync(
      file,
      "export default (i: number) => ({ headers: { 'X-Key': 'shared' }, selectors: { 'header:Host': `t${i}.example.test` } });",
    );
    const tenants = await provisionTenants(`module:${file}`, { count: 2 });
    expect(tenants.map((t) => t.selectors?.['header:Host'])).toEqual(['t1.example.test', 't2.example.test']);
  });

  it('calls a named `provision` export of a JavaScript module', async () => {
    const tenants = await provisionTenants(`module:${fixture('named-module.mjs')}`, { count: 2 });
    expect(tenants.map((t) => t.headers)).toEqual([
      { 'X-Api-Key': 'named-js-key-1' },
      { 'X-Api-Key': 'named-js-key-2' },
    ]);
  });

  it('loads .ts and .js modules (with relative imports) inside a CommonJS package', async () => {
    // A project whose package.json says "commonjs" (the default for most Node projects): a plain
    // import() there refuses ESM syntax in a .js file, and TypeScript ESM in a cycle.
    const dir = mkdtempSync(join(tmpdir(), 'tp-cjs-project-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'their-app', type: 'commonjs' }));
    writeFileSync(join(dir, 'keys.ts'), 'export const keyFor = (i: number): string => `cjs-key-${i}`;\n');
    writeFileSync(
      join(dir, 'provision.ts'),
      "import { keyFor } from './keys.ts';\nexport default async function (i: number) {\n  return { headers: { 'X-Api-Key': keyFor(i) }, id: `org-${i}` };\n}\n",
    );
    writeFileSync(
      join(dir, 'provision-plain.js'),
      "export async function provision(i) {\n  return { headers: { 'X-Api-Key': `cjs-js-${i}` } };\n}\n",
    );
    // In a child process loaded as the CLI loads it: vitest's own loader would hide the problem.
    const load = (file: string) =>
      JSON.parse(
        execFileSync(process.execPath, [fixture('provision-like-the-cli.mjs'), join(dir, file)], {
          cwd: dir,
          encoding: 'utf8',
        }),
      ) as { id?: string; headers: Record<string, string> }[];
    expect(load('provision.ts')).toEqual([
      { id: 'org-1', headers: { 'X-Api-Key': 'cjs-key-1' } },
      { id: 'org-2', headers: { 'X-Api-Key': 'cjs-key-2' } },
    ]);
    expect(load('provision-plain.js').map((t) => t.headers['X-Api-Key'])).toEqual(['cjs-js-1', 'cjs-js-2']);
  });

  const bad: [string, string, 'config' | 'target', RegExp][] = [
    ['a missing file', 'nope.ts', 'config', /nope\.ts: no such file/],
    [
      'a module without a function',
      'no-export-module.ts',
      'config',
      /exports neither a default function nor a function named `provision`/,
    ],
    ['a function that throws', 'throwing-module.ts', 'target', /provision\(1\) threw: login for tenant 1 refused/],
    [
      'a bad return shape',
      'bad-shape-module.ts',
      'config',
      /provision\(1\) returned a bad value: headers: .*expected \{ headers/,
    ],
    ['a module that does not parse', 'syntax-error-module.mjs', 'config', /cannot load the module/],
  ];
  it.each(bad)('fails clearly on %s', async (_name, file, kind, message) => {
    await expectProvisioningError(provisionTenants(`module:${fixture(file)}`, { count: 2 }), kind, message);
  });
});

describe('the JWT login example (examples/provision/jwt-login.ts)', () => {
  const SECRET = 'test-signing-secret';
  const users = new Map<string, { username: string; password: string }>();
  let server: Server;
  let baseUrl: string;

  const sign = (claims: object): string => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const body = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
    return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(text || '{}') as { user?: { username?: string; email?: string; password?: string } };
        const reply = (status: number, data: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(data));
        };
        const u = body.user ?? {};
        if (req.url === '/api/users' && req.method === 'POST') {
          if (users.has(u.email!)) return reply(422, { errors: { email: ['has already been taken'] } });
          users.set(u.email!, { username: u.username!, password: u.password! });
          return reply(201, { user: { email: u.email, username: u.username } });
        }
        if (req.url === '/api/users/login' && req.method === 'POST') {
          const found = users.get(u.email!);
          if (!found || found.password !== u.password) return reply(401, {});
          return reply(200, {
            user: {
              email: u.email,
              username: found.username,
              token: sign({ sub: `uid-${found.username}`, username: found.username }),
            },
          });
        }
        reply(404, {});
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('signs up and logs in each tenant, and returns its JWT as a secret header', async () => {
    const options = { count: 3, baseUrl, runTag: 'jwtdemo', cwd: REPO_ROOT, env: {} };
    const tenants = await provisionTenants('module:examples/provision/jwt-login.ts', options);
    expect(tenants.map((t) => t.id)).toEqual([1, 2, 3].map((i) => `uid-tenantproof-jwtdemo-t${i}`));
    for (const t of tenants) {
      const token = t.headers.Authorization!.replace(/^Token /, '');
      const [h, p, sig] = token.split('.');
      expect(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')).toBe(sig);
      expect(t.secrets).toContain(token);
    }
    // A second run with the same tag finds the users already there and still logs in.
    const again = await provisionTenants('module:examples/provision/jwt-login.ts', options);
    expect(again.map((t) => t.id)).toEqual(tenants.map((t) => t.id));
  });
});

describe('redaction helpers', () => {
  it('redact every tenant secret from text and headers', async () => {
    const tenants = await provisionTenants(`file:${fixture('two-tenants.json')}`);
    const secrets = allSecrets(tenants);
    const text = `sent Authorization: ${tenants[0]!.headers.Authorization} and ${tenants[1]!.headers.Authorization}`;
    expect(redactText(text, secrets)).toBe(`sent Authorization: ${REDACTED} and ${REDACTED}`);
    // Every header value a provider returns is a secret (here also T3's X-Workspace).
    expect(
      redactHeaders(
        {
          authorization: 'anything',
          'x-workspace': 'initech',
          'x-other': 'Bearer key-acme-0001',
          accept: 'application/json',
        },
        secrets,
      ),
    ).toEqual({
      authorization: REDACTED,
      'x-workspace': REDACTED,
      'x-other': REDACTED,
      accept: 'application/json',
    });
  });
});
