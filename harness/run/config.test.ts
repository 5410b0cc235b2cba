import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from './config.ts';

describe('resolveConfig', () => {
  it('applies defaults, then the file, then flags', () => {
    const c = resolveConfig({ tenants: 3, budget: '2m', provision: 'file:creds.json' }, { tenants: 5 });
    expect(c).toMatchObject({
      spec: 'specs/crm.openapi.yaml',
      target: 'embedded',
      tenants: 5,
      tenantsGiven: true,
      budgetMs: 120_000,
      provision: 'file:creds.json',
      replays: 5,
    });
  });

  it('knows when the tenant count was left to the credentials file', () => {
    expect(resolveConfig({}, {}).tenantsGiven).toBe(false);
    expect(resolveConfig({}, {}).tenants).toBe(4);
  });

  it('rejects settings that cannot work, naming them', () => {
    expect(() => resolveConfig({}, { tenants: 1 })).toThrow(ConfigError);
    expect(() => resolveConfig({}, { tenants: 1 })).toThrow(/tenants/);
    expect(() => resolveConfig({}, { target: 'ftp://x' })).toThrow(/target/);
    expect(() => resolveConfig({}, { provision: 'magic' })).toThrow(/crm-admin, file:PATH or module:PATH/);
    expect(() => resolveConfig({}, { budget: 'forever' })).toThrow(/budget/);
    expect(() => resolveConfig({ target: 'http://127.0.0.1:3000' }, { faults: ['get-unscoped'] })).toThrow(
      /--fault only applies to the embedded CRM/,
    );
  });
});
