/** Spot checks of id conventions beyond the CRM: Capsule's nested `{ party: { id } }`, Stripe's `{customer}` and bare `customer`. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSpecFile } from './index.ts';
import { CORPUS_DIR } from '../../test/support/paths.ts';

describe('id conventions in real specs', () => {
  it('Capsule: references by nested object inside an enveloped body', async () => {
    const model = await analyzeSpecFile(resolve(CORPUS_DIR, 'capsulecrm.openapi.yml'));
    const uses = (id: string) =>
      model.operations.find((o) => o.operationId === id)!.consumes.map((u) => `${u.in} ${u.name} -> ${u.resource}`);
    expect(uses('create_case')).toEqual(
      expect.arrayContaining(['body kase.party.id -> party', 'body kase.opportunity.id -> opportunity']),
    );
    expect(uses('create_case')).not.toContain('body kase.id -> kase');
    expect(model.edges).toContainEqual({
      resource: 'party',
      producer: 'create_party',
      consumer: 'create_case',
      in: 'body',
      name: 'kase.party.id',
    });
    expect(model.operations.find((o) => o.operationId === 'list_cases_by_party')).toMatchObject({
      kind: 'collection',
      resource: 'kase',
      parent: { resource: 'party', param: 'partyId' },
    });
  });

  it('Stripe: `{customer}` path parameters, bare `customer` fields and cursor pagination', async () => {
    const model = await analyzeSpecFile(resolve(CORPUS_DIR, 'stripe-2023-09-12.openapi.yaml'));
    const op = (id: string) => model.operations.find((o) => o.operationId === id)!;
    expect(op('GetCustomersCustomer')).toMatchObject({ kind: 'item', itemAction: 'read', resource: 'customer' });
    expect(op('PostCustomersCustomer')).toMatchObject({ kind: 'item', itemAction: 'update', resource: 'customer' });
    expect(op('PostCustomers').produces).toEqual({ resource: 'customer', idField: 'id', status: '200' });
    expect(op('PostCharges').consumes).toContainEqual({
      resource: 'customer',
      in: 'body',
      name: 'customer',
      source: 'inferred',
    });
    expect(op('GetCharges').pagination).toMatchObject({
      style: 'cursor',
      param: 'starting_after',
      limitParam: 'limit',
      hasMoreField: 'has_more',
    });
    expect(op('GetCustomersSearch')).toMatchObject({ kind: 'search', searchParam: 'query' });
    expect(op('PostInvoicesInvoicePay')).toMatchObject({ kind: 'action', resource: 'invoice' });
  });
});
