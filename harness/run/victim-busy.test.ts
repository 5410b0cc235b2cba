/**
 * The victim-state-change proof (cross-tenant-access) must credit the attacker only with a change no
 * one else could have made. Two races on a small HTTP server, each ordered by the server so that
 * T1's re-reads around T2's refused delete see the record change:
 * - T1 deletes its own customer (a tenant-override probe: T1's DELETE with `X-Tenant-Id: T2`, which
 *   a correct server ignores) in the same batch;
 * - T3 changes T1's customer through an unscoped update (a real leak, on another operation).
 * In neither is T2's delete the cause, and no finding may name it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import { buildPlan, type CampaignPlan } from '../model/plan.ts';
import type { Step } from '../model/step.ts';
import { World } from '../model/world.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { ORACLES } from '../oracles/index.ts';
import { FingerprintScanner } from '../oracles/scan/fingerprint-scanner.ts';
import { Coverage } from './coverage.ts';
import { Executor } from './executor.ts';
import { HttpClient } from './http-client.ts';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
const ID = '22222222-2222-4222-8222-222222222222';
let plan: CampaignPlan;
let server: Server;
let url: string;
const records = new Map<string, { owner: string; body: Record<string, unknown> }>();

/** A promise and its resolver, for ordering the server's answers. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire: () => void = () => {};
  const promise = new Promise<void>((r) => (fire = r));
  return { promise, fire };
}
let foreignDeleteArrived = signal();
let changeApplied = signal();

beforeEach(() => {
  records.clear();
  foreignDeleteArrived = signal();
  changeApplied = signal();
});

function tenantOf(req: IncomingMessage): string {
  return String(req.headers.authorization ?? '').replace('Bearer ', '');
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

beforeAll(async () => {
  plan = buildPlan(await analyzeSpecFile(spec));
  // Scoped by owner, except PATCH (the planted unscoped update). Every change waits until T2's
  // foreign DELETE has arrived, and T2's DELETE is answered (404) only after the change applied.
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const tenant = tenantOf(req);
      const id = req.url?.split('/')[3]?.split('?')[0];
      const record = id ? records.get(id) : undefined;
      if (req.method === 'POST') {
        const body = { id: ID, ...(JSON.parse(text) as Record<string, unknown>) };
        records.set(ID, { owner: tenant, body });
        return send(res, 201, body);
      }
      if (req.method === 'PATCH' && record) {
        void foreignDeleteArrived.promise.then(() => {
          Object.assign(record.body, JSON.parse(text) as Record<string, unknown>);
          changeApplied.fire();
          send(res, 200, record.body);
        });
        return;
      }
      if (req.method === 'DELETE' && record && record.owner !== tenant) {
        foreignDeleteArrived.fire();
        void changeApplied.promise.then(() => send(res, 404, { title: 'Not found' }));
        return;
      }
      if (!record || record.owner !== tenant) return send(res, 404, { title: 'Not found' });
      if (req.method === 'GET') return send(res, 200, record.body);
      void foreignDeleteArrived.promise.then(() => {
        records.delete(id!);
        changeApplied.fire();
        send(res, 204);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

function executor(world: World, registry: FingerprintRegistry): Executor {
  let seq = 0;
  return new Executor({
    plan,
    world,
    registry,
    scanner: new FingerprintScanner(registry),
    oracles: ORACLES.oracles.map((o) => o.bind()),
    client: new HttpClient({
      baseURL: url,
      timeoutMs: 30_000,
      maxBodyBytes: 1 << 20,
      maxThrottleRetries: 0,
      maxRetryAfterMs: 0,
    }),
    credentials: new Map([
      ['T1', [{ role: 'primary', headers: { authorization: 'Bearer T1' } }]],
      ['T2', [{ role: 'primary', headers: { authorization: 'Bearer T2' } }]],
    ]),
    coverage: new Coverage(),
    nextSeq: () => ++seq,
  });
}

const base = { index: -1, resource: 'customer', query: {}, headers: {} } as const;
const onRecord = { pathParams: { customerId: { $from: 0, path: 'id' } }, recordFrom: 0 };

/** T1 creates its customer; returns the executor to race on it. */
async function withCustomer(): Promise<Executor> {
  const registry = new FingerprintRegistry();
  const world = new World(['T1', 'T2', 'T3'], { T1: 'org-1', T2: 'org-2', T3: 'org-3' }, { plan, registry });
  const ex = executor(world, registry);
  await ex.run({
    ...base,
    tenant: 'T1',
    operationId: 'createCustomer',
    action: 'create',
    relation: 'own',
    method: 'POST',
    path: '/v1/customers',
    pathParams: {},
    body: { name: 'tpT1abcdefghij', email: 'tpt1abcdefghij.1@t1.example' },
  });
  return ex;
}

