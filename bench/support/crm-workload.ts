/**
 * What the CRM benchmarks (bench/crm.ts, bench/crm-memory.ts) share: seeding tenants over fetch
 * (not measured), the measured keep-alive client (node:http), and reading a process's CPU from /proc.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

export interface SeededTenant {
  apiKey: string;
  customers: string[];
  jobs: string[];
}

export class SeedError extends Error {
  override name = 'SeedError';
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** User + system CPU milliseconds the process has used so far (null where /proc is unavailable). */
export function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** A create that must answer 201; its JSON body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bench convenience: callers read ids and keys
async function create(url: string, headers: Record<string, string>, body: unknown): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new SeedError(`POST ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

let uniq = 0;
export const unique = (): string => `${Date.now().toString(36)}${(uniq++).toString(36)}`;

/** `count` tenants named `<prefix>-<n>`, each with `customers` customers and a job per customer. */
export async function seedTenants(
  url: string,
  adminToken: string,
  options: { count: number; customers: number; prefix: string },
): Promise<SeededTenant[]> {
  return Promise.all(
    Array.from({ length: options.count }, async (_, t) => {
      const created = await create(
        `${url}/v1/tenants`,
        { 'x-admin-token': adminToken },
        { name: `${options.prefix}-${t}` },
      );
      const tenant: SeededTenant = { apiKey: created.apiKey, customers: [], jobs: [] };
      const auth = { authorization: `Bearer ${tenant.apiKey}` };
      for (let c = 0; c < options.customers; c++) {
        const customer = await create(`${url}/v1/customers`, auth, {
          name: `Customer ${c} of ${t}`,
          email: `c${c}-${unique()}@t${t}.example`,
        });
        tenant.customers.push(customer.id);
        const job = await create(`${url}/v1/jobs`, auth, {
          customerId: customer.id,
          title: `Job ${c} boiler service`,
          scheduledStart: '2026-03-02T14:00:00Z',
          scheduledEnd: '2026-03-02T17:00:00Z',
        });
        tenant.jobs.push(job.id);
      }
      return tenant;
    }),
  );
}

/** One request; resolves to its status (the body is read and dropped). */
export function send(
  agent: http.Agent,
  base: URL,
  method: string,
  apiKey: string,
  path: string,
  body?: unknown,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (response) => {
        response.on('data', () => {});
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
