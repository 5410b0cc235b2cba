/**
 * `tenantproof crm --data-dir DIR`, end to end through the real command in child processes:
 * every write the CRM acknowledged (a 2xx received) survives a kill -9 in the middle of a burst of
 * concurrent writes, at two kill points, with the tenants' API keys; a clean SIGTERM keeps
 * everything too; a second process on the same directory is refused while the first runs (exit
 * 3), and a lock left by a killed process does not block the restart. Data directories live under
 * the repository's .tmp/ and are removed afterwards.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../crm/cli.ts';
import { LOCK_FILE } from '../../crm/db/data-dir-lock.ts';
import { REPO_ROOT, runCli } from '../support/cli.ts';
import { startCrmProcess, type CrmProcess } from '../support/crm-process.ts';

const ADMIN_TOKEN = 'tpa_persistent_pglite_test';
const ENV = { CRM_ADMIN_TOKEN: ADMIN_TOKEN, CRM_RATE_LIMIT: '100000:100000' };
const WRITERS = 12;

const scratchRoot = path.join(REPO_ROOT, '.tmp');
mkdirSync(scratchRoot, { recursive: true });
const scratch = mkdtempSync(path.join(scratchRoot, 'persistent-pglite-'));
const running = new Set<CrmProcess>();

afterAll(async () => {
  for (const crm of running) await crm.crash();
  rmSync(scratch, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

let dirs = 0;
const newDataDir = () => path.join(scratch, `data-${++dirs}`);

async function start(dataDir: string): Promise<CrmProcess> {
  const crm = await startCrmProcess(['--data-dir', dataDir], ENV);
  running.add(crm);
  void crm.exited.then(() => running.delete(crm));
  return crm;
}

interface Tenant {
  id: string;
  apiKey: string;
}

interface Customer {
  id: string;
  name: string;
  email: string;
}

async function call(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience: callers index into bodies
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function createTenant(crm: CrmProcess, name: string): Promise<Tenant> {
  const created = await call(`${crm.url}/v1/tenants`, 'POST', { 'x-admin-token': ADMIN_TOKEN }, { name });
  expect(created.status).toBe(201);
  return { id: created.body.tenant.id, apiKey: created.body.apiKey };
}

const bearer = (tenant: Tenant) => ({ authorization: `Bearer ${tenant.apiKey}` });

let serial = 0;
async function createCustomer(crm: CrmProcess, tenant: Tenant): Promise<Customer | undefined> {
  const n = ++serial;
  const wanted = { name: `Customer ${n}`, email: `customer-${n}@persistent.example` };
  const created = await call(`${crm.url}/v1/customers`, 'POST', bearer(tenant), wanted);
  return created.status === 201 ? { id: created.body.id, ...wanted } : undefined;
}

interface Burst {
  customers: Map<string, { tenant: Tenant; customer: Customer }>;
  tenants: Tenant[];
  /** Requests still open when the process was killed (each one failed or was answered late). */
  inFlightAtKill: number;
  /** Requests that got no 2xx (a refused or cut connection once the process was gone). */
  unacknowledged: number;
}

/**
 * WRITERS concurrent writers (customers for the given tenants, and one creating tenants) until
 * `killAfter` customers have been acknowledged in this burst: then kill -9, with the other writers'
 * requests still open, and collect what was acknowledged.
 */
async function burstUntilKilled(crm: CrmProcess, tenants: Tenant[], killAfter: number): Promise<Burst> {
  const burst: Burst = { customers: new Map(), tenants: [], inFlightAtKill: 0, unacknowledged: 0 };
  let inFlight = 0;
  let killed: Promise<void> | undefined;
  const kill = () => {
    if (killed) return;
    burst.inFlightAtKill = inFlight;
    killed = crm.crash();
  };
  const attempt = async <T>(write: () => Promise<T | undefined>): Promise<T | undefined> => {
    inFlight++;
    try {
      const result = await write();
      if (result === undefined) burst.unacknowledged++;
      return result;
    } catch {
      burst.unacknowledged++; // the connection was cut: not acknowledged
      return undefined;
    } finally {
      inFlight--;
    }
  };
  const customerWriter = async (w: number) => {
    for (let i = 0; !killed; i++) {
      const tenant = tenants[(w + i) % tenants.length]!;
      const customer = await attempt(() => createCustomer(crm, tenant));
      if (customer) {
        burst.customers.set(customer.id, { tenant, customer });
        if (burst.customers.size >= killAfter) kill();
      }
    }
  };
  const tenantWriter = async () => {
    while (!killed) {
      const tenant = await attempt(async () => {
        const created = await call(
          `${crm.url}/v1/tenants`,
          'POST',
          { 'x-admin-token': ADMIN_TOKEN },
          { name: `burst-${++serial}` },
        );
        return created.status === 201 ? { id: created.body.tenant.id, apiKey: created.body.apiKey } : undefined;
      });
      if (tenant) burst.tenants.push(tenant);
    }
  };
  await Promise.all([tenantWriter(), ...Array.from({ length: WRITERS - 1 }, (_, w) => customerWriter(w))]);
  await killed;
  return burst;
}

