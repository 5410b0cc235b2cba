/**
 * The config digest: SHA-256 of the settings every shard of one campaign must share. Settings marked
 * `digest: 'value'` in the settings table enter as their value; the spec, the target, the kind of
 * provisioning, the base seed and the shard count enter in the form below.
 */
import type { Target } from './target.ts';
import { configDigest } from './shard.ts';
import { digestedValues, type RunConfig } from './settings.ts';

export function campaignDigest(
  config: RunConfig,
  facts: { specSha256: string; target: Target; toolVersion: string },
): string {
  const { target } = facts;
  return configDigest({
    ...digestedValues(config),
    spec: facts.specSha256,
    target:
      target.kind === 'embedded'
        ? {
            kind: 'embedded',
            faults: [...target.faults].sort(),
            database: config.databaseUrl ? 'postgresql' : 'pglite',
          }
        : { kind: 'url', url: stripCredentials(target.url) },
    provision: config.provision.split(':')[0],
    baseSeed: config.seed,
    shards: config.shard?.count ?? 1,
    tool: facts.toolVersion,
  });
}

/** A URL without user name or password (they never go into evidence). */
export function stripCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
