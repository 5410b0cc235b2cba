/**
 * `tenantproof init` end to end: against each example API running in-process, `init --yes` writes
 * files that then provision two working tenants. Servers are shared within the file.
 */
import { startCrm } from '../../crm/server.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeskly } from '../../examples/framework-style/server.ts';
import { startOrgcast } from '../../examples/org-scoped/server.ts';
import { startTeamboard } from '../../examples/path-prefix/server.ts';
import { startBookly } from '../../examples/subdomain/server.ts';
import { startThirdParty } from '../../examples/third-party/server.ts';
import { provisionTenants } from '../tenants/provision-tenants.ts';
import type { TenantCredentials } from '../tenants/tenant-credentials.ts';
import { main } from './init.ts';

const root = mkdtempSync(join(tmpdir(), 'tp-init-cli-'));
let n = 0;
const freshDir = (): string => join(root, `d${++n}`);

interface Run {
  code: number;
  out: string;
  err: string;
}
async function init(argv: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    interactive: false,
    env,
  });
  return { code, out, err };
}

/** Serves `spec` at /api-json and passes everything else (Host header included) to `upstream`. */
function specFront(spec: string, upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const up = new URL(upstream);
  const server: Server = createServer((req, res) => {
    if (req.url === '/api-json') {
      res.writeHead(200, { 'content-type': 'application/yaml' }).end(spec);
      return;
    }
    const forward = request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

const servers: { close(): Promise<void> }[] = [];
let tracklet: string;
let trackletFront: string;
let deskly: string;
let orgcast: string;
let bookly: string;
let teamboard: string;
beforeAll(async () => {
  const t = await startThirdParty();
  const front = await specFront(readFileSync('examples/third-party/openapi.yaml', 'utf8'), t.url);
  const d = await startDeskly();
  const o = await startOrgcast({ rateLimitPerMinute: 1_000_000 });
  const b = await startBookly();
  const p = await startTeamboard();
  servers.push(front, t, d, o, b, p);
  [tracklet, trackletFront, deskly, orgcast, bookly, teamboard] = [t.url, front.url, d.url, o.url, b.url, p.url];
});
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(root, { recursive: true, force: true });
});

/** Loads the written module as `run` would and provisions two tenants. */
async function provisionTwo(dir: string, target: string): Promise<TenantCredentials[]> {
  return provisionTenants('module:./provision-tenants.ts', { count: 2, baseUrl: target, cwd: dir });
}

/** GET `path` as a tenant, with its selectors applied. */
async function getAs(target: string, t: TenantCredentials, path: string): Promise<number> {
  const headers: Record<string, string> = { ...t.headers };
  let url = path;
  for (const [key, value] of Object.entries(t.selectors ?? {})) {
    const [where, name] = key.split(/:(.*)/) as [string, string];
    if (where === 'header') headers[name] = value;
    else url = url.replace(`{${name}}`, value);
  }
  const res = await axios.get(target + url, { headers, validateStatus: () => true });
  return res.status;
}

describe('tenantproof init --yes against the example APIs', () => {
  it('Tracklet: finds the spec at /api-json, saves it, and writes files that provision two tenants', async () => {
    const dir = freshDir();
    const run = await init(['--target', trackletFront, '--yes', '--dir', dir]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain(`spec: fetched from ${trackletFront}/api-json (after 1 endpoint(s) without one)`);
    expect(run.out).toContain('sign-up: POST /signup (public, body orgName/email/password');
    expect(run.out).toMatch(/ok {3}POST \/projects created project \d+/);
    expect(run.out).toContain('Smoke check passed.');
    expect(run.out).toMatch(/tenantproof doctor[\s\S]*tenantproof run/);
    expect(readFileSync(join(dir, 'openapi.yaml'), 'utf8')).toBe(
      readFileSync('examples/third-party/openapi.yaml', 'utf8'),
    );
    const config = readFileSync(join(dir, 'tenantproof.config.ts'), 'utf8');
    expect(config).toContain("import type { UserConfig } from 'tenantproof';");
    expect(config).toContain("spec: './openapi.yaml',");
    expect(config).toContain(`target: '${trackletFront}',`);
    expect(config).toContain("provision: 'module:./provision-tenants.ts',");
    expect(config).toContain("overlay: './tenantproof.overlay.yaml',");
    expect(config).toContain(`fetched from ${trackletFront}/api-json`);
    expect(readFileSync(join(dir, 'tenantproof.overlay.yaml'), 'utf8')).toMatch(/overlay: 1\.0\.0[\s\S]*actions: \[\]/);
    const [t1, t2] = await provisionTwo(dir, tracklet);
    expect(t1!.id).not.toBe(t2!.id);
    expect(t1!.headers.Authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await getAs(tracklet, t1!, '/projects')).toBe(200);
  });

  it('Deskly: no response schemas, so the module reads the token from the real sign-up answer', async () => {
    const dir = freshDir();
    const spec = resolve('examples/framework-style/openapi.json');
    const run = await init(['--spec', spec, '--target', deskly, '--yes', '--dir', dir]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('response not documented: the module reads the real one');
    const config = readFileSync(join(dir, 'tenantproof.config.ts'), 'utf8');
    expect(config).toContain("tenantFields: ['body:organisationId'],");
    const [t1, t2] = await provisionTwo(dir, deskly);
    expect(t1!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(t1!.id).not.toBe(t2!.id);
    expect(await getAs(deskly, t2!, '/tickets')).toBe(200);
  });

  it('Orgcast: a gentler rate in the config, and the body tenant field filled with the own tenant', async () => {
    const dir = freshDir();
    const run = await init([
      '--spec',
      resolve('examples/org-scoped/openapi.yaml'),
      '--target',
      orgcast,
      '--yes',
      '--dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/ok {3}POST \/v1\/contacts created contact con_/);
    const config = readFileSync(join(dir, 'tenantproof.config.ts'), 'utf8');
    expect(config).toContain("maxRps: '90/m',");
    expect(config).toContain("requestTimeout: '30s',");
    const [t1] = await provisionTwo(dir, orgcast);
    expect(t1!.id).toMatch(/^org_/);
    expect(await getAs(orgcast, t1!, '/v1/contacts')).toBe(200);
  });

  it('Bookly: tenant by subdomain; login on the workspace host sets a cookie; Host is a selector', async () => {
    const dir = freshDir();
    const run = await init([
      '--spec',
      resolve('examples/subdomain/openapi.yaml'),
      '--target',
      bookly,
      '--yes',
      '--dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('tenant: by subdomain');
    const [t1, t2] = await provisionTwo(dir, bookly);
    expect(t1!.headers.Cookie).toMatch(/^bookly_session=/);
    expect(t1!.selectors?.['header:Host']).toMatch(/^tp-[a-z0-9-]+-1\.bookly\.test$/);
    expect(await getAs(bookly, t1!, '/clients')).toBe(200);
    // T1's cookie on T2's host is refused: the selector matters.
    expect(await getAs(bookly, { ...t1!, selectors: t2!.selectors! } as TenantCredentials, '/clients')).not.toBe(200);
  });

  it('Teamboard: tenant by path prefix {orgId}, and an invited member per tenant', async () => {
    const dir = freshDir();
    const run = await init([
      '--spec',
      resolve('examples/path-prefix/openapi.yaml'),
      '--target',
      teamboard,
      '--yes',
      '--dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/ok {3}GET \/orgs\/[^/]+\/boards as T1 \(member\) answered 200/);
    const [t1] = await provisionTwo(dir, teamboard);
    expect(t1!.selectors).toEqual({ 'path:orgId': t1!.id });
    expect(t1!.role).toBe('admin');
    expect(t1!.users?.map((u) => u.role)).toEqual(['member']);
    expect(await getAs(teamboard, t1!, '/orgs/{orgId}/boards')).toBe(200);
  });
});

describe('tenantproof init on the reference CRM (an admin creates tenants)', () => {
  it('the admin token comes from the environment and is never written; a state-dependent 409 is a warning', async () => {
    const crm = await startCrm({});
    try {
      const dir = freshDir();
      const env = { TENANTPROOF_ADMIN_TOKEN: crm.adminToken };
      const run = await init(['--target', crm.url, '--spec', 'specs/crm.openapi.yaml', '--yes', '--dir', dir], env);
      expect(run.code, run.out + run.err).toBe(0);
      expect(run.out).toContain('admin create: POST /v1/tenants (admin scheme adminToken: X-Admin-Token');
      expect(run.out).toMatch(/warn POST \/v1\/quotes\/[\w-]+\/convert answered 409/);
      expect(run.out).toContain('Smoke check passed.');
      for (const file of ['tenantproof.config.ts', 'provision-tenants.ts'])
        expect(readFileSync(join(dir, file), 'utf8')).not.toContain(crm.adminToken);
      const config = readFileSync(join(dir, 'tenantproof.config.ts'), 'utf8');
      expect(config).not.toMatch(/^\s*maxRps:/m);
      const [t1] = await provisionTenants('module:./provision-tenants.ts', {
        count: 2,
        baseUrl: crm.url,
        cwd: dir,
        env,
      });
      expect(await getAs(crm.url, t1!, '/v1/customers')).toBe(200);
      await expect(
        provisionTenants('module:./provision-tenants.ts', { count: 2, baseUrl: crm.url, cwd: dir, env: {} }),
      ).rejects.toThrow(/TENANTPROOF_ADMIN_TOKEN/);
    } finally {
      await crm.close();
    }
  });
});

describe('tenantproof init: refusals and failures', () => {
  it('refuses to overwrite without --force (exit 2, naming the file), and overwrites with it', async () => {
    const dir = freshDir();
    const spec = resolve('examples/third-party/openapi.yaml');
    expect((await init(['--spec', spec, '--target', tracklet, '--yes', '--no-check', '--dir', dir])).code).toBe(0);
    writeFileSync(join(dir, 'provision-tenants.ts'), '// mine\n');
    const refused = await init(['--spec', spec, '--target', tracklet, '--yes', '--no-check', '--dir', dir]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(
      /tenantproof\.config\.ts already exists; init does not overwrite it\n {2}hint: pass --force/,
    );
    expect(readFileSync(join(dir, 'provision-tenants.ts'), 'utf8')).toBe('// mine\n');
    const forced = await init(['--spec', spec, '--target', tracklet, '--yes', '--no-check', '--force', '--dir', dir]);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('Smoke check skipped (--no-check).');
    expect(readFileSync(join(dir, 'provision-tenants.ts'), 'utf8')).toContain(
      'export default async function provision',
    );
  });

  it('an unreachable target: exit 3 and no files when the spec must come from it', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    const dir = freshDir();
    const run = await init(['--target', dead, '--yes', '--dir', dir]);
    expect(run.code).toBe(3);
    expect(run.err).toMatch(/cannot reach .*ECONNREFUSED[\s\S]*hint: start the API/);
    expect(existsSync(dir)).toBe(false);
    // With the spec as a file, the files are written and the smoke check fails: exit 3.
    const withSpec = await init([
      '--spec',
      resolve('examples/third-party/openapi.yaml'),
      '--target',
      dead,
      '--yes',
      '--dir',
      dir,
    ]);
    expect(withSpec.code).toBe(3);
    expect(withSpec.out).toMatch(/FAIL provisioning 2 tenants: [\s\S]*fix: edit provision-tenants\.ts/);
    expect(existsSync(join(dir, 'tenantproof.config.ts'))).toBe(true);
  });

  it('a spec with no recognisable flow: a TODO module, and a smoke check that fails with the fix', async () => {
    const dir = freshDir();
    const spec = join(root, 'nothing.yaml');
    writeFileSync(
      spec,
      "openapi: 3.0.3\ninfo: { title: Nothing, version: '1' }\npaths:\n  /things:\n    get:\n      responses: { '200': { description: ok } }\n",
    );
    const run = await init(['--spec', spec, '--target', tracklet, '--yes', '--dir', dir]);
    expect(run.code).toBe(3);
    expect(run.out).toContain('no tenant bootstrap found');
    expect(run.out).toMatch(
      /FAIL provisioning 2 tenants: .*does not know how to create a tenant yet: write step 1 at line \d+/,
    );
  });

  it("a spec the loader refuses: exit 2 with the loader's location", async () => {
    const spec = join(root, 'broken.yaml');
    writeFileSync(
      spec,
      "openapi: 3.0.3\ninfo: { title: Broken, version: '1' }\npaths:\n  /x:\n    get:\n      responses: { '200': { $ref: '#/nope' } }\n",
    );
    const run = await init(['--spec', spec, '--target', tracklet, '--yes', '--dir', freshDir()]);
    expect(run.code).toBe(2);
    expect(run.err).toContain('broken.yaml');
  });
});
