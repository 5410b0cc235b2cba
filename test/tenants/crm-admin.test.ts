/**
 * Against the real reference CRM: `crm-admin` makes N fresh tenants whose keys work, and the
 * generator's bodies for every CRM create/update are accepted (no 400) by the server's own validation.
 */
import axios, { type AxiosInstance } from 'axios';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrm, type RunningCrm } from '../../crm/server.ts';
import { FingerprintRegistry, registerServerIds, requestBodyArbitrary } from '../../harness/generate/index.ts';
import { analyzeSpecFile, type ApiModel, type OperationInfo } from '../../harness/openapi/index.ts';
import { ProvisioningError, provisionTenants, type TenantCredentials } from '../../harness/tenants/index.ts';
import { CRM_SPEC } from '../support/paths.ts';

const SEED = 777;
let crm: RunningCrm;
let model: ApiModel;

beforeAll(async () => {
  crm = await startCrm({ port: 0, rateLimit: { requestsPerSecond: 10_000, burst: 10_000 } });
  model = await analyzeSpecFile(CRM_SPEC);
});
afterAll(async () => {
  await crm?.close();
});

function client(t: TenantCredentials): AxiosInstance {
  return axios.create({ baseURL: crm.url, headers: { ...t.headers }, validateStatus: () => true });
}

describe('crm-admin provisioning on the real CRM', () => {
  it('makes N fresh tenants whose API keys authenticate as distinct tenants', async () => {
    const tenants = await provisionTenants('crm-admin', { baseUrl: crm.url, adminToken: crm.adminToken, count: 5 });
    expect(tenants.map((t) => t.label)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5']);
    expect(new Set(tenants.map((t) => t.id)).size).toBe(5);
    for (const t of tenants) {
      const me = await client(t).get('/v1/me');
      expect(me.status).toBe(200);
      expect(me.data.tenantId).toBe(t.id);
      expect(t.secrets.length).toBeGreaterThan(0);
      expect(JSON.stringify(t)).not.toContain(t.headers.Authorization!.slice(7));
    }
    const more = await provisionTenants('crm-admin', { baseUrl: crm.url, adminToken: crm.adminToken });
    expect(more).toHaveLength(4);
    expect(more.filter((t) => tenants.some((o) => o.id === t.id))).toEqual([]);
  });

  it('fails clearly on a wrong admin token, a missing token and an unreachable target', async () => {
    const wrong = await provisionTenants('crm-admin', {
      baseUrl: crm.url,
      adminToken: 'not-the-token',
      count: 2,
    }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ProvisioningError);
    expect((wrong as ProvisioningError).kind).toBe('config');
    expect((wrong as Error).message).toMatch(/admin token was rejected .*HTTP 401/);
    await expect(provisionTenants('crm-admin', { baseUrl: crm.url, count: 2, env: {} })).rejects.toThrow(
      /no admin token/,
    );
    const down = await provisionTenants('crm-admin', {
      baseUrl: 'http://127.0.0.1:9',
      adminToken: 'x',
      count: 2,
      timeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect((down as ProvisioningError).kind).toBe('target');
    expect((down as Error).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

describe('generated bodies on the real CRM', () => {
  const op = (id: string): OperationInfo => model.operations.find((o) => o.operationId === id)!;
  const bodies = (id: string, owner: string, n: number, seed: number) =>
    fc
      .sample(requestBodyArbitrary(model, op(id), owner)!, { seed, numRuns: n })
      .map((r) => r.value as Record<string, unknown>);

  it('are never rejected with 400 (the CRM validates against the same spec)', async () => {
    const [tenant] = await provisionTenants('crm-admin', { baseUrl: crm.url, adminToken: crm.adminToken, count: 2 });
    const http = client(tenant!);
    const registry = new FingerprintRegistry();
    const rejected: string[] = [];
    const send = async (method: 'post' | 'patch', url: string, body: unknown, what: string) => {
      const res = await http.request({ method, url, data: body });
      if (res.status === 400) rejected.push(`${what} ${JSON.stringify(body)} -> ${JSON.stringify(res.data)}`);
      return res;
    };
    const customers: string[] = [];
    for (const [i, body] of bodies('createCustomer', tenant!.label, 25, SEED).entries()) {
      const res = await send('post', '/v1/customers', body, 'createCustomer');
      if (res.status === 201) {
        customers.push(res.data.id);
        expect(
          registerServerIds(registry, tenant!.label, res.data, { source: `createCustomer#${i}` }).conflicts,
        ).toEqual([]);
      }
    }
    expect(customers.length).toBeGreaterThan(20);
    const pick = (i: number) => customers[i % customers.length]!;
    for (const [i, body] of bodies('updateCustomer', tenant!.label, 20, SEED + 1).entries())
      await send('patch', `/v1/customers/${pick(i)}`, body, 'updateCustomer');
    for (const [i, body] of bodies('createCustomerNote', tenant!.label, 10, SEED + 2).entries())
      await send('post', `/v1/customers/${pick(i)}/notes`, body, 'createCustomerNote');
    const jobs: string[] = [];
    for (const [i, body] of bodies('createJob', tenant!.label, 15, SEED + 3).entries()) {
      const res = await send('post', '/v1/jobs', { ...body, customerId: pick(i) }, 'createJob');
      if (res.status === 201) jobs.push(res.data.id);
    }
    expect(jobs.length).toBeGreaterThan(10);
    for (const [i, body] of bodies('updateJob', tenant!.label, 15, SEED + 4).entries())
      await send('patch', `/v1/jobs/${jobs[i % jobs.length]}`, body, 'updateJob');
    const quotes: string[] = [];
    for (const [i, body] of bodies('createQuote', tenant!.label, 15, SEED + 5).entries()) {
      const res = await send('post', '/v1/quotes', { ...body, customerId: pick(i) }, 'createQuote');
      if (res.status === 201) quotes.push(res.data.id);
    }
    expect(quotes.length).toBeGreaterThan(10);
    for (const [i, body] of bodies('updateQuote', tenant!.label, 15, SEED + 6).entries())
      await send('patch', `/v1/quotes/${quotes[i % quotes.length]}`, body, 'updateQuote');
    const invoices: string[] = [];
    for (const [i, body] of bodies('createInvoice', tenant!.label, 15, SEED + 7).entries()) {
      const res = await send('post', '/v1/invoices', { ...body, customerId: pick(i) }, 'createInvoice');
      if (res.status === 201) invoices.push(res.data.id);
    }
    expect(invoices.length).toBeGreaterThan(10);
    for (const [i, body] of bodies('createPayment', tenant!.label, 15, SEED + 8).entries())
      await send('post', `/v1/invoices/${invoices[i % invoices.length]}/payments`, body, 'createPayment');
    for (const [i, body] of bodies('updateInvoice', tenant!.label, 10, SEED + 9).entries())
      await send('patch', `/v1/invoices/${invoices[i % invoices.length]}`, body, 'updateInvoice');
    expect(rejected).toEqual([]);
  });
});
