/**
 * Assembles evidence.json from a campaign's result: scope (spec, target, operations), method
 * (seed, budget, tenants, requests, batches, times), coverage, findings with their minimal repro
 * and transcript lines, the negative control, the control mapping and the verdict; and how long it
 * is valid: `assessedAt` is the end of the campaign (`method.endedAt`), `validUntil` that plus the
 * validity period (`--valid-for`, default 12 months).
 */
import type { Finding, TenantLabel } from '../model/exchange.ts';
import { ORACLES, type OracleSet } from '../oracles/index.ts';
import type { Step } from '../model/step.ts';
import type { CampaignPlan } from '../model/plan.ts';
import type { ApiModel } from '../openapi/api-model.ts';
import { evidenceControlMapping, verdictWithReason } from '../evidence/controls.ts';
import { type Evidence, type ReproStep, EVIDENCE_SCHEMA_VERSION } from '../evidence/evidence-schema.ts';
import { firstHit, toEvidenceFinding } from '../evidence/findings.ts';
import type { NegativeControlResult } from '../oracles/negative-control.ts';
import type { CampaignResult } from './campaign.ts';
import type { Counterexample } from './campaign-types.ts';
import { poolMethod } from './tenant-pool.ts';
import type { StepResult } from './run-context.ts';
import { coverageGate, type CoverageSummary } from '../evidence/coverage-gate.ts';
import { addCalendarDuration, DEFAULT_VALIDITY, type CalendarDuration } from '../evidence/calendar-duration.ts';

export interface EvidenceContext {
  runId: string;
  model: ApiModel;
  plan: CampaignPlan;
  specFile: string;
  specSha256: string;
  target: Evidence['scope']['target'];
  tool: { version: string; gitCommit: string | null };
  budgetMs: number;
  maxRuns?: number;
  tenants: TenantLabel[];
  concurrency: number;
  lanes?: number;
  /** This run's slice of a sharded campaign. */
  shard?: { index: number; count: number; baseSeed: number; focus: string[] };
  configDigest?: string;
  partialReason?: string;
  negativeControl: NegativeControlResult;
  transcriptLineOf: (seq: number) => number | undefined;
  /** `counterexamples/<n>.json` of each finding, in order. */
  counterexampleFiles?: string[];
  /** How much of the spec the run probed cross-tenant, against --min-coverage. */
  coverageSummary?: CoverageSummary;
  /** Answers the target throttled (429) and all answers, for the "mostly throttled" verdict. */
  throttling?: { answers: number; throttled: number };
  signing?: Evidence['signing'];
  /** The oracles the run used (default: the built-in registry). */
  oracles?: OracleSet;
  /** How long the evidence is valid after the run ends (`--valid-for`; default 12 months). */
  validFor?: CalendarDuration;
}

/**
 * A step as a reviewer reads it: ids shown as placeholders `{stepN.path}` naming the step, by its
 * 0-based position in the repro, whose response carried them; and, when the run recorded it, what
 * the step got back and whether the finding fired on it.
 */
export function reproSteps(
  steps: readonly Step[],
  ran: Partial<Pick<Counterexample, 'results' | 'findings'>> = {},
): ReproStep[] {
  // References name a step by the index it got in its run, where follow-ups took indexes too.
  const position = new Map(steps.map((s, i) => [s.index, i]));
  const label = (v: unknown): string => {
    if (v && typeof v === 'object' && '$from' in v) {
      const { $from, path } = v as unknown as { $from: number; path: string };
      const at = position.get($from);
      return at !== undefined ? `{step${at}.${path}}` : `{${path} of a follow-up response}`;
    }
    if (v && typeof v === 'object' && '$tenantId' in v)
      return `{tenantId of ${(v as { $tenantId: string }).$tenantId}}`;
    return String(v);
  };
  const placeholders = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(placeholders);
    if (v && typeof v === 'object') {
      if ('$from' in v || '$tenantId' in v) return label(v);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, placeholders(x)]));
    }
    return v;
  };
  const byBatch = new Map<number, number[]>();
  steps.forEach((s, i) => {
    if (s.batch !== undefined) byBatch.set(s.batch, [...(byBatch.get(s.batch) ?? []), i]);
  });
  return steps.map((s, i) => {
    let path = s.path;
    for (const [k, v] of Object.entries(s.pathParams)) path = path.replace(`{${k}}`, label(v));
    const query = Object.entries(s.query)
      .map(([k, v]) => `${k}=${label(v)}`)
      .join('&');
    const step: ReproStep = { tenant: s.tenant, method: s.method, path: query ? `${path}?${query}` : path };
    if (Object.keys(s.headers).length > 0)
      step.headers = Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k, label(v)]));
    if (s.body !== undefined) step.body = placeholders(s.body);
    const mates = s.batch !== undefined ? (byBatch.get(s.batch) ?? []).filter((j) => j !== i) : [];
    if (mates.length > 0) step.concurrentWith = mates;
    const result = ran.results?.[i];
    if (result) step.response = stepResponse(result, ran.findings ?? []);
    return step;
  });
}

/** A step's answer as the evidence records it; the bytes of the first hit when the finding fired on it. */
function stepResponse(result: StepResult, findings: readonly Finding[]): NonNullable<ReproStep['response']> {
  const fired = findings.find((f) => f.exchanges.includes(result.seq));
  const excerpt = fired ? firstHit(fired.evidence) : undefined;
  return {
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(result.error !== undefined ? { error: result.error } : {}),
    ...(fired ? { finding: true } : {}),
    ...(excerpt ? { excerpt } : {}),
  };
}

