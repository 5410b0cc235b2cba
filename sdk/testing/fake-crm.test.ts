/**
 * The testing kit on its own, offline: what an integrator gets from `setupServer(...crmHandlers())`.
 * (Its fidelity to the real CRM is proven by test/sdk/kit-parity.test.ts.)
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CrmAdminClient, CrmClient, InternalServerError, NotFoundError, RateLimitError } from '../index.ts';
import { crmHandlers, DEFAULT_FAKE_ADMIN_TOKEN, FakeCrm } from './index.ts';

const handlers = crmHandlers();
const server = setupServer(...handlers);
const fake = handlers.crm;

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => fake.reset());
afterAll(() => server.close());

const client = (apiKey: string, options = {}) => new CrmClient({ apiKey, sleep: async () => {}, ...options });

describe('sdk/testing: the fake CRM behind msw', () => {
  it('serves the SDK’s default base URL, with tenants made in code or through the admin API', async () => {
    const acme = fake.createTenant('Acme');
    expect(await client(acme.apiKey).me.get()).toMatchObject({ tenantId: acme.tenantId, tenantName: 'Acme' });
    const admin = new CrmAdminClient({ adminToken: DEFAULT_FAKE_ADMIN_TOKEN });
    const created = await admin.tenants.create({ name: 'Globex' });
    expect((await client(created.apiKey).me.get()).tenantName).toBe('Globex');
  });

  it('keeps each tenant’s data to itself', async () => {
    const a = client(fake.createTenant('A').apiKey);
    const bTenant = fake.createTenant('B');
    const b = client(bTenant.apiKey);
    const c = await a.customers.create({ name: 'Dana', email: 'dana@example.com' });
    await expect(b.customers.get(c.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await b.customers.list()).data).toEqual([]);
    expect(fake.tenant(bTenant.tenantId).customers.size).toBe(0);
    await b.customers.create({ name: 'Dana', email: 'dana@example.com' });
    expect((await a.reports.summary()).customers).toBe(1);
  });

  it('injects faults so an integration’s retry handling can be tested', async () => {
    const events: string[] = [];
    const a = client(fake.createTenant('A').apiKey, {
      hooks: { onRetry: (e: { reason: string; delayMs: number }) => events.push(`${e.reason}:${e.delayMs}`) },
    });
    fake.injectFault({ status: 503, operationId: 'createCustomer' });
    fake.injectFault({ status: 429, retryAfterSeconds: 2, operationId: 'createCustomer' });
    const c = await a.customers.create({ name: 'Retry', email: 'retry@example.com' });
    expect(c.name).toBe('Retry');
    expect(events[0]).toMatch(/^503:/);
    expect(events[1]).toBe('429:2000');
    fake.injectFault({ status: 500, times: 5 });
    await expect(a.customers.list()).rejects.toBeInstanceOf(InternalServerError);
  });

  it('rate-limits per tenant with Retry-After', async () => {
    const tight = new FakeCrm({ rateLimit: { requestsPerSecond: 0.001, burst: 2 } });
    server.use(...crmHandlers({ crm: tight, baseURL: 'http://tight.test' }));
    const t = tight.createTenant('Busy');
    const other = tight.createTenant('Quiet');
    const busy = client(t.apiKey, { baseURL: 'http://tight.test', maxRetries: 0 });
    await busy.me.get();
    await busy.me.get();
    const error = (await busy.me.get().catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    await expect(client(other.apiKey, { baseURL: 'http://tight.test' }).me.get()).resolves.toMatchObject({
      tenantName: 'Quiet',
    });
  });

  it('answers unknown routes, wrong methods, bad media types and oversized bodies like the CRM', async () => {
    const { apiKey } = fake.createTenant('Raw');
    const auth = { authorization: `Bearer ${apiKey}` };
    const base = 'http://127.0.0.1:3000';
    const notFound = await fetch(`${base}/v1/nothing`, { headers: auth });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toBe('application/problem+json');
    expect(notFound.headers.get('x-request-id')).toMatch(/^req_/);
    const wrongMethod = await fetch(`${base}/v1/me`, { method: 'DELETE', headers: auth });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    const text = await fetch(`${base}/v1/customers`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(((await text.json()) as { type: string }).type).toBe(
      'https://tenantproof.dev/problems/unsupported-media-type',
    );
    const big = await fetch(`${base}/v1/customers`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(300_000), email: 'a@b.c' }),
    });
    expect(big.status).toBe(413);
    const broken = await fetch(`${base}/v1/customers`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(broken.status).toBe(400);
    const noKey = await fetch(`${base}/v1/me`);
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('writes an audit event per authenticated request, under the right tenant', async () => {
    const t = fake.createTenant('Audited');
    const a = client(t.apiKey);
    const { response } = await a.customers.create({ name: 'A', email: 'a@example.com' }).withResponse();
    const events = await a.auditEvents.list({ requestId: response.requestId! });
    expect(events.data).toEqual([
      expect.objectContaining({ tenantId: t.tenantId, method: 'POST', route: '/v1/customers', status: 201 }),
    ]);
  });
});
