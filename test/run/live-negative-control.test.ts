/**
 * The negative control on live traffic, against the real reference CRM over loopback HTTP: the
 * planting transport alters real responses, and the run's own oracles must raise on them.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrm, type RunningCrm } from '../../crm/server.ts';
import type { Exchange } from '../../harness/model/exchange.ts';
import { buildPlan, type CampaignPlan } from '../../harness/model/plan.ts';
import { specValueSource } from '../../harness/model/spec-value-source.ts';
import { HttpClient } from '../../harness/run/http-client.ts';
import { controlResource, runLiveNegativeControl } from '../../harness/run/live-negative-control.ts';
import { PLANTED_HEADER } from '../../harness/run/planting-transport.ts';
import { analyzeSpecFile } from '../../harness/openapi/analyze.ts';
import type { ApiModel } from '../../harness/openapi/api-model.ts';
import { provisionTenants } from '../../harness/tenants/index.ts';
import { REPO_ROOT } from '../support/cli.ts';

let crm: RunningCrm;
let model: ApiModel;
let plan: CampaignPlan;

beforeAll(async () => {
  crm = await startCrm({});
  model = await analyzeSpecFile(path.join(REPO_ROOT, 'specs', 'crm.openapi.yaml'));
  plan = buildPlan(model);
});
afterAll(async () => {
  await crm?.close();
});

async function control(tag: string) {
  const creds = await provisionTenants('crm-admin', {
    count: 2,
    baseUrl: crm.url,
    adminToken: crm.adminToken,
    runTag: tag,
    timeoutMs: 10_000,
  });
  const exchanges: Exchange[] = [];
  let seq = 0;
  const result = await runLiveNegativeControl({
    plan,
    values: specValueSource(model, tag),
    client: new HttpClient({
      baseURL: crm.url,
      timeoutMs: 10_000,
      maxBodyBytes: 1 << 20,
      maxThrottleRetries: 3,
      maxRetryAfterMs: 5_000,
    }),
    tenants: creds.map((c) => ({ label: c.label, headers: { ...c.headers }, tenantId: c.id })),
    freshTenants: true,
    seed: 5,
    signal: new AbortController().signal,
    nextSeq: () => ++seq,
    onExchange: (ex) => exchanges.push(ex),
  });
  return { result, exchanges };
}

describe('live negative control', () => {
  it('plants a foreign id into real responses, and foreign-data, model and existence each raise', async () => {
    const { result, exchanges } = await control('negctl-a');
    expect(result.detail).toMatch(/^live:/);
    expect(result.oracles.map((o) => [o.oracle, o.planted, o.fired, o.outcome])).toEqual([
      ['foreign-data', true, true, 'passed'],
      ['model', true, true, 'passed'],
      ['existence', true, true, 'passed'],
    ]);
    expect(result.outcome).toBe('passed');
    // The altered responses are marked as such, and the real ones are not.
    const planted = exchanges.filter((e) => e.response?.headers[PLANTED_HEADER]);
    expect(planted.map((e) => e.operationId).sort()).toEqual(['getCustomer', 'listCustomers']);
    expect(
      exchanges.filter((e) => e.request.method === 'POST' && e.response?.status === 201).length,
    ).toBeGreaterThanOrEqual(2);
    // The foreign read's missing-id twin went to the target unaltered, so the pair really differs.
    const twin = exchanges.find((e) => e.operationId === 'getCustomer' && !e.response?.headers[PLANTED_HEADER]);
    expect(twin?.response?.status).toBe(404);
  });

  it('is skipped, saying why, when the API has nothing it can plant into', async () => {
    const bare: CampaignPlan = { ...plan, collections: [] };
    expect(controlResource(bare)).toBeUndefined();
    const creds = [
      { label: 'T1', headers: {} },
      { label: 'T2', headers: {} },
    ];
    const result = await runLiveNegativeControl({
      plan: bare,
      values: specValueSource(model, 'x'),
      client: { send: () => Promise.reject(new Error('must not send')) },
      tenants: creds,
      freshTenants: true,
      seed: 1,
      signal: new AbortController().signal,
      nextSeq: () => 1,
    });
    expect(result).toMatchObject({ outcome: 'skipped', detail: expect.stringMatching(/no tenant-owned resource/) });
  });

  it('stops at the first create that gets no answer at all, instead of trying every body to its deadline', async () => {
    // A target that accepts connections and never answers.
    const sockets = new Set<Socket>();
    const dead = createServer(() => undefined);
    dead.on('connection', (c) => sockets.add(c));
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    try {
      const exchanges: Exchange[] = [];
      let seq = 0;
      const result = await runLiveNegativeControl({
        plan,
        values: specValueSource(model, 'dead'),
        client: new HttpClient({
          baseURL: `http://127.0.0.1:${(dead.address() as AddressInfo).port}`,
          timeoutMs: 300,
          maxBodyBytes: 1 << 20,
          maxThrottleRetries: 0,
          maxRetryAfterMs: 0,
        }),
        tenants: [
          { label: 'T1', headers: {} },
          { label: 'T2', headers: {} },
        ],
        freshTenants: true,
        seed: 1,
        signal: new AbortController().signal,
        nextSeq: () => ++seq,
        onExchange: (ex) => exchanges.push(ex),
      });
      expect(exchanges).toHaveLength(1);
      expect(result).toMatchObject({
        outcome: 'skipped',
        detail: expect.stringMatching(/^the target gave no usable answer to createCustomer \(TIMEOUT\)/),
      });
    } finally {
      for (const c of sockets) c.destroy();
      await new Promise<void>((r) => dead.close(() => r()));
    }
  });

  it('is skipped, not failed, when the run is stopped (a signal, the wall limit) before it could finish', async () => {
    const stop = new AbortController();
    stop.abort('the run reached its wall-time limit');
    const result = await runLiveNegativeControl({
      plan,
      values: specValueSource(model, 'stopped'),
      client: { send: () => Promise.reject(new Error('must not send')) },
      tenants: [
        { label: 'T1', headers: {} },
        { label: 'T2', headers: {} },
      ],
      freshTenants: true,
      seed: 1,
      signal: stop.signal,
      nextSeq: () => 1,
    });
    expect(result).toEqual({
      outcome: 'skipped',
      detail: 'the negative control was stopped: the run reached its wall-time limit',
      oracles: [],
    });
  });
});
