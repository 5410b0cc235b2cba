/**
 * The fault catalogue: for each of the 17 faults, a plain two-tenant HTTP scenario (attacker A,
 * victim B) that leaks with the fault switched on, and the SAME scenario on the clean build,
 * which must not leak. One database per backend; one server per fault configuration on it.
 * The requests each scenario sends (provisioning excluded) are counted and checked against its
 * length in scenario-lengths.ts, which bench:detect compares the harness's minimal repros with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_CATALOGUE, type FaultName } from '../../crm/faults/catalogue.ts';
import type { RunningCrm } from '../../crm/server.ts';
import {
  api,
  backendAvailable,
  backends,
  createTenant,
  openTestDatabase,
  type ApiClient,
  type ProvisionedTenant,
  type TestDatabase,
} from '../support/crm-fixture.ts';
import { SCENARIO_LENGTHS } from './scenario-lengths.ts';

interface World {
  crm: RunningCrm;
  a: ProvisionedTenant;
  b: ProvisionedTenant;
  /** The attacker. */
  A: ApiClient;
  /** The victim. */
  B: ApiClient;
}

/** Resolves to true when A observed or changed B's data. */
type Scenario = (world: World) => Promise<boolean>;

/** A client that counts the requests it sends on `counter`. */
function counting(client: ApiClient, counter: { requests: number }): ApiClient {
  return (...args) => {
    counter.requests++;
    return client(...args);
  };
}

const START = '2026-03-02T14:00:00Z';
const END = '2026-03-02T17:00:00Z';
const WINDOW = 'from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z';

