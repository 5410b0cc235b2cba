/**
 * A finding's minimal repro on disk: `counterexamples/<n>.json` (what `tenantproof replay` reads)
 * and `counterexamples/<n>.test.ts`, a standalone vitest regression test that uses plain axios and
 * nothing of tenantproof, so a team can drop it into its own suite and keep it until the fix lands.
 */
import { LEGACY_PROBE_NAMES, STEP_PROBES } from '../model/probe.ts';
import { STEP_ACTIONS } from '../model/step.ts';
import { UsageError } from '../errors.ts';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Finding, OracleName } from '../model/exchange.ts';
import type { Step } from '../model/step.ts';

export const COUNTEREXAMPLE_VERSION = '1.0';

const stepValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(stepValue), z.record(z.string(), stepValue)]),
);

export const counterexampleSchema = z.object({
  schemaVersion: z.literal(COUNTEREXAMPLE_VERSION),
  runId: z.string(),
  oracle: z.string(),
  /** The finding it reproduces, oracle|operationId|probe (absent in older files: the oracle alone). */
  key: z.string().optional(),
  spec: z.object({ file: z.string(), sha256: z.string() }),
  target: z.object({
    kind: z.enum(['embedded', 'url']),
    url: z.string().optional(),
    faults: z.array(z.string()).optional(),
  }),
  provision: z.string(),
  tenants: z.number().int().min(2),
  seed: z.number().int(),
  fcPath: z.string().optional(),
  commands: z.array(z.string()),
  steps: z.array(
    z.object({
      index: z.number().int(),
      tenant: z.string(),
      operationId: z.string(),
      action: z.enum(STEP_ACTIONS),
      relation: z.enum(['own', 'foreign', 'injected', 'setup']),
      // Files written before the probe vocabulary was unified use the old names.
      probe: z
        .string()
        .transform((p) => LEGACY_PROBE_NAMES[p] ?? p)
        .pipe(z.enum(STEP_PROBES))
        .optional(),
      victim: z.string().optional(),
      resource: z.string().optional(),
      recordFrom: z.number().int().optional(),
      method: z.string(),
      path: z.string(),
      pathParams: z.record(z.string(), stepValue),
      query: z.record(z.string(), stepValue),
      headers: z.record(z.string(), stepValue),
      body: stepValue.optional(),
      batch: z.number().int().optional(),
    }),
  ),
  findings: z.array(
    z
      .object({
        oracle: z.string(),
        severity: z.string(),
        operationId: z.string(),
        attacker: z.string(),
        victim: z.string().optional(),
        summary: z.string(),
      })
      .passthrough(),
  ),
  reproduction: z.object({ reproduced: z.number().int(), attempts: z.number().int() }).optional(),
});

export type CounterexampleFile = z.infer<typeof counterexampleSchema>;

export class CounterexampleFileError extends UsageError {}

export function parseCounterexample(text: string, file: string): CounterexampleFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CounterexampleFileError(`${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = counterexampleSchema.safeParse(json);
  if (!parsed.success) {
    throw new CounterexampleFileError(
      `${file} is not a tenantproof counterexample:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  return parsed.data;
}

export interface CounterexampleInput {
  runId: string;
  oracle: OracleName;
  key?: string;
  specFile: string;
  specSha256: string;
  target: CounterexampleFile['target'];
  provision: string;
  tenants: number;
  seed: number;
  fcPath?: string;
  commands: string[];
  steps: Step[];
  findings: Finding[];
  reproduction?: { reproduced: number; attempts: number };
}

/** Writes `<n>.json` and `<n>.test.ts` into `dir`; returns the JSON file's path. */
export function writeCounterexample(dir: string, n: number, input: CounterexampleInput): string {
  const doc: CounterexampleFile = {
    schemaVersion: COUNTEREXAMPLE_VERSION,
    runId: input.runId,
    oracle: input.oracle,
    ...(input.key ? { key: input.key } : {}),
    spec: { file: input.specFile, sha256: input.specSha256 },
    target: input.target,
    provision: input.provision,
    tenants: input.tenants,
    seed: input.seed,
    commands: input.commands,
    steps: input.steps as CounterexampleFile['steps'],
    findings: input.findings.map((f) => JSON.parse(JSON.stringify(f)) as CounterexampleFile['findings'][number]),
  };
  if (input.fcPath) doc.fcPath = input.fcPath;
  if (input.reproduction) doc.reproduction = input.reproduction;
  const jsonFile = path.join(dir, `${n}.json`);
  writeFileSync(jsonFile, JSON.stringify(doc, null, 2) + '\n');
  writeFileSync(path.join(dir, `${n}.test.ts`), regressionTest(doc, n));
  return jsonFile;
}

/**
 * The standalone regression test. It provisions fresh tenants through the reference CRM's admin
 * endpoint (or takes credentials from TENANTPROOF_CREDENTIALS), replays the steps with axios,
 * and asserts the isolation properties the finding broke: no response to one tenant carries a
 * value another tenant created, and cross-tenant probes fail as a missing id would.
 */