/** Runs `check` over `items`, eight at a time. */
async function eachConcurrently<T>(items: T[], check: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < items.length) await check(items[next++]!);
    }),
  );
}

async function expectCustomersPresent(
  crm: CrmProcess,
  customers: Iterable<{ tenant: Tenant; customer: Customer }>,
): Promise<void> {
  const missing: string[] = [];
  await eachConcurrently([...customers], async ({ tenant, customer }) => {
    const read = await call(`${crm.url}/v1/customers/${customer.id}`, 'GET', bearer(tenant));
    if (read.status !== 200 || read.body.name !== customer.name || read.body.email !== customer.email)
      missing.push(`${customer.id}: ${read.status}`);
  });
  expect(missing).toEqual([]);
}

async function expectKeysWork(crm: CrmProcess, tenants: Tenant[]): Promise<void> {
  const refused: string[] = [];
  await eachConcurrently(tenants, async (tenant) => {
    const me = await call(`${crm.url}/v1/me`, 'GET', bearer(tenant));
    if (me.status !== 200 || me.body.tenantId !== tenant.id) refused.push(`${tenant.id}: ${me.status}`);
  });
  expect(refused).toEqual([]);
}

describe('tenantproof crm --data-dir', () => {
  it('keeps every acknowledged write across kill -9 in the middle of a burst, at two kill points', async () => {
    const dataDir = newDataDir();
    let crm = await start(dataDir);
    const tenants = [await createTenant(crm, 'Acme'), await createTenant(crm, 'Globex')];
    const acknowledged = new Map<string, { tenant: Tenant; customer: Customer }>();
    const allTenants = [...tenants];

    for (const killAfter of [25, 90]) {
      const burst = await burstUntilKilled(crm, tenants, killAfter);
      expect(await crm.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // The kill hit the burst mid-flight: requests were open, and some were never acknowledged.
      expect(burst.inFlightAtKill).toBeGreaterThan(0);
      expect(burst.unacknowledged).toBeGreaterThan(0);
      expect(burst.customers.size).toBeGreaterThanOrEqual(killAfter);
      for (const [id, entry] of burst.customers) acknowledged.set(id, entry);
      allTenants.push(...burst.tenants);
      // The killed process left its lock behind: the restart must take it over.
      expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(true);

      crm = await start(dataDir);
      await expectCustomersPresent(crm, acknowledged.values());
      await expectKeysWork(crm, allTenants);
    }
    // After the restarts the store still takes writes.
    const more = await createCustomer(crm, tenants[0]!);
    expect(more).toBeDefined();
    await crm.stop();
  });

  it('refuses a second process on the same directory, and keeps everything across a clean SIGTERM', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    const tenant = await createTenant(first, 'Initech');
    const customers: { tenant: Tenant; customer: Customer }[] = [];
    for (let i = 0; i < 10; i++) {
      const customer = await createCustomer(first, tenant);
      expect(customer).toBeDefined();
      customers.push({ tenant, customer: customer! });
    }

    const second = await runCli(['crm', '--port', '0', '--data-dir', dataDir], { env: ENV });
    expect(second.code).toBe(3);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain(`is in use by another process (pid ${first.pid})`);
    // The refused process did not disturb the first one.
    await expectCustomersPresent(first, customers);

    await first.stop();
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);

    const again = await start(dataDir);
    await expectCustomersPresent(again, customers);
    await expectKeysWork(again, [tenant]);
    await again.stop();
  });

  it('--data-dir together with --database-url is a usage error (exit 2)', async () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const dataDir = newDataDir();
    expect(await main(['--data-dir', dataDir, '--database-url', 'postgres://127.0.0.1:1/none'])).toBe(2);
    expect(stderr.join('')).toMatch(/--database-url and --data-dir exclude each other/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
