import { describe, expect, it } from 'vitest';
import { DuplicateHeaderError } from './errors.ts';
import { assertSingleHeaders, headerCount } from './raw-headers.ts';

describe('headerCount', () => {
  it('counts a field in any case, looking at names only', () => {
    const raw = ['Authorization', 'Bearer a', 'host', 'crm', 'AUTHORIZATION', 'Bearer b', 'X-Note', 'authorization'];
    expect(headerCount(raw, 'authorization')).toBe(2);
    expect(headerCount(raw, 'Host')).toBe(1);
    expect(headerCount(raw, 'x-admin-token')).toBe(0);
  });
});

describe('assertSingleHeaders', () => {
  it('passes single and absent fields', () => {
    expect(() =>
      assertSingleHeaders({ rawHeaders: ['Authorization', 'Bearer a'] }, ['Authorization', 'X-Admin-Token']),
    ).not.toThrow();
  });

  it('throws a 400 naming the repeated field', () => {
    const request = { rawHeaders: ['x-admin-token', 't', 'X-Admin-Token', 't'] };
    expect(() => assertSingleHeaders(request, ['Authorization', 'X-Admin-Token'])).toThrow(DuplicateHeaderError);
    try {
      assertSingleHeaders(request, ['Authorization', 'X-Admin-Token']);
    } catch (error) {
      expect((error as DuplicateHeaderError).status).toBe(400);
      expect((error as DuplicateHeaderError).errors).toEqual([
        { path: '/headers/x-admin-token', message: 'is repeated' },
      ]);
    }
  });
});
