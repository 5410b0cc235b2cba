import { describe, expect, it } from 'vitest';
import { tenantClaims } from './jwt-claims.ts';

const jwt = (claims: object) =>
  `Bearer ${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('tenant claims of a JWT', () => {
  it('reads the claims named like a tenant selector, whatever the spelling', () => {
    expect(tenantClaims({ Authorization: jwt({ sub: 'u1', org_id: 'org_1', exp: 9 }) })).toEqual([
      { name: 'org_id', value: 'org_1' },
    ]);
    expect(tenantClaims({ authorization: jwt({ tid: 42, organisationId: 'o-7' }) })).toEqual([
      { name: 'tid', value: '42' },
      { name: 'organisationId', value: 'o-7' },
    ]);
  });

  it('gives nothing for an opaque token, an API key or a broken JWT', () => {
    expect(tenantClaims({ Authorization: 'Bearer sk_live_abcdef' })).toEqual([]);
    expect(tenantClaims({ 'X-Api-Key': 'k' })).toEqual([]);
    expect(tenantClaims({ Authorization: 'Bearer aaa.!!!.ccc' })).toEqual([]);
  });
});
