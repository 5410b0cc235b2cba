import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { describePlan, detectTenancy, type TenancyPlan } from './init-detect-tenancy.ts';
import { renderProvisionModule } from './init-render-provision.ts';

const detect = async (file: string): Promise<TenancyPlan> => detectTenancy(await analyzeSpecFile(file));
const tmp = mkdtempSync(join(tmpdir(), 'tp-init-detect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('detectTenancy on the example specs', () => {
  it('Tracklet: public /signup (no token documented), then /login for a JWT; tenant from the credential', async () => {
    const plan = await detect('examples/third-party/openapi.yaml');
    expect(plan.bootstrap.kind).toBe('signup');
    if (plan.bootstrap.kind !== 'signup') return;
    expect(plan.bootstrap.signup.path).toBe('/signup');
    expect(plan.bootstrap.signup.body.map((f) => [f.name, f.value.kind])).toEqual([
      ['orgName', 'name'],
      ['email', 'email'],
      ['password', 'password'],
    ]);
    expect(plan.bootstrap.signup.returns).toBe('none');
    expect(plan.bootstrap.login?.path).toBe('/login');
    expect(plan.bootstrap.login?.returns).toBe('token');
    expect(plan.credential.kind).toBe('bearer');
    expect(plan.selection.kind).toBe('credential');
    expect(plan.rateLimit).toBeUndefined();
    expect(describePlan(plan)[0]).toBe(
      'sign-up: POST /signup (public, body orgName/email/password; no token in the documented response)',
    );
  });

  it('Deskly: /auth/signup with no response schema at all; the body field organisationId is a tenant field', async () => {
    const plan = await detect('examples/framework-style/openapi.json');
    expect(plan.bootstrap.kind === 'signup' && plan.bootstrap.signup.path).toBe('/auth/signup');
    expect(plan.bootstrap.kind === 'signup' && plan.bootstrap.signup.returns).toBe('unknown');
    expect(plan.bootstrap.kind === 'signup' && plan.bootstrap.login?.path).toBe('/auth/login');
    expect(plan.tenantFields).toEqual(['body:organisationId']);
  });

  it('Orgcast: /v1/auth/register returns a token; 429 + Retry-After gives a gentler rate', async () => {
    const plan = await detect('examples/org-scoped/openapi.yaml');
    expect(plan.bootstrap.kind === 'signup' && plan.bootstrap.signup.path).toBe('/v1/auth/register');
    expect(plan.bootstrap.kind === 'signup' && plan.bootstrap.signup.returns).toBe('token');
    expect(plan.rateLimit?.maxRps).toBe('90/m');
    expect(plan.rateLimit?.evidence).toMatch(/429/);
    expect(plan.tenantFields).toEqual(['body:organisationId', 'header:X-Org-Id']);
    // /v1/invites exists but nothing accepts an invite: no member user.
    expect(plan.invite).toBeUndefined();
  });

  it('Bookly: tenant by subdomain, a session cookie from login', async () => {
    const plan = await detect('examples/subdomain/openapi.yaml');
    expect(plan.selection).toMatchObject({
      kind: 'subdomain',
      variable: 'workspace',
      hostTemplate: '{workspace}.bookly.test',
    });
    expect(plan.credential).toMatchObject({ kind: 'cookie', name: 'bookly_session' });
    expect(
      plan.bootstrap.kind === 'signup' && plan.bootstrap.signup.body.find((f) => f.name === 'slug')?.value.kind,
    ).toBe('slug');
    expect(plan.bootstrap.kind === 'signup' && plan.bootstrap.login?.returns).toBe('cookie');
  });

  it('Teamboard: tenant by path prefix {orgId}, invites and a public accept give a member', async () => {
    const plan = await detect('examples/path-prefix/openapi.yaml');
    expect(plan.selection).toMatchObject({ kind: 'path', param: 'orgId' });
    expect(plan.invite?.invite.path).toBe('/orgs/{orgId}/invites');
    expect(plan.invite?.accept.path).toBe('/invites/accept');
    expect(plan.invite?.role).toBe('member');
    expect(plan.invite?.accept.body.map((f) => f.value.kind)).toContain('inviteToken');
  });

  it('the reference CRM: an admin POST /v1/tenants with X-Admin-Token, its credential from the environment', async () => {
    const plan = await detect('specs/crm.openapi.yaml');
    expect(plan.bootstrap).toMatchObject({
      kind: 'admin',
      adminHeader: { name: 'X-Admin-Token', prefix: '' },
      envVar: 'TENANTPROOF_ADMIN_TOKEN',
    });
    const text = renderProvisionModule(plan);
    expect(text).toContain('const adminToken = ctx.env.TENANTPROOF_ADMIN_TOKEN;');
    expect(text).toContain("{ 'X-Admin-Token': adminToken }");
    expect(text).not.toMatch(/RUN_PASSWORD/);
    // Its tenant routes document 429 with no number: no maxRps, the campaign paces itself.
    expect(plan.rateLimit?.evidence).toMatch(/429/);
    expect(plan.rateLimit?.maxRps).toBeUndefined();
  });

  it('a spec with no recognisable flow: a module with a clear TODO that fails with a fix', async () => {
    const file = join(tmp, 'nothing.yaml');
    writeFileSync(
      file,
      [
        'openapi: 3.0.3',
        "info: { title: Nothing, version: '1' }",
        'paths:',
        '  /things:',
        '    get:',
        '      security: [{ bearer: [] }]',
        "      responses: { '200': { description: ok } }",
        'components:',
        '  securitySchemes:',
        '    bearer: { type: http, scheme: bearer }',
      ].join('\n'),
    );
    const plan = await detect(file);
    expect(plan.bootstrap.kind).toBe('none');
    const text = renderProvisionModule(plan);
    const todoLine = text.split('\n').findIndex((l) => l.includes('// TODO (step 1)')) + 1;
    expect(text).toContain(`write step 1 at line ${todoLine} (see the TODO)`);
  });
});

describe('the rendered provisioning module', () => {
  it('imports only types from tenantproof, writes the body literally, and names the lines of its steps', async () => {
    const text = renderProvisionModule(await detect('examples/third-party/openapi.yaml'));
    const imports = text.split('\n').filter((l) => l.startsWith('import '));
    expect(imports).toEqual([
      "import { createHash, randomBytes } from 'node:crypto';",
      "import type { ProvisionContext, ProvisionResult } from 'tenantproof';",
    ]);
    expect(text).toContain(
      '  const signupBody = {\n    orgName: `tenantproof ${ctx.label}`,\n    email,\n    password,\n  };',
    );
    const lines = text.split('\n');
    const loginBody = lines.findIndex((l) => l.includes('const loginBody')) + 1;
    expect(text).toContain(`in provision-tenants.ts line ${loginBody}`);
    expect(text).not.toMatch(/__LINE_|__MARK_/);
  });

  it('for a subdomain tenant, sends the Host on login and returns it as a selector', async () => {
    const text = renderProvisionModule(await detect('examples/subdomain/openapi.yaml'));
    expect(text).toContain("const host = subdomain + '.bookly.test';");
    expect(text).toContain("await send(ctx, 'POST', '/login', loginBody, tenantHeaders)");
    expect(text).toContain("const selectors = { 'header:Host': host };");
    expect(text).toContain("{ Cookie: found.kind === 'cookie' ? found.value : 'bookly_session=' + found.value }");
  });
});
