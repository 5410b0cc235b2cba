/**
 * Idempotency across real CRM processes: two `tenantproof crm` processes on one PostgreSQL
 * database get the same payment at the same time, and a process is killed (SIGKILL) in the middle
 * of a burst of payments and restarted, on PostgreSQL and on PGlite with --data-dir. Every retry
 * carries its original Idempotency-Key: no payment may be written twice, and none acknowledged may
 * be lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../crm/db/scratch-database.ts';
import { api, type ApiClient } from '../support/crm-fixture.ts';
import { paymentIds } from './support/payments.ts';
import { startCrmProcess, type CrmProcess } from '../support/crm-process.ts';

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const ADMIN_TOKEN = 'idempotency-processes-admin';

interface Payment {
  key: string;
  body: { amountCents: number; method: string; reference: string };
}

async function provision(crm: CrmProcess): Promise<{ apiKey: string; invoiceId: string }> {
  const tenant = await api(crm)('POST', '/v1/tenants', {
    body: { name: 'Many Processes Ltd' },
    headers: { 'x-admin-token': ADMIN_TOKEN },
  });
  expect(tenant.status, tenant.text).toBe(201);
  const A = api(crm, tenant.body.apiKey as string);
  const customer = await A('POST', '/v1/customers', { body: { name: 'Payer', email: 'payer@example.com' } });
  expect(customer.status, customer.text).toBe(201);
  const invoice = await A('POST', '/v1/invoices', {
    body: {
      customerId: customer.body.id,
      lineItems: [{ description: 'Retainer', quantity: 1, unitPriceCents: 10_000_000 }],
      dueDate: '2026-12-31',
    },
  });
  expect(invoice.status, invoice.text).toBe(201);
  return { apiKey: tenant.body.apiKey as string, invoiceId: invoice.body.id as string };
}

function payments(count: number, label: string): Payment[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `${label}-${i}`,
    body: { amountCents: 100 + i, method: 'card', reference: `${label}-${i}` },
  }));
}

/** Sends a payment until it is answered 201 (a 409 in progress means: the first is still running). */
async function payUntilAnswered(
  A: ApiClient,
  invoiceId: string,
  payment: Payment,
  replayed: Set<string> = new Set(),
): Promise<string> {
  for (;;) {
    const response = await A('POST', `/v1/invoices/${invoiceId}/payments`, {
      body: payment.body,
      headers: { 'idempotency-key': payment.key },
    });
    if (response.status === 409 && response.body?.type?.endsWith('/idempotency-in-progress')) continue;
    expect(response.status, response.text).toBe(201);
    if (response.headers.get('idempotent-replayed') === 'true') replayed.add(payment.key);
    return response.body.id as string;
  }
}

/**
 * Fires every payment at once, SIGKILLs the server once `killAfter` are acknowledged, restarts it
 * and retries the rest with the same keys. Returns what was acknowledged before and after.
 */
async function crashMidBurst(
  start: () => Promise<CrmProcess>,
): Promise<{ beforeCrash: Map<string, string>; all: Map<string, string>; stored: string[] }> {
  let crm = await start();
  const { apiKey, invoiceId } = await provision(crm);
  const burst = payments(60, 'crash');
  const acknowledged = new Map<string, string>();
  const killAfter = 12;
  let crashed: Promise<void> | undefined;
  const A = api(crm, apiKey);
  await Promise.allSettled(
    burst.map(async (payment) => {
      const response = await A('POST', `/v1/invoices/${invoiceId}/payments`, {
        body: payment.body,
        headers: { 'idempotency-key': payment.key },
      });
      if (response.status !== 201 || crashed) return;
      acknowledged.set(payment.key, response.body.id as string);
      if (acknowledged.size === killAfter) crashed = crm.crash();
    }),
  );
  await crashed;
  const beforeCrash = new Map(acknowledged);
  expect(beforeCrash.size).toBe(killAfter);

  crm = await start();
  try {
    const B = api(crm, apiKey);
    const all = new Map<string, string>();
    const replayed = new Set<string>();
    // Every payment again, acknowledged or not, with its original key.
    for (const payment of burst) all.set(payment.key, await payUntilAnswered(B, invoiceId, payment, replayed));
    const committedUnacknowledged = [...replayed].filter((key) => !acknowledged.has(key)).length;
    // How many writes the crash caught between commit and acknowledgement (the case that used to
    // duplicate or answer 409): informative, as it depends on timing.
    console.info(`crash: ${acknowledged.size} acknowledged, ${committedUnacknowledged} committed but unacknowledged`);
    return { beforeCrash, all, stored: await paymentIds(B, invoiceId) };
  } finally {
    await crm.stop();
  }
}

function expectExactlyOnce(result: { beforeCrash: Map<string, string>; all: Map<string, string>; stored: string[] }) {
  // No acknowledged write lost, and its retry replays the same payment.
  for (const [key, id] of result.beforeCrash) expect(result.all.get(key), key).toBe(id);
  // No duplicates: one stored payment per key.
  expect(result.stored).toHaveLength(60);
  expect(new Set(result.stored)).toEqual(new Set(result.all.values()));
}

describe.skipIf(!DATABASE_URL)('idempotency across processes on PostgreSQL', () => {
  const scratches: ScratchDatabase[] = [];
  afterAll(async () => {
    for (const scratch of scratches) await scratch.drop();
  });
  const scratchUrl = async () => {
    const scratch = await createScratchDatabase(DATABASE_URL!);
    scratches.push(scratch);
    return scratch.url;
  };

  it('two processes on one database write each of 50 concurrent same-key payment pairs once', async () => {
    const url = await scratchUrl();
    const first = await startCrmProcess(['--database-url', url, '--admin-token', ADMIN_TOKEN]);
    const second = await startCrmProcess(['--database-url', url, '--admin-token', ADMIN_TOKEN]);
    try {
      const { apiKey, invoiceId } = await provision(first);
      const viaFirst = api(first, apiKey);
      const viaSecond = api(second, apiKey);
      const pairs = await Promise.all(
        payments(50, 'pair').map((payment) =>
          Promise.all([
            payUntilAnswered(viaFirst, invoiceId, payment),
            payUntilAnswered(viaSecond, invoiceId, payment),
          ]),
        ),
      );
      for (const [a, b] of pairs) expect(a).toBe(b);
      const stored = await paymentIds(viaFirst, invoiceId);
      expect(stored).toHaveLength(50);
      expect(new Set(stored)).toEqual(new Set(pairs.map(([a]) => a)));
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('a process killed mid-burst and restarted: 0 duplicates, 0 lost writes', async () => {
    const url = await scratchUrl();
    expectExactlyOnce(
      await crashMidBurst(() => startCrmProcess(['--database-url', url, '--admin-token', ADMIN_TOKEN])),
    );
  });
});

describe('idempotency across a crash on PGlite with --data-dir', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tenantproof-idempotency-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a process killed mid-burst and restarted on its data dir: 0 duplicates, 0 lost writes', async () => {
    expectExactlyOnce(
      await crashMidBurst(() => startCrmProcess(['--data-dir', dataDir, '--admin-token', ADMIN_TOKEN])),
    );
  });
});