function regressionTest(doc: CounterexampleFile, n: number): string {
  const steps = JSON.stringify(doc.steps, null, 2);
  return `// Regression test for tenantproof finding ${n} (${doc.oracle}), run ${doc.runId}.
// Generated by tenantproof; standalone: needs only vitest and axios.
//
//   TENANTPROOF_TARGET=http://127.0.0.1:3000 TENANTPROOF_ADMIN_TOKEN=... npx vitest run ${n}.test.ts
//
// or, for an API without the admin endpoint, TENANTPROOF_CREDENTIALS=creds.json with
// [{ "label": "T1", "headers": { "authorization": "Bearer ..." }, "id": "..." }, ...].
// It fails while the leak is present and passes once it is fixed.
import { readFileSync } from 'node:fs';
import axios from 'axios';
import { describe, expect, it } from 'vitest';

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };
interface Step { index: number; tenant: string; operationId: string; relation: string; probe?: string; victim?: string; method: string; path: string; pathParams: Record<string, Value>; query: Record<string, Value>; headers: Record<string, Value>; body?: Value; batch?: number }

const STEPS: Step[] = ${steps};
const TENANTS = ${doc.tenants};
const base = (process.env.TENANTPROOF_TARGET ?? '').replace(/\\/+$/, '');

async function tenants(): Promise<{ label: string; headers: Record<string, string>; id?: string }[]> {
  if (process.env.TENANTPROOF_CREDENTIALS) return JSON.parse(readFileSync(process.env.TENANTPROOF_CREDENTIALS, 'utf8'));
  const out = [];
  for (let i = 1; i <= TENANTS; i++) {
    const res = await axios.post(base + '/v1/tenants', { name: 'regression ${n} T' + i }, { headers: { 'x-admin-token': process.env.TENANTPROOF_ADMIN_TOKEN ?? '' } });
    out.push({ label: 'T' + i, headers: { authorization: 'Bearer ' + res.data.apiKey }, id: res.data.tenant.id });
  }
  return out;
}

function dig(v: unknown, path: string): unknown {
  return path === '' ? v : path.split('.').reduce<unknown>((cur, k) => (cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined), v);
}

describe.skipIf(!base)('tenantproof finding ${n}: ${doc.oracle}', () => {
  it('keeps every tenant to its own data', async () => {
    const creds = await tenants();
    const byLabel = new Map(creds.map((c) => [c.label, c]));
    const responses = new Map<number, unknown>();
    const owned = new Map<string, string>(); // value -> owning tenant
    const sent = new Map<string, Set<string>>(); // tenant -> values it sent
    const resolve = (v: Value): Value => {
      if (Array.isArray(v)) return v.map(resolve);
      if (v && typeof v === 'object') {
        if ('$from' in v) return dig(responses.get(v.$from as number), v.path as string) as Value;
        if ('$tenantId' in v) return byLabel.get(v.$tenantId as string)?.id ?? '';
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
      }
      return v;
    };
    const problems: string[] = [];
    for (const step of STEPS) {
      const who = byLabel.get(step.tenant)!;
      let path = step.path;
      for (const [k, v] of Object.entries(step.pathParams)) path = path.replace('{' + k + '}', encodeURIComponent(String(resolve(v))));
      const query = Object.fromEntries(Object.entries(step.query).map(([k, v]) => [k, resolve(v)]));
      const headers = { ...Object.fromEntries(Object.entries(step.headers).map(([k, v]) => [k, String(resolve(v))])), ...who.headers };
      const body = step.body === undefined ? undefined : resolve(step.body);
      const mine = sent.get(step.tenant) ?? new Set<string>();
      sent.set(step.tenant, mine);
      JSON.stringify([path, query, body]).match(/[A-Za-z0-9._@-]{8,}/g)?.forEach((v) => mine.add(v));
      const res = await axios.request({ method: step.method, url: base + path, params: query, data: body, headers, validateStatus: () => true, responseType: 'text', transformResponse: (x) => x });
      const text = String(res.data);
      let json: unknown;
      try { json = JSON.parse(text); } catch { json = undefined; }
      responses.set(step.index, json);
      for (const [value, owner] of owned) {
        if (owner !== step.tenant && text.includes(value) && ![...mine].some((m) => m.includes(value))) {
          problems.push(step.tenant + ' ' + step.method + ' ' + path + ' (' + res.status + ') shows a value of ' + owner + ': ' + value);
        }
      }
      if (step.probe && /^foreign-(read|update|delete|action|reference)$/.test(step.probe) && res.status >= 200 && res.status < 300) {
        problems.push(step.tenant + ' ' + step.probe + ' ' + step.method + ' ' + path + ' succeeded (' + res.status + ') on a record of ' + step.victim);
      }
      if (step.relation === 'own' && res.status >= 200 && res.status < 300) {
        const id = dig(json, 'id');
        if (typeof id === 'string' && !owned.has(id)) owned.set(id, step.tenant);
        JSON.stringify(body ?? '').match(/tp[A-Za-z0-9]{6,}/g)?.forEach((c) => owned.set(c, step.tenant));
      }
    }
    expect(problems).toEqual([]);
  });
});
`;
}
