/**
 * A finding's minimal repro on disk: `counterexamples/<n>.json` (what `tenantproof replay` reads)
 * and `counterexamples/<n>.test.ts`, a standalone vitest regression test that uses plain axios and
 * nothing of tenantproof, so a team can keep it in its own suite until the fix lands.
 *
 * The test's text has one source, `regressionTestSource`, fed with the counterexample as parsed
 * from its JSON file: the copy sealed in the run folder and the ones `tenantproof export-test`
 * writes into a user's repository differ only in their header comment.
 */
import { CROSS_TENANT_PROBES, LEGACY_PROBE_NAMES, STEP_PROBES } from '../model/probe.ts';
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
  /** `overlay`: the overlay file applied on top of the spec (`--overlay`), absent when none was. */
  spec: z.object({ file: z.string(), sha256: z.string(), overlay: z.string().optional() }),
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
      // What a probe's twin needs to be built on replay (the id-that-exists-nowhere twin, the
      // fresh-value twin, the twin without the override): lost, a replay could not compare.
      target: z
        .object({
          in: z.enum(['path', 'body']),
          name: z.string(),
          resource: z.string(),
          many: z.boolean().optional(),
        })
        .optional(),
      uniqueField: z.string().optional(),
      override: z
        .object({
          vector: z.enum(['header', 'query', 'body', 'path']),
          fields: z.array(
            z.object({
              in: z.enum(['header', 'query', 'body', 'path']),
              name: z.string(),
              required: z.boolean().optional(),
            }),
          ),
        })
        .optional(),
      resource: z.string().optional(),
      recordFrom: z.number().int().optional(),
      method: z.string(),
      path: z.string(),
      pathParams: z.record(z.string(), stepValue),
      query: z.record(z.string(), stepValue),
      headers: z.record(z.string(), stepValue),
      body: stepValue.optional(),
      batch: z.number().int().optional(),
      user: z.number().int().min(0).optional(),
    }),
  ),
  /** A checkpoint ran before steps[k] for each k (absent: only the one after the last step). */
  checkpoints: z.array(z.number().int().min(1)).optional(),
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
  /** The overlay applied on top of the spec, if any (replay applies it again). */
  specOverlay?: string;
  target: CounterexampleFile['target'];
  provision: string;
  tenants: number;
  seed: number;
  fcPath?: string;
  commands: string[];
  steps: Step[];
  /** Mid-run checkpoints (Counterexample.checkpoints). */
  checkpoints?: number[];
  findings: Finding[];
  reproduction?: { reproduced: number; attempts: number };
}

/**
 * Writes `<n>.json` and `<n>.test.ts` into `dir`; returns the JSON file's path. The test is
 * generated from the JSON as written, parsed back the way `tenantproof export-test` reads it.
 */
export function writeCounterexample(dir: string, n: number, input: CounterexampleInput): string {
  const doc: CounterexampleFile = {
    schemaVersion: COUNTEREXAMPLE_VERSION,
    runId: input.runId,
    oracle: input.oracle,
    ...(input.key ? { key: input.key } : {}),
    spec: {
      file: input.specFile,
      sha256: input.specSha256,
      ...(input.specOverlay !== undefined ? { overlay: input.specOverlay } : {}),
    },
    target: input.target,
    provision: input.provision,
    tenants: input.tenants,
    seed: input.seed,
    commands: input.commands,
    steps: input.steps as CounterexampleFile['steps'],
    ...(input.checkpoints?.length ? { checkpoints: input.checkpoints } : {}),
    findings: input.findings.map((f) => JSON.parse(JSON.stringify(f)) as CounterexampleFile['findings'][number]),
  };
  if (input.fcPath) doc.fcPath = input.fcPath;
  if (input.reproduction) doc.reproduction = input.reproduction;
  const jsonFile = path.join(dir, `${n}.json`);
  const text = JSON.stringify(doc, null, 2) + '\n';
  writeFileSync(jsonFile, text);
  let test: string;
  try {
    test = regressionTestSource(parseCounterexample(text, jsonFile), n, { kind: 'in-folder' });
  } catch (err) {
    // Never lose the run's evidence over its convenience copy: say why there is no test instead.
    test = `// tenantproof could not generate a regression test from ${n}.json: ${oneLine((err as Error).message)}\nexport {};\n`;
  }
  writeFileSync(path.join(dir, `${n}.test.ts`), test);
  return jsonFile;
}

