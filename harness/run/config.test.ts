import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from './config.ts';
import { flagsToUserConfig } from './settings.ts';

describe('resolveConfig', () => {
  it('applies defaults, then the file, then flags', () => {
    const c = resolveConfig({ tenants: 3, budget: '2m', provision: 'file:creds.json' }, { tenants: 5 });
    expect(c).toMatchObject({
      spec: 'specs/crm.openapi.yaml',
      target: 'embedded',
      tenants: 5,
      budget: 120_000,
      // Defaults go through the same schemas as what users write: durations in ms.
      shrinkBudget: 20_000,
      requestTimeout: 10_000,
      checkpointEvery: 15_000,
      provision: 'file:creds.json',
      replays: 5,
    });
  });

  it('leaves the tenant count unset when not given (a credentials file then gives all its tenants)', () => {
    expect(resolveConfig({}, {}).tenants).toBeUndefined();
    expect(resolveConfig({}, flagsToUserConfig({ tenants: '3' })).tenants).toBe(3);
  });

  it('parses flag text with the settings schemas: whole numbers, durations, rates, shards', () => {
    const c = resolveConfig(
      {},
      flagsToUserConfig({ seed: '7', budget: '90s', 'max-rps': '90/m', shard: '2/3', 'checkpoint-every': 'off' }),
    );
    expect(c).toMatchObject({
      seed: 7,
      budget: 90_000,
      maxRps: 1.5,
      shard: { index: 2, count: 3 },
      checkpointEvery: 0,
    });
    expect(resolveConfig({}, flagsToUserConfig({ 'max-rps': '0.5' })).maxRps).toBe(0.5);
    expect(() => resolveConfig({}, flagsToUserConfig({ seed: '-5' }))).toThrow(/--seed: must be a whole number from 0/);
    expect(() => resolveConfig({}, flagsToUserConfig({ tenants: 'many' }))).toThrow(
      /--tenants: must be a whole number/,
    );
    expect(() => resolveConfig({}, flagsToUserConfig({ 'max-rps': 'fast' }))).toThrow(
      /--max-rps: "fast" is not a request rate/,
    );
  });

  it('reads the validity period (--valid-for, or validFor in the file; default 12 months) and refuses garbage', () => {
    expect(resolveConfig({}, {}).validFor).toEqual({ months: 12, days: 0, text: '12mo' });
    expect(resolveConfig({ validFor: '1y' }, {}).validFor).toEqual({ months: 12, days: 0, text: '1y' });
    expect(resolveConfig({ validFor: '1y' }, flagsToUserConfig({ 'valid-for': '90d' })).validFor).toEqual({
      months: 0,
      days: 90,
      text: '90d',
    });
    const refused = (() => {
      try {
        resolveConfig({}, flagsToUserConfig({ 'valid-for': 'soon' }));
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).exitCode).toBe(2);
    expect((refused as Error).message).toMatch(
      /--valid-for: "soon" is not a period: use a whole number and a unit: 90d/,
    );
    expect(() => resolveConfig({}, flagsToUserConfig({ 'valid-for': '6m' }))).toThrow(/write months as mo/);
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

  it('reads the pool settings: tenants from the pool (unset: the job decides), their lifetime as a time or runs', () => {
    expect(resolveConfig({}, {})).toMatchObject({ poolLifetime: { ms: 180_000 } });
    expect(resolveConfig({}, {}).poolTenants).toBeUndefined();
    expect(
      resolveConfig({}, flagsToUserConfig({ 'pool-tenants': '2', 'pool-lifetime': '40 runs', tenants: '5' })),
    ).toMatchObject({ poolTenants: 2, poolLifetime: { runs: 40 } });
    expect(resolveConfig({ poolLifetime: '90s' }, {}).poolLifetime).toEqual({ ms: 90_000 });
    expect(() => resolveConfig({}, flagsToUserConfig({ 'pool-lifetime': 'forever' }))).toThrow(
      /--pool-lifetime: "forever" is not a pool lifetime/,
    );
  });

  it('refuses a pool that leaves fewer than 2 fresh tenants, or one without fresh provisioning', () => {
    expect(() => resolveConfig({}, { poolTenants: 3 })).toThrow(/leaves fewer than 2 fresh tenants of the 4 per run/);
    expect(() => resolveConfig({}, { poolTenants: 3, tenants: 5 })).not.toThrow();
    expect(() => resolveConfig({}, { poolTenants: 1, provision: 'file:creds.json' })).toThrow(
      /--pool-tenants needs crm-admin provisioning/,
    );
    expect(() => resolveConfig({}, { poolTenants: 0, provision: 'file:creds.json' })).not.toThrow();
  });
});
