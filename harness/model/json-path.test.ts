import { describe, expect, it } from 'vitest';
import { itemsOf } from './extract-ids.ts';
import { findCreatedId, idFromLocation, LOCATION_ID_PATH } from './json-path.ts';

describe('ids and items a spec does not document', () => {
  it('finds a created record id in the usual fields, one envelope down, or in Location', () => {
    expect(findCreatedId({ id: 'a1' }, {}, 'ticket')).toEqual({ path: 'id', id: 'a1' });
    expect(findCreatedId({ ticketId: 7 }, {}, 'ticket')).toEqual({ path: 'ticketId', id: '7' });
    expect(findCreatedId({ data: { uuid: 'u-1' } }, {}, 'ticket')).toEqual({ path: 'data.uuid', id: 'u-1' });
    expect(findCreatedId(undefined, { location: '/v1/tickets/t-9?x=1' }, 'ticket')).toEqual({
      path: LOCATION_ID_PATH,
      id: 't-9',
    });
    expect(findCreatedId({ ok: true }, {}, 'ticket')).toBeUndefined();
    expect(idFromLocation('https://api.example/things/a%2Fb/')).toBe('a/b');
  });

  it('finds the items of a list: the array itself, or its one (or usually named) array of objects', () => {
    expect(itemsOf([{ id: 1 }], undefined)).toEqual([{ id: 1 }]);
    expect(itemsOf({ data: [{ id: 1 }], total: 1, tags: ['x'] }, undefined)).toEqual([{ id: 1 }]);
    expect(itemsOf({ rows: [{ id: 2 }], links: [{ href: 'x' }] }, undefined)).toEqual([{ id: 2 }]);
    expect(itemsOf({ a: [{ id: 1 }], b: [{ id: 2 }] }, undefined)).toBeUndefined();
    expect(itemsOf({ page: { items: [{ id: 3 }] } }, 'page.items')).toEqual([{ id: 3 }]);
  });
});