async function createCustomer(
  client: ApiClient,
  name: string,
  email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`,
) {
  const res = await client('POST', '/v1/customers', { body: { name, email } });
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string; email: string };
}

async function createJob(client: ApiClient, customerId: string, title: string) {
  const res = await client('POST', '/v1/jobs', {
    body: { customerId, title, scheduledStart: START, scheduledEnd: END },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

const SCENARIOS: Record<FaultName, Scenario> = {
  async 'get-unscoped'({ A, B }) {
    const victim = await createCustomer(B, 'Victim Vera');
    const res = await A('GET', `/v1/customers/${victim.id}`);
    return res.status === 200 || res.text.includes('Victim Vera');
  },
  async 'list-filter-precedence'({ A, B }) {
    await createCustomer(A, 'Attacker Al', 'al@attacker.example');
    const victim = await createCustomer(B, 'Victim Vera', 'vera@victim-corp.example');
    const res = await A('GET', '/v1/customers?q=victim-corp');
    return res.text.includes(victim.id);
  },
  async 'update-unscoped'({ A, B }) {
    const victim = await createCustomer(B, 'Victim Vera');
    const res = await A('PATCH', `/v1/customers/${victim.id}`, { body: { name: 'Pwned' } });
    const after = await B('GET', `/v1/customers/${victim.id}`);
    return res.status === 200 || after.body.name !== 'Victim Vera';
  },
  async 'delete-unscoped'({ A, B }) {
    const victim = await createCustomer(B, 'Victim Vera');
    const job = await createJob(B, victim.id, 'Victim job');
    const res = await A('DELETE', `/v1/jobs/${job.id}`);
    const after = await B('GET', `/v1/jobs/${job.id}`);
    return res.status === 204 || after.status !== 200;
  },
  async 'foreign-parent'({ A, B }) {
    const victim = await createCustomer(B, 'Victim Vera');
    const res = await A('POST', '/v1/jobs', {
      body: { customerId: victim.id, title: 'Sneaky', scheduledStart: START, scheduledEnd: END },
    });
    const bJobs = await B('GET', '/v1/jobs');
    return res.status === 201 || res.text.includes('Victim Vera') || bJobs.body.data.length > 0;
  },
  async 'summary-unscoped'({ A, B }) {
    await createCustomer(B, 'Victim Vera');
    const res = await A('GET', '/v1/reports/summary');
    return res.body.customers !== 0;
  },
  async 'export-unscoped'({ A, B }) {
    const victim = await createCustomer(B, 'Victim Vera');
    const res = await A('GET', '/v1/export?resource=customers');
    return res.text.includes(victim.id);
  },
  async 'search-unscoped'({ A, B }) {
    await createCustomer(B, 'Canary tpB7f3q9');
    const res = await A('GET', '/v1/search?q=tpB7f3q9');
    return res.body.data.length > 0;
  },
  async 'unique-global'({ A, B }) {
    const victim = await createCustomer(B, 'Victim Vera', 'shared@example.com');
    const res = await A('POST', '/v1/customers', { body: { name: 'Attacker Al', email: 'shared@example.com' } });
    return res.status !== 201 || res.text.includes(victim.id) || res.text.includes('Victim Vera');
  },
  async 'cache-without-tenant'({ A, B }) {
    await createCustomer(B, 'Victim Vera');
    const victimView = await B('GET', '/v1/reports/summary');
    expect(victimView.body.customers).toBe(1);
    const res = await A('GET', '/v1/reports/summary');
    return res.body.customers !== 0;
  },
  async 'session-set-pooled'({ A, B }) {
    const victim = await createCustomer(B, 'Victim Vera');
    const job = await createJob(B, victim.id, 'Victim job');
    let leaked = false;
    for (let i = 0; i < 5 && !leaked; i++) {
      await B('GET', '/v1/jobs');
      const res = await A('GET', `/v1/schedule?${WINDOW}`);
      leaked = res.text.includes(job.id);
    }
    return leaked;
  },
  async 'global-context-race'({ A, B }) {
    const own = await createCustomer(A, 'Attacker Al');
    const victim = await createCustomer(B, 'Victim Vera');
    // Several rounds of concurrent reads: once the client's keep-alive connections are warm,
    // requests of both tenants are in flight at the same time.
    for (let round = 0; round < 4; round++) {
      const requests: Promise<boolean>[] = [];
      for (let i = 0; i < 10; i++) {
        requests.push(A('GET', '/v1/customers').then((res) => res.text.includes(victim.id)));
        requests.push(B('GET', '/v1/customers').then((res) => res.text.includes(own.id)));
      }
      if ((await Promise.all(requests)).some(Boolean)) return true;
    }
    return false;
  },
  async 'tenant-header-override'({ A, B, b }) {
    const victim = await createCustomer(B, 'Victim Vera');
    const res = await A('GET', '/v1/customers', { headers: { 'x-tenant-id': b.tenantId } });
    return res.text.includes(victim.id);
  },
  async 'mass-assign-tenant'({ A, B, b }) {
    const res = await A('POST', '/v1/customers', {
      body: { name: 'Implant', email: 'implant@example.com', tenantId: b.tenantId },
    });
    const victimList = await B('GET', '/v1/customers');
    return res.status === 201 || victimList.text.includes('Implant');
  },
  async 'cursor-unbound'({ A, B }) {
    for (const name of ['Vera One', 'Vera Two', 'Vera Three']) await createCustomer(B, name);
    const victimPage = await B('GET', '/v1/customers?limit=1');
    const res = await A('GET', `/v1/customers?limit=1&cursor=${encodeURIComponent(victimPage.body.nextCursor)}`);
    return res.status === 200 && res.text.includes('Vera');
  },
  async 'idempotency-global'({ A, B }) {
    const body = { name: 'Same Name', email: 'same@example.com' };
    const victim = await B('POST', '/v1/customers', { body, headers: { 'idempotency-key': 'order-42' } });
    expect(victim.status).toBe(201);
    const res = await A('POST', '/v1/customers', { body, headers: { 'idempotency-key': 'order-42' } });
    return res.text.includes(victim.body.id);
  },
  async 'audit-misattributed'({ A, B }) {
    // Both tenants active at once; then each reads its own log for the other's request ids.
    const sent = await Promise.all([B, A, B, A, B, A].map((client) => client('GET', '/v1/me')));
    const ids = (indexes: number[]) => indexes.map((i) => sent[i]!.headers.get('x-request-id')!);
    const [victimIds, attackerIds] = [ids([0, 2, 4]), ids([1, 3, 5])];
    const attackerLog = (await A('GET', '/v1/audit-events?limit=100')).text;
    const victimLog = (await B('GET', '/v1/audit-events?limit=100')).text;
    return victimIds.some((id) => attackerLog.includes(id)) || attackerIds.some((id) => victimLog.includes(id));
  },
};

describe.each(backends())('fault catalogue on $name', (backend) => {
  const available = backendAvailable(backend);
  let tdb: TestDatabase;
  let clean: RunningCrm;

  beforeAll(async () => {
    if (!available) return;
    tdb = await openTestDatabase(backend);
    clean = await tdb.start();
  });
  afterAll(async () => {
    await tdb?.close();
  });

  /** Runs a scenario on fresh tenants: whether it leaked, and the requests A and B sent (provisioning excluded). */
  async function run(crm: RunningCrm, scenario: Scenario): Promise<{ leaked: boolean; requests: number }> {
    await crm.reset();
    const a = await createTenant(crm, 'Attacker');
    const b = await createTenant(crm, 'Victim');
    const counter = { requests: 0 };
    const A = counting(api(crm, a.apiKey), counter);
    const B = counting(api(crm, b.apiKey), counter);
    const leaked = await scenario({ crm, a, b, A, B });
    return { leaked, requests: counter.requests };
  }

  it('lists every fault with a one-line description', () => {
    expect(FAULT_CATALOGUE.map((f) => f.name).sort()).toEqual(Object.keys(SCENARIOS).sort());
    expect(Object.keys(SCENARIO_LENGTHS).sort()).toEqual(Object.keys(SCENARIOS).sort());
    for (const fault of FAULT_CATALOGUE) expect(fault.description).toMatch(/^[^\n]{20,200}$/);
  });

  it.skipIf(!available).each(FAULT_CATALOGUE.map((f) => f.name))(
    '%s leaks with the fault on in its listed number of requests, and not on the clean build',
    async (name) => {
      const length = SCENARIO_LENGTHS[name];
      const faulty = await tdb.start({ faults: [name] });
      try {
        const { leaked, requests } = await run(faulty, SCENARIOS[name]);
        expect(leaked, `${name} should leak`).toBe(true);
        // Without a retry loop the scenario sends exactly its length; with one, at least one round.
        if (length.loops) expect(requests, `${name}: requests sent`).toBeGreaterThanOrEqual(length.requests);
        else expect(requests, `${name}: requests sent`).toBe(length.requests);
      } finally {
        await faulty.close();
      }
      const { leaked } = await run(clean, SCENARIOS[name]);
      expect(leaked, `clean build should not leak in the ${name} scenario`).toBe(false);
    },
  );

  it.skipIf(!available)('rejects unknown fault names', async () => {
    const { startCrm, UnknownFaultError } = await import('../../crm/server.ts');
    await expect(startCrm({ faults: ['no-such-fault'] })).rejects.toBeInstanceOf(UnknownFaultError);
  });
});
