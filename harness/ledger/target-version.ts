/**
 * The target's version a run tested, recorded with every run entry. In order of precedence:
 *
 *   1. `--target-version V` on `ledger add`;
 *   2. the environment variable TENANTPROOF_TARGET_VERSION (e.g. set from the deploy step in CI);
 *   3. a response header: `--target-version-header NAME` on `ledger add`, else the header the ledger's
 *      genesis entry names (set when the ledger was created). Its value is read from the run's
 *      transcript (every response's headers are recorded there); the first value seen is recorded,
 *      and a warning says so if the header changed during the run (a deploy mid-run);
 *   4. none: the entry records `targetVersion: null` and the add warns.
 */
import { LedgerError } from './errors.ts';

export const TARGET_VERSION_ENV = 'TENANTPROOF_TARGET_VERSION';

export interface ResolvedTargetVersion {
  version: string | null;
  source: 'flag' | 'env' | 'header' | 'none';
  header?: string;
  warning?: string;
}

const MAX = 200;

/** A version string as given: trimmed, printable, at most 200 characters. */
export function checkVersionText(value: string, where: string): string {
  const v = value.trim();
  if (v === '') throw new LedgerError(`${where} is empty`);
  if (v.length > MAX) throw new LedgerError(`${where} is longer than ${MAX} characters`);
  if (/[\u0000-\u001f\u007f]/.test(v)) throw new LedgerError(`${where} contains control characters`);
  return v;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/** A header name as HTTP allows it (a token), lower-cased as the transcript records it. */
export function checkHeaderName(value: string, where: string): string {
  if (!TOKEN.test(value)) throw new LedgerError(`${where} ${JSON.stringify(value)} is not an HTTP header name`);
  return value.toLowerCase();
}

/** The version given directly (flag, then environment), if any: no transcript needs reading. */
export function givenTargetVersion(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): ResolvedTargetVersion | undefined {
  if (flag !== undefined) return { version: checkVersionText(flag, '--target-version'), source: 'flag' };
  const e = env[TARGET_VERSION_ENV];
  if (e !== undefined && e.trim() !== '') return { version: checkVersionText(e, TARGET_VERSION_ENV), source: 'env' };
  return undefined;
}

/** The version read from the header's values in the transcript (or none). */
export function versionFromHeader(header: string | undefined, values: readonly string[]): ResolvedTargetVersion {
  if (!header)
    return {
      version: null,
      source: 'none',
      warning: `no target version: pass --target-version V, set ${TARGET_VERSION_ENV}, or name the response header that carries it (--target-version-header NAME)`,
    };
  const usable = values.filter((v) => v.length <= MAX && !/[\u0000-\u001f\u007f]/.test(v));
  if (usable.length === 0)
    return {
      version: null,
      source: 'none',
      header,
      warning: `no response in the run's transcript carries the header ${header}; the target version is recorded as unknown`,
    };
  return {
    version: usable[0]!,
    source: 'header',
    header,
    ...(usable.length > 1
      ? {
          warning: `the header ${header} changed during the run (${usable.slice(0, 5).join(', ')}${usable.length > 5 ? ', …' : ''}); recorded the first, ${usable[0]!}`,
        }
      : {}),
  };
}
