/**
 * Property tests over the generator with the CRM spec (fixed seed; fast-check prints the seed and
 * the counterexample on failure): bodies pass the CRM's validation, canaries are unique per
 * tenant and record, and every high-entropy value ends up registered as a fingerprint.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  canaryOwner,
  CANARY_PATTERN,
  FingerprintRegistry,
  LOWER_CANARY_PATTERN,
  parametersArbitrary,
  recordArbitrary,
  registerGeneratedValues,
  requestBodyArbitrary,
} from './index.ts';
import { analyzeSpecFile, type ApiModel, type OperationInfo } from '../openapi/index.ts';
import { specValidator } from '../../test/support/crm-ajv.ts';
import { CRM_SPEC } from '../../test/support/paths.ts';

const SEED = 20261126;
const TENANTS = ['T1', 'T2', 'T3', 'T4'] as const;
let model: ApiModel;
let bodyOps: OperationInfo[];
let compile: ReturnType<typeof specValidator>;

beforeAll(async () => {
  model = await analyzeSpecFile(CRM_SPEC);
  bodyOps = model.operations.filter((o) => o.requestBody);
  compile = specValidator(model.document);
});

function leafStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) leafStrings(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) leafStrings(v, out);
  return out;
}

describe('generated CRM request bodies', () => {
  it('covers every CRM operation with a request body', () => {
    expect(bodyOps.map((o) => o.operationId).sort()).toEqual(
      [
        'convertQuote',
        'createCustomer',
        'createCustomerNote',
        'createInvoice',
        'createJob',
        'createPayment',
        'createQuote',
        'createTenant',
        'updateCustomer',
        'updateInvoice',
        'updateJob',
        'updateQuote',
      ].sort(),
    );
  });

  it('pass the CRM schema validation (ajv + ajv-formats, compiled from the spec) for every operation', () => {
    for (const op of bodyOps) {
      const validate = compile(op.requestBody!.schema);
      const arb = fc
        .tuple(fc.constantFrom(...TENANTS), fc.constant(op))
        .chain(([tenant]) => requestBodyArbitrary(model, op, tenant)!);
      fc.assert(
        fc.property(arb, (record) => {
          if (!validate(record.value))
            throw new Error(`${op.operationId}: ${JSON.stringify(record.value)} -> ${JSON.stringify(validate.errors)}`);
        }),
        { seed: SEED, numRuns: 150 },
      );
    }
  });

  it('carry a canary of their own tenant in free text', () => {
    const create = bodyOps.find((o) => o.operationId === 'createCustomer')!;
    fc.assert(
      fc.property(
        fc.constantFrom(...TENANTS).chain((t) => requestBodyArbitrary(model, create, t)!),
        (record) => {
          expect(canaryOwner(record.canary)).toBe(record.owner);
          expect(JSON.stringify(record.value)).toContain(record.canary);
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('business-rule friendly values', () => {
  it('order time ranges: a job ends after it starts', () => {
    const createJob = bodyOps.find((o) => o.operationId === 'createJob')!;
    fc.assert(
      fc.property(requestBodyArbitrary(model, createJob, 'T2')!, ({ value }) => {
        const body = value as { scheduledStart: string; scheduledEnd: string };
        expect(Date.parse(body.scheduledEnd)).toBeGreaterThan(Date.parse(body.scheduledStart));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('generates the required query parameters of an operation', () => {
    const schedule = model.operations.find((o) => o.operationId === 'getSchedule')!;
    fc.assert(
      fc.property(parametersArbitrary(model, schedule.parameters, 'T1'), ({ value }) => {
        expect(Object.keys(value)).toEqual(expect.arrayContaining(['from', 'to']));
        expect(Date.parse(String(value.to))).toBeGreaterThan(Date.parse(String(value.from)));
      }),
      { seed: SEED, numRuns: 50 },
    );
  });
});

describe('canaries', () => {
  it('are unique per tenant and record', () => {
    const schema = { $ref: '#/components/schemas/CustomerCreate' };
    const seen = new Map<string, string>();
    TENANTS.forEach((tenant, i) => {
      const records = fc.sample(recordArbitrary(schema, model.document, tenant), { seed: SEED + i, numRuns: 250 });
      for (const r of records) {
        expect(seen.has(r.canary), `duplicate canary ${r.canary}`).toBe(false);
        seen.set(r.canary, tenant);
        expect(r.canary).toMatch(new RegExp(`^tp${tenant}[a-z][a-z0-9]{9}$`));
      }
    });
    expect(seen.size).toBe(TENANTS.length * 250);
  });

  it('differ between runs with the same seed when a run tag is given', () => {
    const schema = { type: 'string' };
    const a = fc
      .sample(recordArbitrary(schema, model.document, 'T1', { runTag: 'run-a' }), { seed: SEED, numRuns: 20 })
      .map((r) => r.canary);
    const b = fc
      .sample(recordArbitrary(schema, model.document, 'T1', { runTag: 'run-b' }), { seed: SEED, numRuns: 20 })
      .map((r) => r.canary);
    const again = fc
      .sample(recordArbitrary(schema, model.document, 'T1', { runTag: 'run-a' }), { seed: SEED, numRuns: 20 })
      .map((r) => r.canary);
    expect(a).toEqual(again);
    expect(a.filter((c) => b.includes(c))).toEqual([]);
  });
});

describe('fingerprints of generated values', () => {
  it('registers every high-entropy value of every generated body with its owner', () => {
    const registry = new FingerprintRegistry();
    const arb = fc.tuple(fc.constantFrom(...TENANTS), fc.integer({ min: 0, max: 1000 })).chain(([tenant, i]) => {
      const op = bodyOps[i % bodyOps.length]!;
      return requestBodyArbitrary(model, op, tenant)!.map((record) => ({ record, op }));
    });
    fc.assert(
      fc.property(arb, ({ record, op }) => {
        const result = registerGeneratedValues(registry, record.owner, record.value, `${op.operationId}.body`);
        expect(result.conflicts).toEqual([]);
        for (const s of leafStrings(record.value)) {
          const carries = new RegExp(CANARY_PATTERN.source).test(s) || new RegExp(LOWER_CANARY_PATTERN.source).test(s);
          const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
          if (!carries && !uuid) continue;
          const ownCanary = [...s.matchAll(CANARY_PATTERN)].map((m) => m[0]);
          const registered =
            registry.ownerOf(s) === record.owner || ownCanary.some((c) => registry.ownerOf(c) === record.owner);
          expect(registered, `${op.operationId}: ${s} is not registered to ${record.owner}`).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(registry.size).toBeGreaterThan(0);
    for (const f of registry.entries()) {
      if (f.kind === 'canary') expect(canaryOwner(f.value)).toBe(f.owner);
    }
  });
});
