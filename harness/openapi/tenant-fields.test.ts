import { describe, expect, it } from 'vitest';
import { isTenantFieldName, mergeTenantFields, parseTenantField } from './tenant-fields.ts';

describe('tenant field names', () => {
  it('recognises the usual spellings', () => {
    for (const name of [
      'tenantId',
      'tenant_id',
      'X-Tenant-Id',
      'X-Org-Id',
      'organisationId',
      'organizationId',
      'org',
      'org_id',
      'accountId',
      'workspace_slug',
      'teamKey',
      'company_id',
      'tenant',
    ])
      expect(isTenantFieldName(name), name).toBe(true);
  });

  it('leaves other fields alone', () => {
    for (const name of [
      'customerId',
      'name',
      'organisationName',
      'accountBalance',
      'email',
      'contentType',
      'teamMembers',
    ])
      expect(isTenantFieldName(name), name).toBe(false);
  });

  it('reads config entries, with or without a location, and merges case-insensitively', () => {
    expect(parseTenantField('header:X-Org-Id')).toEqual([{ in: 'header', name: 'X-Org-Id' }]);
    expect(parseTenantField('X-Workspace')).toEqual([{ in: 'header', name: 'X-Workspace' }]);
    expect(parseTenantField('org')).toEqual([
      { in: 'body', name: 'org' },
      { in: 'query', name: 'org' },
    ]);
    expect(mergeTenantFields([{ in: 'header', name: 'X-Org-Id' }], [{ in: 'header', name: 'x-org-id' }])).toHaveLength(
      1,
    );
  });
});