/** Where a regression test's text goes: sealed beside its JSON, or exported into a user's suite. */
export type RegressionTestKind = 'in-folder' | 'exported';

/** The file name `tenantproof export-test` gives counterexample `n` of run `runId`. */
export function exportedTestFileName(runId: string, n: number): string {
  return `tenantproof-${runId.replace(/[^A-Za-z0-9._-]+/g, '-')}-${n}.test.ts`;
}

type CounterexampleStep = CounterexampleFile['steps'][number];

/**
 * The generated test's `Step` type: one line per field a counterexample step can carry, in the
 * order the test lists them, or null for a field only `tenantproof replay` uses (how a probe's
 * twin is built: the standalone test compares against a missing id instead). The mapped type makes
 * this table name every field of the schema, and `projectStep` emits only the non-null ones, so the
 * STEPS literal always fits the interface.
 */
const STEP_FIELDS: { readonly [K in keyof Required<CounterexampleStep>]: string | null } = {
  index: 'index: number;',
  tenant: 'tenant: string;',
  operationId: 'operationId: string;',
  action: 'action: string;',
  relation: 'relation: string;',
  probe: 'probe?: string;',
  victim: 'victim?: string;',
  target: null,
  uniqueField: null,
  override: null,
  resource: 'resource?: string;',
  recordFrom: 'recordFrom?: number;',
  method: 'method: string;',
  path: 'path: string;',
  pathParams: 'pathParams: Record<string, Value>;',
  query: 'query: Record<string, Value>;',
  headers: 'headers: Record<string, Value>;',
  body: 'body?: Value;',
  batch: 'batch?: number;',
  user: null,
};

/** A step with exactly the fields of STEP_FIELDS, in its order (absent optional fields left out). */
function projectStep(step: CounterexampleStep): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(STEP_FIELDS) as (keyof CounterexampleStep)[])
    if (STEP_FIELDS[key] !== null && step[key] !== undefined) out[key] = step[key];
  return out;
}

/** What a counterexample reproduces, in a few words: `foreign-data on getCustomer (T1 → T2)`. */
export function describeFinding(doc: CounterexampleFile): string {
  const first = doc.findings[0];
  if (!first) return doc.oracle;
  return `${first.oracle} on ${first.operationId} (${first.victim ? `${first.attacker} → ${first.victim}` : first.attacker})`;
}

/** Text safe inside a `//` comment: one line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

/**
 * The standalone regression test. It provisions fresh tenants through the reference CRM's admin
 * endpoint (or takes credentials from TENANTPROOF_CREDENTIALS), replays the steps with axios
 * (concurrent batches together again), and asserts the isolation properties the finding broke: no
 * response to one tenant carries a value another tenant created, and a cross-tenant probe is not
 * answered 2xx where the same request naming an id that exists nowhere is refused.
 *
 * It compiles under a strict tsconfig (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes,
 * noPropertyAccessFromIndexSignature, verbatimModuleSyntax, NodeNext or ESNext modules).
 */
