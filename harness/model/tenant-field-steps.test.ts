/**
 * Tenant fields by any name in steps, on a spec that names them `organisationId` (body, required)
 * and `X-Org-Id` (header): a tenant's own create sends its own real id, an override probe sends the
 * victim's real id in every field of its vector, and the twin without the override takes them out.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { withoutOverrideStep } from './follow-up-steps.ts';
import { buildPlan, type CampaignPlan } from './plan.ts';
import { buildOwnStep, buildProbeStep, type StepBuilderContext } from './step-builder.ts';
import { World } from './world.ts';

const spec = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'examples',
  'org-scoped',
  'openapi.yaml',
);
let plan: CampaignPlan;
beforeAll(async () => {
  plan = buildPlan(await analyzeSpecFile(spec));
});

const context = (tenantFields: StepBuilderContext['tenantFields'] = []): StepBuilderContext => ({
  plan,
  world: new World(['T1', 'T2'], { T1: 'org_one', T2: 'org_two' }),
  labels: ['T1', 'T2'],
  pageSize: 2,
  tenantFields,
});
const body = { organisationId: 'generated-text', name: 'tpT1abcdefghij', email: 'tpt1abcdefghij@t1.example' };

describe('tenant fields in steps', () => {
  it('the spec names them, whatever they are called', () => {
    const create = plan.byId.get('createContact')!.op;
    expect(create.tenantFields).toEqual(
      expect.arrayContaining([
        { in: 'body', name: 'organisationId', required: true },
        { in: 'header', name: 'X-Org-Id' },
      ]),
    );
  });

  it("a tenant's own create names its own tenant in the body field", () => {
    const s = buildOwnStep(context(), {
      kind: 'own',
      action: 'create',
      operationId: 'createContact',
      tenant: 0,
      selector: 0,
      values: { query: {}, nonce: 'n0nce0000000', body },
    })!;
    expect((s.body as Record<string, unknown>)['organisationId']).toEqual({
      $tenantId: 'T1',
      field: 'body:organisationId',
    });
    expect(s.headers['X-Org-Id']).toBeUndefined();
  });

  it("a header override names the victim in X-Org-Id, X-Tenant-Id and, consistently, the body's organisationId", () => {
    const s = buildProbeStep(context(), {
      kind: 'probe',
      probe: 'header-injection',
      operationId: 'createContact',
      tenant: 0,
      victim: 0,
      selector: 0,
      values: { query: {}, nonce: 'n0nce0000000', body },
    })!;
    expect(s.headers['X-Org-Id']).toEqual({ $tenantId: 'T2', field: 'header:X-Org-Id' });
    expect(s.headers['X-Tenant-Id']).toEqual({ $tenantId: 'T2', field: 'header:X-Tenant-Id' });
    expect((s.body as Record<string, unknown>)['organisationId']).toEqual({
      $tenantId: 'T2',
      field: 'body:organisationId',
    });
    const twin = withoutOverrideStep(plan, s)!;
    expect(twin.headers['X-Org-Id']).toBeUndefined();
    expect((twin.body as Record<string, unknown>)['organisationId']).toEqual({
      $tenantId: 'T1',
      field: 'body:organisationId',
    });
    expect(twin.relation).toBe('own');
  });

  it('a body override names the victim in organisationId and the default tenantId, and in configured fields', () => {
    const s = buildProbeStep(context([{ in: 'body', name: 'workspace' }]), {
      kind: 'probe',
      probe: 'body-injection',
      operationId: 'createContact',
      tenant: 0,
      victim: 0,
      selector: 0,
      values: { query: {}, nonce: 'n0nce0000000', body },
    })!;
    const b = s.body as Record<string, unknown>;
    expect([b['organisationId'], b['tenantId'], b['workspace']]).toEqual([
      { $tenantId: 'T2', field: 'body:organisationId' },
      { $tenantId: 'T2', field: 'body:tenantId' },
      { $tenantId: 'T2', field: 'body:workspace' },
    ]);
  });
});
