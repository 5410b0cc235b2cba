/**
 * `tenantproof run --cleanup` against a shared deployment: the tenants already exist (file:
 * provisioning, as on staging), and after the campaign what the run created must be gone wherever
 * the API has a delete operation. Compared with the same campaign without --cleanup.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrm, type RunningCrm } from '../../crm/server.ts';
import { api, createTenant } from '../support/crm-fixture.ts';
import { runCli } from '../support/cli.ts';

let crm: RunningCrm;
const out = mkdtempSync(path.join(tmpdir(), 'tp-cleanup-'));
beforeAll(async () => {
  crm = await startCrm({});
});
afterAll(async () => {
  await crm?.close();
});

/** Two fresh tenants in a credentials file; returns the file and each tenant's API client. */
async function tenants(tag: string) {
  const ts = [await createTenant(crm, `${tag}-a`), await createTenant(crm, `${tag}-b`)];
  const file = path.join(out, `${tag}.json`);
  writeFileSync(
    file,
    JSON.stringify({ tenants: ts.map((t) => ({ id: t.tenantId, headers: { authorization: `Bearer ${t.apiKey}` } })) }),
  );
  return { file, clients: ts.map((t) => api(crm, t.apiKey)) };
}

async function customers(clients: ReturnType<typeof api>[]): Promise<number> {
  let n = 0;
  for (const c of clients) n += ((await c('GET', '/v1/customers?limit=100')).body as { data: unknown[] }).data.length;
  return n;
}

describe('tenantproof run --cleanup', () => {
  it('deletes what each run created, where a delete operation exists, and says how much', async () => {
    const without = await tenants('keep');
    const r1 = await runCli([
      'run',
      '--target',
      crm.url,
      '--provision',
      `file:${without.file}`,
      '--runs',
      '2',
      // Two runs probe a third of the operations; the coverage gate is not what this test is about.
      '--min-coverage',
      '0',
      '--budget',
      '20s',
      '--seed',
      '3',
      '--out',
      out,
    ]);
    expect(r1.code, r1.stderr).toBe(0);
    const left = await customers(without.clients);
    expect(left, 'the campaign creates customers').toBeGreaterThan(0);

    const withCleanup = await tenants('clean');
    const r2 = await runCli([
      'run',
      '--target',
      crm.url,
      '--provision',
      `file:${withCleanup.file}`,
      '--runs',
      '2',
      // Two runs probe a third of the operations; the coverage gate is not what this test is about.
      '--min-coverage',
      '0',
      '--budget',
      '20s',
      '--seed',
      '3',
      '--cleanup',
      '--out',
      out,
    ]);
    expect(r2.code, r2.stderr).toBe(0);
    const m = /cleanup: (\d+) records deleted, (\d+) refused, (\d+) without a delete operation/.exec(r2.stdout);
    expect(m, r2.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    // Customers still referenced by an invoice are refused (409), so not always zero; far fewer than without cleanup.
    expect(await customers(withCleanup.clients)).toBeLessThan(left);
    const transcript = readFileSync(path.join(out, 'latest', 'transcript.ndjson'), 'utf8');
    expect(transcript).toMatch(/"method":"DELETE"/);
  });
});
