/** Where the CLI keeps the data: flags beat the other choice's environment variable; two choices at once are refused. */
import { describe, expect, it } from 'vitest';
import { ConflictingStorageFlagsError, resolveStorage } from './config.ts';

describe('resolveStorage', () => {
  const url = 'postgres://127.0.0.1/crm';
  it('takes a flag, else an environment variable, else memory', () => {
    expect(resolveStorage({}, {})).toEqual({});
    expect(resolveStorage({ dataDir: 'd' }, {})).toEqual({ dataDir: 'd' });
    expect(resolveStorage({}, { CRM_DATA_DIR: 'd' })).toEqual({ dataDir: 'd' });
    expect(resolveStorage({}, { DATABASE_URL: url })).toEqual({ databaseUrl: url });
    expect(resolveStorage({ databaseUrl: url }, {})).toEqual({ databaseUrl: url });
  });

  it("lets a flag beat the other choice's environment variable", () => {
    expect(resolveStorage({ dataDir: 'd' }, { DATABASE_URL: url })).toEqual({ dataDir: 'd' });
    expect(resolveStorage({ databaseUrl: url }, { CRM_DATA_DIR: 'd' })).toEqual({ databaseUrl: url });
  });

  it('refuses both flags, or both variables without a flag', () => {
    expect(() => resolveStorage({ dataDir: 'd', databaseUrl: url }, {})).toThrow(ConflictingStorageFlagsError);
    expect(() => resolveStorage({}, { DATABASE_URL: url, CRM_DATA_DIR: 'd' })).toThrow(ConflictingStorageFlagsError);
  });
});
