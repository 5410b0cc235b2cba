import fc from 'fast-check';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { ValueFreshener } from './fresh-values.ts';
import { freshLike } from './missing-id.ts';
import { buildPlan, type CampaignPlan } from './plan.ts';
import type { Step } from './step.ts';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
let plan: CampaignPlan;
beforeAll(async () => {
  plan = buildPlan(await analyzeSpecFile(spec));
});

const step = (tenant: string, body: unknown, headers: Record<string, string> = {}): Step => ({
  index: -1,
  tenant,
  operationId: 'createCustomer',
  action: 'create',
  relation: 'own',
  method: 'POST',
  path: '/v1/customers',
  pathParams: {},
  query: {},
  headers,
  body: body as Step['body'],
});

describe('fresh values for repeated steps', () => {
  it("replaces canaries, the emails built from them and idempotency keys, the same way in every step (a victim's email an attacker reuses stays the same new email)", () => {
    const f = new ValueFreshener(plan);
    const victim = f.step(
      step(
        'T2',
        { name: 'tpT2abcdefghij', email: 'tpt2abcdefghij.1@t2.example' },
        { 'Idempotency-Key': 'tpidemT2n0nce0000000' },
      ),
    );
    const attacker = f.step(step('T1', { name: 'tpT1zzzzzzzzzz', email: 'tpt2abcdefghij.1@t2.example' }));
    const v = victim.body as Record<string, string>;
    const a = attacker.body as Record<string, string>;
    expect(v['name']).toMatch(/^tpT2[a-z][a-z0-9]{9}$/);
    expect(v['name']).not.toBe('tpT2abcdefghij');
    expect(v['email']).toBe(`${v['name']!.toLowerCase()}.1@t2.example`);
    expect(a['email']).toBe(v['email']);
    expect(victim.headers['Idempotency-Key']).toMatch(/^tpidemT2[a-z0-9]{12}$/);
    expect(victim.headers['Idempotency-Key']).not.toBe('tpidemT2n0nce0000000');
  });

  it('leaves references and tenant ids alone', () => {
    const s = new ValueFreshener(plan).step({
      ...step('T1', { customerId: { $from: 3, path: 'id' } }),
      query: { tenant_id: { $tenantId: 'T2' } },
    });
    expect(s.body).toEqual({ customerId: { $from: 3, path: 'id' } });
    expect(s.query).toEqual({ tenant_id: { $tenantId: 'T2' } });
  });

  it('gives values shaped exactly like the ones they replace (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9._-]{8,30}(@[a-z]{2,8}\.example)?$/), (value) => {
        const fresh = freshLike(value);
        expect(fresh).not.toBe(value);
        const shape = (s: string) => s.replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A').replace(/[0-9]/g, '0');
        const split = (s: string) =>
          s.includes('@') ? [s.slice(0, s.lastIndexOf('@')), s.slice(s.lastIndexOf('@'))] : [s, ''];
        const [local, domain] = split(value);
        const [freshLocal, freshDomain] = split(fresh);
        // The domain stays; the local part keeps its shape, one letter longer only when it has no letter or digit.
        expect(freshDomain).toBe(domain);
        expect(shape(freshLocal!)).toBe(/[A-Za-z0-9]/.test(local!) ? shape(local!) : `${local}a`);
      }),
      { seed: 12, numRuns: 200 },
    );
  });
});
