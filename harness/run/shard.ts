/**
 * Sharding a campaign over n CI jobs (`--shard i/n`). Each shard gets its own seed, derived from the
 * campaign's base seed, so the n jobs explore n different command streams instead of one; and an
 * operation focus, a deterministic slice of the in-scope operations that its command menu weights
 * up, so the n jobs together spend more of their budget on every operation than one job could.
 * Every operation still runs in every shard (a probe needs the records that other operations make).
 */
import { createHash } from 'node:crypto';
import { ConfigError } from './config-error.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new ConfigError(`--shard takes i/n, e.g. 2/3, not "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 256) throw new ConfigError(`--shard ${text}: n must be between 1 and 256`);
  if (index < 1 || index > count) throw new ConfigError(`--shard ${text}: i must be between 1 and ${count}`);
  return { index, count };
}

/** The seed shard i runs with: distinct per shard, the same on every machine. Shard 1 of 1 keeps the base seed. */
export function shardSeed(baseSeed: number, shard: Shard): number {
  if (shard.count === 1) return baseSeed;
  const h = createHash('sha256').update(`tenantproof-shard:${baseSeed}:${shard.index}/${shard.count}`).digest();
  return h.readUInt32BE(0) & 0x7fffffff;
}

/** The operations shard i weights up: round-robin over the sorted operationIds. */
export function shardFocus(operationIds: readonly string[], shard: Shard): string[] {
  return [...operationIds].sort().filter((_, k) => k % shard.count === shard.index - 1);
}

/** SHA-256 of canonical JSON (sorted keys), for the settings shards of one campaign must share. */
export function configDigest(settings: Record<string, unknown>): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(settings)))
    .digest('hex');
}