export function regressionTestSource(
  doc: CounterexampleFile,
  n: number,
  options: { kind: RegressionTestKind },
): string {
  const first = doc.findings[0];
  const what = describeFinding(doc);
  const title = `tenantproof finding ${n} of run ${doc.runId}: ${what}`;
  const steps = JSON.stringify(doc.steps.map(projectStep), null, 2);
  const runWith =
    '//   TENANTPROOF_TARGET=http://127.0.0.1:3000 TENANTPROOF_ADMIN_TOKEN=... npx vitest run ' +
    (options.kind === 'exported' ? exportedTestFileName(doc.runId, n) : 'test/isolation/');
  const where =
    options.kind === 'exported'
      ? `// Written by \`tenantproof export-test\` from counterexamples/${n}.json; keep it in your suite until the
// fix lands. Run it from your repository's root:
//
${runWith}`
      : `// Do not run it inside this run folder: the folder is sealed (manifest.json lists every file's
// digest), and vitest would write its cache and config into it, so \`tenantproof verify\` would
// fail. Copy it into your own suite, then run it from your repository's root:
//
//   npx tenantproof export-test reports/${oneLine(doc.runId)} --out test/isolation/
${runWith}`;
  return `// Regression test for tenantproof finding ${n}: ${oneLine(what)}, run ${oneLine(doc.runId)}.
${first?.summary ? `// ${oneLine(first.summary)}\n` : ''}// Generated by tenantproof; standalone: it needs only vitest and axios.
//
${where}
//
// Tenants: fresh ones from the reference CRM's admin endpoint (POST /v1/tenants with
// TENANTPROOF_ADMIN_TOKEN) or, for another API, TENANTPROOF_CREDENTIALS=creds.json holding
// [{ "label": "T1", "headers": { "authorization": "Bearer ..." }, "id": "..." }, ...] (${doc.tenants} tenants).
// Without TENANTPROOF_TARGET the test is skipped. It fails while the leak is present and passes
// once it is fixed.
import { readFileSync } from 'node:fs';
import axios from 'axios';
import { describe, expect, it } from 'vitest';

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** One request of the minimal repro, as tenantproof recorded it. */
interface Step {
${Object.values(STEP_FIELDS)
  .filter((line) => line !== null)
  .map((line) => `  ${line}`)
  .join('\n')}
}

/**
 * A tenant: its label in STEPS (T1, T2, ...), the headers it authenticates with, its id, and the
 * non-secret parts that select it (\`header:Host\` for a tenant by subdomain, \`path:orgId\` by path prefix).
 */
interface Tenant {
  label: string;
  headers: Record<string, string>;
  id?: string;
  selectors?: Record<string, string>;
}

/** A request as sent, and what came back. */
interface Exchange {
  url: string;
  params: Record<string, Value>;
  body: Value | undefined;
  status: number;
  text: string;
  json: unknown;
  headers: Record<string, string>;
}

const FINDING = ${JSON.stringify(title)};
const TENANTS = ${doc.tenants};
const CROSS_TENANT_PROBES = new Set<string>(${JSON.stringify([...CROSS_TENANT_PROBES, 'foreign-reference'])});
const STEPS: Step[] = ${steps};

const base = (process.env['TENANTPROOF_TARGET'] ?? '').replace(/\\/+$/, '');
const ok = (status: number): boolean => status >= 200 && status < 300;

/** Fresh tenants from the reference CRM's admin endpoint, or the ones in TENANTPROOF_CREDENTIALS. */
async function provision(): Promise<Tenant[]> {
  const file = process.env['TENANTPROOF_CREDENTIALS'];
  if (file) return JSON.parse(readFileSync(file, 'utf8')) as Tenant[];
  const tenants: Tenant[] = [];
  for (let i = 1; i <= TENANTS; i++) {
    const res = await axios.post<{ apiKey?: unknown; tenant?: { id?: unknown } }>(
      base + '/v1/tenants',
      { name: 'tenantproof regression ${n} T' + i },
      { headers: { 'x-admin-token': process.env['TENANTPROOF_ADMIN_TOKEN'] ?? '' }, validateStatus: () => true },
    );
    const apiKey = res.data?.apiKey;
    const id = res.data?.tenant?.id;
    if (typeof apiKey !== 'string' || typeof id !== 'string')
      throw new Error(
        'POST ' + base + '/v1/tenants answered ' + res.status + ' without a tenant: set TENANTPROOF_ADMIN_TOKEN ' +
          "to the API's admin token, or TENANTPROOF_CREDENTIALS to a credentials file",
      );
    tenants.push({ label: 'T' + i, headers: { authorization: 'Bearer ' + apiKey }, id });
  }
  return tenants;
}

/** The value at a dotted path of an answer's JSON body (\`id\`, \`data.0.id\`), or at \`header:name\`. */
function dig(answer: Exchange | undefined, path: string): unknown {
  if (!answer) return undefined;
  if (path.startsWith('header:')) return answer.headers[path.slice('header:'.length).toLowerCase()];
  let cur: unknown = answer.json;
  for (const key of path === '' ? [] : path.split('.'))
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}

/** A value shaped like \`v\` that names no record: what a missing-id twin sends. */
function missingLike(v: Value): Value {
  const digit = (): string => String(Math.floor(Math.random() * 10));
  const hex = (): string => Math.floor(Math.random() * 16).toString(16);
  if (typeof v === 'number') return 2_000_000_000 + Math.floor(Math.random() * 100_000_000);
  if (typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v))
    return 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, hex);
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return '2' + Array.from({ length: 9 }, digit).join('');
  return 'tpmissing' + Array.from({ length: 12 }, hex).join('');
}

