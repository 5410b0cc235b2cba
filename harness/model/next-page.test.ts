import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import type { Pagination } from '../openapi/api-model.ts';
import { nextPageStep } from './next-page.ts';
import { buildPlan, type CampaignPlan } from './plan.ts';
import type { Step } from './step.ts';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
let plan: CampaignPlan;
beforeAll(async () => {
  plan = buildPlan(await analyzeSpecFile(spec));
});

/** The CRM's plan with listCustomers paging another way. */
function pagedAs(pagination: Pagination, itemsField?: string): CampaignPlan {
  const planned = plan.byId.get('listCustomers')!;
  const byId = new Map(plan.byId);
  const op = { ...planned.op, pagination };
  if (itemsField === undefined) delete op.itemsField;
  byId.set('listCustomers', { ...planned, op });
  return { ...plan, byId };
}

const first = (query: Step['query'] = { limit: 2 }): Step => ({
  index: 7,
  tenant: 'T1',
  operationId: 'listCustomers',
  action: 'list',
  relation: 'own',
  method: 'GET',
  path: '/v1/customers',
  pathParams: {},
  query,
  headers: {},
  resource: 'customer',
});

describe('the next page of a list', () => {
  it('takes the cursor by reference to the page before, keeping its filters and page size', () => {
    const next = nextPageStep(plan, first({ limit: 2, q: 'Maria' }), {
      status: 200,
      json: { data: [{ id: 'a' }, { id: 'b' }], nextCursor: 'c2' },
    })!;
    expect(next.token).toBe('c2');
    expect(next.step).toMatchObject({
      index: -1,
      tenant: 'T1',
      action: 'list',
      query: { limit: 2, q: 'Maria', cursor: { $from: 7, path: 'nextCursor' } },
    });
  });

  it('stops at the last page, at a failed page and at an empty cursor', () => {
    const data = [{ id: 'a' }];
    expect(nextPageStep(plan, first(), { status: 200, json: { data, nextCursor: null } })).toBeUndefined();
    expect(nextPageStep(plan, first(), { status: 200, json: { data, nextCursor: '' } })).toBeUndefined();
    expect(nextPageStep(plan, first(), { status: 400, json: { nextCursor: 'x' } })).toBeUndefined();
    expect(nextPageStep(plan, first(), undefined)).toBeUndefined();
  });

  it('moves an offset by what came back, and a page number by one, while pages are full', () => {
    const offset = pagedAs({ style: 'offset', param: 'offset', limitParam: 'limit' }, 'data');
    const full = { status: 200, json: { data: [{ id: 'a' }, { id: 'b' }] } };
    const second = nextPageStep(offset, first(), full)!;
    expect(second.step.query).toEqual({ limit: 2, offset: 2 });
    second.step.index = 8;
    expect(nextPageStep(offset, second.step, full)!.step.query).toEqual({ limit: 2, offset: 4 });
    expect(nextPageStep(offset, second.step, { status: 200, json: { data: [{ id: 'c' }] } })).toBeUndefined();
    const paged = pagedAs({ style: 'page', param: 'page', limitParam: 'limit' }, 'data');
    expect(nextPageStep(paged, first(), full)!.step.query).toEqual({ limit: 2, page: 2 });
  });

  it('pages by the last item’s id where a cursor list has only a "has more" flag', () => {
    const stripe = pagedAs(
      { style: 'cursor', param: 'starting_after', limitParam: 'limit', hasMoreField: 'has_more' },
      'data',
    );
    const more = nextPageStep(stripe, first(), {
      status: 200,
      json: { data: [{ id: 'a' }, { id: 'b' }], has_more: true },
    })!;
    expect(more.step.query['starting_after']).toEqual({ $from: 7, path: 'data.1.id' });
    expect(more.token).toBe('b');
    expect(
      nextPageStep(stripe, first(), { status: 200, json: { data: [{ id: 'a' }], has_more: false } }),
    ).toBeUndefined();
  });
});
