/**
 * Everything a run job settles before it sends a request: the spec and plan, the signing key, the
 * target (opened last), this job's seed and operation focus, the config digest, the run id and
 * folder. Any problem is a TenantproofError with its exit code (the CLI reports it); a target that
 * was opened is closed again if a later step fails.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { toolVersion } from '../tool-version.ts';
import { loadSigningKey, type SigningKey } from '../evidence/attestation.ts';
import type { Evidence } from '../evidence/evidence-schema.ts';
import { systemClock, type Clock } from '../evidence/clock.ts';
import { buildPlan, type CampaignPlan } from '../model/plan.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import type { ApiModel } from '../openapi/api-model.ts';
import { campaignDigest, stripCredentials } from './config-digest.ts';
import type { RunConfig } from './settings.ts';
import { shardFocus, shardSeed, type Shard } from './shard.ts';
import { openTarget, targetOptionsOf, type Target } from './target.ts';

export interface JobSetup {
  model: ApiModel;
  plan: CampaignPlan;
  specSha256: string;
  key: SigningKey;
  target: Target;
  /** As the evidence records it (no credentials in URLs). */
  targetRef: Evidence['scope']['target'];
  /** This job's seed (a shard's is derived from the base seed), and a shard's operation focus. */
  seed: number;
  focus?: string[];
  digest: string;
  runId: string;
  dir: string;
  adminToken?: string;
  tool: { version: string; gitCommit: string | null };
}

function gitCommit(): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

function runIdFor(now: Date, seed: number, shard?: Shard): string {
  const t = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return `${t}-s${seed}${shard ? `-shard${shard.index}of${shard.count}` : ''}-${randomBytes(2).toString('hex')}`;
}

/** `run <id>, seed <n>, target <what>, <n> operations, budget <s>s`: what a run announces first. */
function runLine(config: RunConfig, runId: string, seed: number, operations: number): string {
  const shard = config.shard ? ` (shard ${config.shard.index}/${config.shard.count} of base seed ${config.seed})` : '';
  const target =
    config.target === 'embedded'
      ? `embedded CRM${config.faults.length ? ` with ${config.faults.join(', ')}` : ''}`
      : stripCredentials(config.target);
  return `run ${runId}, seed ${seed}${shard}, target ${target}, ${operations} operations, budget ${config.budget / 1000}s`;
}

/** `clock` dates the run's id (see evidence/clock.ts). */
export async function prepareJob(
  config: RunConfig,
  onStatus?: (message: string) => void,
  clock: Clock = systemClock,
): Promise<JobSetup> {
  const model = await analyzeSpecFile(config.spec, config.overlay !== undefined ? { overlay: config.overlay } : {});
  const plan = buildPlan(model);
  if (plan.inScope.length === 0) {
    const why = plan.outOfScope.map((o) => `${o.operationId} (${o.reason})`).join('; ') || 'no operations';
    throw new UsageError(`nothing in ${config.spec} can be tested: ${why}.`, {
      hint: `\`tenantproof inspect${config.overlay !== undefined ? ` --overlay ${config.overlay}` : ''}\` shows why`,
    });
  }
  // The spec's bytes, then the overlay's (as loadSpec hashes them): the evidence digests what was analysed.
  const specHash = createHash('sha256').update(readFileSync(config.spec));
  if (config.overlay !== undefined) specHash.update('\0overlay\0').update(readFileSync(config.overlay));
  const specSha256 = specHash.digest('hex');
  // The signing key before any traffic: a malformed TENANTPROOF_SIGNING_KEY fails fast.
  const key = loadSigningKey();
  const seed = config.shard ? shardSeed(config.seed, config.shard) : config.seed;
  const runId = runIdFor(clock(), seed, config.shard);
  // The first line: the run's id and target, before the (embedded) target starts.
  onStatus?.(runLine(config, runId, seed, plan.inScope.length));
  const target = await openTarget(targetOptionsOf(config, onStatus));
  try {
    const version = toolVersion();
    const dir = path.resolve(config.out, runId);
    mkdirSync(path.join(dir, 'counterexamples'), { recursive: true });
    const adminToken = config.adminToken ?? target.adminToken ?? process.env['CRM_ADMIN_TOKEN'];
    return {
      model,
      plan,
      specSha256,
      key,
      target,
      targetRef:
        target.kind === 'embedded'
          ? { kind: 'embedded', url: target.url, faults: target.faults }
          : { kind: 'url', url: stripCredentials(target.url) },
      seed,
      ...(config.shard
        ? {
            focus: shardFocus(
              plan.inScope.map((p) => p.op.operationId),
              config.shard,
            ),
          }
        : {}),
      digest: campaignDigest(config, { specSha256, target, toolVersion: version }),
      runId,
      dir,
      ...(adminToken ? { adminToken } : {}),
      tool: { version, gitCommit: gitCommit() },
    };
  } catch (err) {
    await target.close();
    throw err;
  }
}
