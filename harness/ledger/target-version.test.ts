import { describe, expect, it } from 'vitest';
import { LedgerError } from './errors.ts';
import { checkHeaderName, givenTargetVersion, TARGET_VERSION_ENV, versionFromHeader } from './target-version.ts';

describe('target version', () => {
  it('takes the flag over the environment, and neither when both are absent', () => {
    expect(givenTargetVersion(' v2 ', { [TARGET_VERSION_ENV]: 'v9' })).toEqual({ version: 'v2', source: 'flag' });
    expect(givenTargetVersion(undefined, { [TARGET_VERSION_ENV]: 'v9' })).toEqual({ version: 'v9', source: 'env' });
    expect(givenTargetVersion(undefined, { [TARGET_VERSION_ENV]: '  ' })).toBeUndefined();
    expect(() => givenTargetVersion('a\nb', {})).toThrow(LedgerError);
  });

  it('reads the header’s first value, and warns when it changed during the run or is missing', () => {
    expect(versionFromHeader('x-version', ['1.4.2'])).toEqual({
      version: '1.4.2',
      source: 'header',
      header: 'x-version',
    });
    const changed = versionFromHeader('x-version', ['1.4.2', '1.4.3']);
    expect(changed.version).toBe('1.4.2');
    expect(changed.warning).toMatch(/changed during the run \(1\.4\.2, 1\.4\.3\)/);
    expect(versionFromHeader('x-version', [])).toMatchObject({ version: null, source: 'none' });
    expect(versionFromHeader(undefined, [])).toMatchObject({
      version: null,
      warning: expect.stringMatching(/--target-version/),
    });
  });

  it('accepts only HTTP header names, lower-cased as the transcript records them', () => {
    expect(checkHeaderName('X-App-Version', '--target-version-header')).toBe('x-app-version');
    expect(() => checkHeaderName('x version', '--target-version-header')).toThrow(LedgerError);
  });
});