const foreignDelete: Step = {
  ...base,
  ...onRecord,
  tenant: 'T2',
  operationId: 'deleteCustomer',
  action: 'delete',
  relation: 'foreign',
  probe: 'cross-tenant-delete',
  victim: 'T1',
  method: 'DELETE',
  path: '/v1/customers/{customerId}',
  batch: 1,
};

/** T1's re-reads around T2's delete saw the record change, and T2's delete was refused. */
function expectRaceHappened(ex: Executor): void {
  const t2Delete = ex.exchanges.find((e) => e.tenant === 'T2' && e.operationId === 'deleteCustomer');
  expect(t2Delete?.response?.status).toBe(404);
  const rereads = ex.exchanges.filter((e) => e.tenant === 'T1' && e.relation === 'setup' && e.seq < t2Delete!.seq);
  const after = ex.exchanges.filter((e) => e.tenant === 'T1' && e.relation === 'setup' && e.seq > t2Delete!.seq);
  expect(rereads.at(-1)?.response?.status).toBe(200);
  expect(after.length).toBeGreaterThan(0);
}

describe('the victim-state-change proof under concurrency', () => {
  it("does not credit T2 with T1's own delete, sent in the same batch as a tenant-override probe", async () => {
    const ex = await withCustomer();
    const ownOverride: Step = {
      ...base,
      ...onRecord,
      tenant: 'T1',
      operationId: 'deleteCustomer',
      action: 'delete',
      relation: 'injected',
      probe: 'header-injection',
      victim: 'T2',
      method: 'DELETE',
      path: '/v1/customers/{customerId}',
      headers: { 'X-Tenant-Id': { $tenantId: 'T2' } },
      override: { vector: 'header', fields: [{ in: 'header', name: 'X-Tenant-Id' }] },
      batch: 1,
    };
    await Promise.all([ex.run(ownOverride, { concurrent: true }), ex.run(foreignDelete, { concurrent: true })]);
    expectRaceHappened(ex);
    expect(ex.findings.filter((f) => f.oracle === 'cross-tenant-access')).toEqual([]);
  });

  it("does not credit T2's refused delete with T3's change of the record through an unscoped update", async () => {
    const ex = await withCustomer();
    const foreignUpdate: Step = {
      ...base,
      ...onRecord,
      tenant: 'T3',
      operationId: 'updateCustomer',
      action: 'update',
      relation: 'foreign',
      probe: 'cross-tenant-update',
      victim: 'T1',
      method: 'PATCH',
      path: '/v1/customers/{customerId}',
      body: { name: 'tpT3zzzzzzzzzz' },
      batch: 1,
    };
    await Promise.all([ex.run(foreignUpdate, { concurrent: true }), ex.run(foreignDelete, { concurrent: true })]);
    expectRaceHappened(ex);
    const t1Names = ex.exchanges
      .filter((e) => e.tenant === 'T1' && e.relation === 'setup')
      .map((e) => (e.response?.json as { name?: string } | undefined)?.name);
    expect(t1Names, "T1's record really changed under T2's probe").toContain('tpT3zzzzzzzzzz');
    expect(ex.findings.filter((f) => f.operationId === 'deleteCustomer')).toEqual([]);
  });
});