export function buildEvidence(result: CampaignResult, ctx: EvidenceContext): Evidence {
  const coverageCells = result.coverage.list();
  // One finding per distinct finding of the campaign, as it first fired, with its own minimal repro.
  const evidenceFindings = result.findings.map((cf, i) =>
    toEvidenceFinding(cf.finding, {
      id: `F${i + 1}`,
      repro: reproSteps(cf.counterexample.steps, cf.counterexample),
      reproduction: cf.reproduction,
      confirmation: cf.confirmation,
      transcriptLineOf: ctx.transcriptLineOf,
      ...(ctx.counterexampleFiles?.[i] ? { counterexample: ctx.counterexampleFiles[i] } : {}),
    }),
  );
  const negativeControl: Evidence['negativeControl'] = {
    outcome: ctx.negativeControl.outcome,
    ...(ctx.negativeControl.detail ? { detail: ctx.negativeControl.detail } : {}),
    oracles: ctx.negativeControl.oracles.map((o) => ({ ...o })),
  };
  const registry = ctx.oracles ?? ORACLES;
  const controlMapping = evidenceControlMapping(
    { findings: evidenceFindings, coverage: coverageCells, negativeControl },
    registry,
  );
  let { verdict, reason: verdictReason } = verdictWithReason({
    findings: evidenceFindings,
    coverage: coverageCells,
    negativeControl,
    // A shard covers a slice of the campaign by design: its coverage is stated, and the gate is
    // applied once, by `tenantproof merge`, to the union of the shards.
    ...(ctx.coverageSummary && !ctx.shard ? { coverageGate: coverageGate(ctx.coverageSummary) } : {}),
    ...(ctx.throttling ? { throttling: ctx.throttling } : {}),
    unusable: unusableAnswers(result),
  });
  // An unusable target is the reason a run that found no confirmed leak is inconclusive, whatever
  // else (a skipped negative control, thin coverage) followed from it.
  if (result.status === 'target-unusable' && verdict !== 'leak') {
    verdict = 'inconclusive';
    verdictReason = result.reason ?? 'the target became unusable';
  }
  const partial =
    result.status === 'interrupted' || result.status === 'target-unusable' || ctx.partialReason !== undefined;
  const ref = (p: CampaignPlan['inScope'][number]) => ({
    operationId: p.op.operationId,
    method: p.op.method.toUpperCase(),
    path: p.op.path,
    kind: p.op.kind,
  });
  const evidence: Evidence = {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    runId: ctx.runId,
    assessedAt: result.endedAt.toISOString(),
    validUntil: addCalendarDuration(result.endedAt, ctx.validFor ?? DEFAULT_VALIDITY).toISOString(),
    scope: {
      spec: { title: ctx.model.title, version: ctx.model.version, sha256: ctx.specSha256, file: ctx.specFile },
      target: ctx.target,
      operations: {
        inScope: ctx.plan.inScope.map(ref),
        outOfScope: ctx.plan.outOfScope.map((o) => ({
          operationId: o.operationId,
          method: o.method,
          path: o.path,
          reason: o.reason,
        })),
      },
    },
    method: {
      tool: { name: 'tenantproof', version: ctx.tool.version, gitCommit: ctx.tool.gitCommit },
      seed: result.seed,
      budget: { ms: ctx.budgetMs, ...(ctx.maxRuns !== undefined ? { runs: ctx.maxRuns } : {}) },
      tenants: ctx.tenants,
      oracles: registry.names,
      oracleRules: registry.oracles.map((o) => ({ name: o.name, title: o.title, rule: o.rule })),
      requestCount: result.requests,
      interleavedBatchCount: result.batches,
      startedAt: result.startedAt.toISOString(),
      endedAt: result.endedAt.toISOString(),
      partial,
      ...(partial ? { partialReason: ctx.partialReason ?? result.reason ?? result.status } : {}),
      concurrency: ctx.concurrency,
      ...(ctx.lanes && ctx.lanes > 1 ? { lanes: ctx.lanes } : {}),
      ...(ctx.shard ? { shard: { ...ctx.shard, focus: [...ctx.shard.focus] } } : {}),
      ...(ctx.configDigest ? { configDigest: ctx.configDigest } : {}),
      ...(result.firstDetection ? { firstDetection: { ...result.firstDetection } } : {}),
      ...(result.pool ? { pool: poolMethod(result.pool) } : {}),
    },
    coverage: {
      cells: coverageCells.map((c) => ({ ...c })),
      ...(ctx.coverageSummary ? { summary: structuredClone(ctx.coverageSummary) } : {}),
    },
    findings: evidenceFindings,
    negativeControl,
    controlMapping,
    ...(result.observations.length > 0
      ? {
          observations: result.observations.map((o) => ({
            ...o,
            exchanges: [...o.exchanges],
            transcriptLines: o.exchanges.map(ctx.transcriptLineOf).filter((l): l is number => l !== undefined),
          })),
        }
      : {}),
    verdict,
    ...(verdictReason ? { verdictReason } : {}),
  };
  if (ctx.signing) evidence.signing = ctx.signing;
  return evidence;
}

/** Requests whose answer no oracle could read, of all requests, with the causes (`TIMEOUT×3, truncated×2`). */
function unusableAnswers(result: CampaignResult): { count: number; requests: number; causes: string } {
  const causes = new Map<string, number>();
  for (const byCause of result.unusable.values())
    for (const [cause, n] of byCause) causes.set(cause, (causes.get(cause) ?? 0) + n);
  const count = [...causes.values()].reduce((a, b) => a + b, 0);
  return {
    count,
    requests: result.requests,
    causes: [...causes].map(([c, n]) => `${c}×${n}`).join(', '),
  };
}
