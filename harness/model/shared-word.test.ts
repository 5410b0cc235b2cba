import { describe, expect, it } from 'vitest';
import { sharedWord, wordsOfTenant } from './shared-word.ts';
import { World } from './world.ts';

function world(): World {
  const w = new World(['T1', 'T2', 'T3']);
  const record = (tenant: string, createdBy: number, lastSeen: unknown, alive = true) =>
    w
      .tenant(tenant)
      .records.push({ resource: 'customer', id: `id${createdBy}`, createdBy, idField: 'id', alive, lastSeen });
  record('T1', 0, { name: 'tpT1aaaaaaaaaa Maria Plumbing', address: { city: 'tpT1aaaaaaaaaa Dover' } });
  record('T2', 1, { name: 'tpT2bbbbbbbbbb Maria Smith' });
  record('T2', 2, { name: 'tpT2cccccccccc Roofing Oak' }, false);
  return w;
}

describe('the shared word a search asks for', () => {
  it('is a vocabulary word of the victim’s live records, one the searcher has too where there is one', () => {
    const w = world();
    expect([...wordsOfTenant(w, 'T2')].sort()).toEqual(['Maria', 'Smith']);
    for (let pick = 0; pick < 4; pick++) expect(sharedWord(w, 'T1', 'T2', pick)).toBe('Maria');
  });

  it('falls back to any word of the victim, then of any other tenant, and waits when there is none', () => {
    const w = world();
    expect(new Set([0, 1, 2, 3].map((pick) => sharedWord(w, 'T3', 'T2', pick)))).toEqual(new Set(['Maria', 'Smith']));
    expect(sharedWord(w, 'T2', 'T3', 0)).toMatch(/^(Maria|Plumbing|Dover)$/);
    expect(sharedWord(new World(['T1', 'T2']), 'T1', 'T2', 0)).toBeUndefined();
  });

  it('reads the text a record was created with when the server showed none', () => {
    const w = new World(['T1', 'T2']);
    w.tenant('T2').records.push({ resource: 'customer', id: 'x', createdBy: 0, idField: 'id', alive: true });
    w.steps.push({
      index: 0,
      tenant: 'T2',
      operationId: 'createCustomer',
      action: 'create',
      relation: 'own',
      method: 'POST',
      path: '/v1/customers',
      pathParams: {},
      query: {},
      headers: {},
      body: { name: 'tpT2dddddddddd Clara Welding', ownerId: { $from: 3, path: 'id' } },
    });
    expect([...wordsOfTenant(w, 'T2')]).toEqual(['Clara', 'Welding']);
  });
});
