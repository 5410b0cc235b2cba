import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import { buildPlan, type CampaignPlan } from '../model/plan.ts';
import type { Step } from '../model/step.ts';
import { World } from '../model/world.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { Coverage } from './coverage.ts';
import { ORACLES } from '../oracles/index.ts';
import { FingerprintScanner } from '../oracles/scan/fingerprint-scanner.ts';
import { Executor } from './executor.ts';
import { HttpClient } from './http-client.ts';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
let plan: CampaignPlan;
let server: Server;
let url: string;

beforeAll(async () => {
  plan = buildPlan(await analyzeSpecFile(spec));
  // Any API with idempotency keys answers a repeated POST with the record it made the first time.
  server = createServer((req, res) => {
    res.writeHead(201, {
      'content-type': 'application/json',
      'x-request-id': `req-${Math.random().toString(36).slice(2)}`,
    });
    res.end(
      JSON.stringify({
        id: '11111111-1111-4111-8111-111111111111',
        name: 'tpT1abcdefghij',
        email: 'tpt1abcdefghij.1@t1.example',
        phone: null,
        address: null,
        tags: [],
        createdAt: 'x',
        updatedAt: 'x',
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

function createStep(): Step {
  return {
    index: -1,
    tenant: 'T1',
    operationId: 'createCustomer',
    action: 'create',
    relation: 'own',
    resource: 'customer',
    method: 'POST',
    path: '/v1/customers',
    pathParams: {},
    query: {},
    headers: { 'Idempotency-Key': 'tpidemT1samekey0001' },
    body: { name: 'tpT1abcdefghij', email: 'tpt1abcdefghij.1@t1.example' },
  };
}

describe('Executor', () => {
  it('counts a record once when an idempotent replay returns it again, and learns its canaries and unique values', async () => {
    const registry = new FingerprintRegistry();
    const world = new World(['T1', 'T2'], {}, { plan, registry });
    let seq = 0;
    const executor = new Executor({
      plan,
      world,
      registry,
      scanner: new FingerprintScanner(registry),
      oracles: ORACLES.oracles.map((o) => o.bind()),
      client: new HttpClient({
        baseURL: url,
        timeoutMs: 5000,
        maxBodyBytes: 1 << 20,
        maxThrottleRetries: 0,
        maxRetryAfterMs: 0,
      }),
      credentials: new Map([['T1', [{ role: 'primary', headers: { authorization: 'Bearer t1' } }]]]),
      coverage: new Coverage(),
      nextSeq: () => ++seq,
    });
    await executor.run(createStep());
    await executor.run(createStep());
    expect(world.alive('T1', 'customer')).toHaveLength(1);
    expect(registry.ownerOf('11111111-1111-4111-8111-111111111111')).toBe('T1');
    expect(world.tenant('T1').canaries).toEqual(expect.arrayContaining(['tpT1abcdefghij', 'tpt1abcdefghij']));
    expect(world.tenant('T1').uniqueValues.map((u) => u.field)).toEqual(['email', 'email']);
    expect(executor.findings).toEqual([]);
  });

  it("sends a step as the tenant's user it names, and records that user's role on the exchange", async () => {
    const registry = new FingerprintRegistry();
    const world = new World(['T1', 'T2'], {}, { plan, registry });
    const sent: Record<string, string>[] = [];
    let seq = 0;
    const client = new HttpClient({
      baseURL: url,
      timeoutMs: 5000,
      maxBodyBytes: 1 << 20,
      maxThrottleRetries: 0,
      maxRetryAfterMs: 0,
    });
    const executor = new Executor({
      plan,
      world,
      registry,
      scanner: new FingerprintScanner(registry),
      oracles: ORACLES.oracles.map((o) => o.bind()),
      client: {
        send: (input) => {
          sent.push({ ...input.headers });
          return client.send(input);
        },
      },
      credentials: new Map([
        [
          'T1',
          [
            { role: 'admin', headers: { authorization: 'Bearer t1-admin' } },
            { role: 'member', headers: { authorization: 'Bearer t1-member' } },
          ],
        ],
      ]),
      coverage: new Coverage(),
      nextSeq: () => ++seq,
    });
    const asMember = await executor.run({ ...createStep(), user: 1, headers: {} });
    const asAdmin = await executor.run({ ...createStep(), headers: {} });
    expect(sent.map((h) => h['authorization'])).toEqual(['Bearer t1-member', 'Bearer t1-admin']);
    expect(asMember.kind === 'sent' && asMember.exchange.user).toBe('member');
    expect(asAdmin.kind === 'sent' && asAdmin.exchange.user).toBe('admin');
  });
});