describe.skipIf(!base)(FINDING, () => {
  it('keeps every tenant to its own data', async () => {
    const tenants = await provision();
    const byLabel = new Map(tenants.map((t) => [t.label, t]));
    const tenantOf = new Map(STEPS.map((s) => [s.index, s.tenant]));
    const answers = new Map<number, Exchange>();
    const owned = new Map<string, string>(); // a value a tenant created -> that tenant
    const sent = new Map<string, Set<string>>(); // a tenant -> values it sent (reflected, not leaked)
    const problems: string[] = [];

    // A step's value with earlier answers and tenant ids filled in. For a twin, a value taken from
    // another tenant's answer becomes one that names no record.
    const resolve = (v: Value, sender: string, twin: boolean): Value => {
      if (Array.isArray(v)) return v.map((x) => resolve(x, sender, twin));
      if (v !== null && typeof v === 'object') {
        const from = v['$from'];
        if (typeof from === 'number') {
          const found = dig(answers.get(from), String(v['path'] ?? ''));
          const value = found === undefined ? null : (found as Value);
          return twin && tenantOf.get(from) !== sender ? missingLike(value) : value;
        }
        const label = v['$tenantId'];
        if (typeof label === 'string') {
          const field = typeof v['field'] === 'string' ? v['field'] : undefined;
          const t = byLabel.get(label);
          return (field !== undefined ? t?.selectors?.[field] : undefined) ?? t?.id ?? '';
        }
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, sender, twin)]));
      }
      return v;
    };
    // Whether a step names a value from another tenant's answer (the victim's record).
    const namesForeign = (v: Value | undefined, sender: string): boolean => {
      if (Array.isArray(v)) return v.some((x) => namesForeign(x, sender));
      if (v === null || typeof v !== 'object') return false;
      const from = v['$from'];
      if (typeof from === 'number') return tenantOf.get(from) !== sender;
      return Object.values(v).some((x) => namesForeign(x, sender));
    };

    const send = async (step: Step, twin: boolean): Promise<Exchange> => {
      const who = byLabel.get(step.tenant);
      if (!who) throw new Error('no credentials for tenant ' + step.tenant + ' (TENANTS: T1 ... T' + TENANTS + ')');
      let url = step.path;
      for (const [k, v] of Object.entries(step.pathParams))
        url = url.replace('{' + k + '}', encodeURIComponent(String(resolve(v, step.tenant, twin))));
      // The sender's own tenant prefix, where the step named no other tenant there.
      url = url.replace(/\\{([^}]+)\\}/g, (m: string, k: string) => {
        const own = who.selectors?.['path:' + k];
        return own === undefined ? m : encodeURIComponent(own);
      });
      const params = Object.fromEntries(Object.entries(step.query).map(([k, v]) => [k, resolve(v, step.tenant, twin)]));
      const headers: Record<string, string> = {};
      // The sender's selector headers (Host), unless the step names another tenant there.
      for (const [key, value] of Object.entries(who.selectors ?? {}))
        if (key.startsWith('header:')) headers[key.slice('header:'.length)] = value;
      for (const [k, v] of Object.entries(step.headers)) {
        const value = String(resolve(v, step.tenant, twin));
        // A twin is another request: the same idempotency key would be refused as a replay.
        headers[k] = twin && /idempotency|request-key/i.test(k) ? String(missingLike(value)) : value;
      }
      Object.assign(headers, who.headers);
      const body = step.body === undefined ? undefined : resolve(step.body, step.tenant, twin);
      const res = await axios.request<string>({
        method: step.method,
        url: base + url,
        params,
        data: body,
        headers,
        validateStatus: () => true,
        responseType: 'text',
        transformResponse: (x: unknown) => x,
      });
      const text = typeof res.data === 'string' ? res.data : String(res.data ?? '');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const answerHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers ?? {})) answerHeaders[k.toLowerCase()] = String(v);
      return { url, params, body, status: res.status, text, json, headers: answerHeaders };
    };

    const remember = (step: Step, x: Exchange): void => {
      answers.set(step.index, x);
      const mine = sent.get(step.tenant) ?? new Set<string>();
      sent.set(step.tenant, mine);
      for (const v of JSON.stringify([x.url, x.params, x.body]).match(/[A-Za-z0-9._@-]{8,}/g) ?? []) mine.add(v);
    };

    const judge = async (step: Step, x: Exchange): Promise<void> => {
      const mine = sent.get(step.tenant) ?? new Set<string>();
      const seen = x.text + '\\n' + JSON.stringify(x.headers);
      for (const [value, owner] of owned)
        if (owner !== step.tenant && seen.includes(value) && ![...mine].some((m) => m.includes(value)))
          problems.push(
            step.tenant + ' ' + step.method + ' ' + x.url + ' (' + x.status + ') returned a value of ' + owner + ': ' + value,
          );
      if (
        step.probe !== undefined &&
        CROSS_TENANT_PROBES.has(step.probe) &&
        ok(x.status) &&
        (namesForeign(step.pathParams, step.tenant) || namesForeign(step.body, step.tenant))
      ) {
        const twin = await send(step, true);
        if (!ok(twin.status))
          problems.push(
            step.tenant + ' ' + step.probe + ' ' + step.method + ' ' + x.url + ' answered ' + x.status + ' on a record of ' +
              (step.victim ?? 'another tenant') + ', where an id that exists nowhere gets ' + twin.status,
          );
      }
      if (step.relation === 'own' && ok(x.status)) {
        const id = dig(x, 'id');
        if (typeof id === 'string' && !owned.has(id)) owned.set(id, step.tenant);
        for (const c of JSON.stringify(x.body ?? '').match(/tp[A-Za-z0-9]{6,}/g) ?? []) owned.set(c, step.tenant);
      }
    };

    for (let i = 0; i < STEPS.length; ) {
      // Steps of one batch ran concurrently in the campaign: they do here too.
      const batch = STEPS[i]?.batch;
      let end = i + 1;
      while (batch !== undefined && end < STEPS.length && STEPS[end]?.batch === batch) end++;
      const group = STEPS.slice(i, end);
      const exchanges = await Promise.all(group.map((step) => send(step, false)));
      group.forEach((step, k) => remember(step, exchanges[k]!));
      for (const [k, step] of group.entries()) await judge(step, exchanges[k]!);
      i = end;
    }
    expect(problems, FINDING + ': isolation leak').toEqual([]);
  }, 120_000);
});
`;
}
