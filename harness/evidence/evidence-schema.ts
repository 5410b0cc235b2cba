/**
 * The `evidence.json` document, version 1.1: the machine-readable record of a run, from which the
 * HTML/PDF report, JUnit and SARIF are rendered. Its JSON Schema is published at
 * `specs/evidence.schema.json` (regenerate with `npx tsx harness/evidence/write-evidence-schema.ts`).
 *
 * Tenants appear only as pseudonymous labels (`T1`, `T2`, …): no tenant id, name or credential of the
 * target is part of the evidence.
 *
 * Versions: 1.1 added `assessedAt` and `validUntil` (required in 1.1). Evidence of version 1.0,
 * written before, is still read and verified: its assessment time is `method.endedAt` and its
 * validity is unknown (see freshness.ts).
 */
import { z } from 'zod';

export const EVIDENCE_SCHEMA_VERSION = '1.1' as const;
/** Every version this code reads, oldest first; it writes only the last. */
export const EVIDENCE_SCHEMA_VERSIONS = ['1.0', EVIDENCE_SCHEMA_VERSION] as const;
/** The fields a version after 1.0 requires (beyond what the object schema requires of every version). */
const REQUIRED_SINCE_1_1 = ['assessedAt', 'validUntil'] as const;
export const EVIDENCE_FILE = 'evidence.json';

const sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('SHA-256, lower-case hex');
const utc = z.iso.datetime({ offset: false }).describe('UTC timestamp, RFC 3339 with Z');
const count = z.int().min(0);
export const TenantLabelSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/)
  .describe('pseudonymous tenant label, e.g. T1');
export const OracleSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/)
  .describe('an oracle of the registry that ran (method.oracles), e.g. foreign-data');
export const RelationSchema = z.enum(['own', 'foreign', 'injected']);
export const SeveritySchema = z.enum(['critical', 'high', 'medium', 'low']);
export const VerdictSchema = z.enum(['clean', 'leak', 'inconclusive']);

export const OperationRefSchema = z.strictObject({
  operationId: z.string().min(1),
  method: z.string().min(1),
  path: z.string().min(1),
  kind: z.string().optional().describe('create, read, update, delete, list, search, aggregate, export, action, …'),
});

export const ScopeSchema = z.strictObject({
  spec: z.strictObject({
    title: z.string(),
    version: z.string(),
    sha256,
    file: z.string().optional(),
  }),
  target: z.strictObject({
    kind: z.enum(['embedded', 'url']),
    url: z.string().optional().describe('base URL; for embedded, the local address it ran on'),
    faults: z.array(z.string()).optional().describe('faults switched on in the embedded reference CRM'),
  }),
  operations: z.strictObject({
    inScope: z.array(OperationRefSchema),
    outOfScope: z.array(OperationRefSchema.partial({ method: true, path: true }).extend({ reason: z.string().min(1) })),
  }),
});

export const MergedShardSchema = z.strictObject({
  runId: z.string().min(1),
  dir: z
    .string()
    .min(1)
    .describe('the folder, relative to the merged folder, holding the shard as it was sealed: shards/<runId>'),
  index: z.int().min(1).optional().describe('1-based shard index (--shard i/n); absent for an unsharded run'),
  seed: z.int(),
  requestCount: count,
  interleavedBatchCount: count,
  startedAt: utc,
  endedAt: utc,
  partial: z.boolean(),
  partialReason: z.string().optional(),
  verdict: VerdictSchema,
  findings: count.describe('findings of this shard (all are in the merged findings)'),
  negativeControl: z.enum(['passed', 'failed', 'skipped']),
  evidenceSha256: sha256.describe("SHA-256 of the shard's own evidence.json"),
  keyFingerprint: sha256.optional().describe("fingerprint of the key that signed the shard's own attestation"),
});

export const MergedSchema = z.strictObject({
  shardCount: z.int().min(1).optional().describe('n of --shard i/n; absent when unsharded runs were merged'),
  missing: z
    .array(z.int().min(1))
    .describe('shard indexes of 1..n that were not given to merge (the merged evidence is then partial)'),
  shards: z.array(MergedShardSchema).min(1),
});

export const MethodSchema = z.strictObject({
  tool: z.strictObject({ name: z.string(), version: z.string(), gitCommit: z.string().nullable() }),
  seed: z.int(),
  budget: z.strictObject({ ms: count.optional(), runs: count.optional() }),
  tenants: z.array(TenantLabelSchema).min(2),
  oracles: z.array(OracleSchema).min(1),
  oracleRules: z
    .array(z.strictObject({ name: OracleSchema, title: z.string(), rule: z.string() }))
    .optional()
    .describe('the proof rule of each oracle that ran: what it must show before it may raise a finding'),
  requestCount: count,
  interleavedBatchCount: count,
  startedAt: utc,
  endedAt: utc,
  partial: z
    .boolean()
    .describe('true when the run was interrupted (signal, budget cut) and the evidence covers what ran'),
  partialReason: z.string().optional(),
  concurrency: z.int().min(1).optional(),
  lanes: z
    .int()
    .min(1)
    .optional()
    .describe('independent searches that ran side by side, each on fresh tenants (--lanes)'),
  shard: z
    .strictObject({
      index: z.int().min(1).describe('1-based, as in --shard i/n'),
      count: z.int().min(1),
      baseSeed: z
        .int()
        .describe('the seed every shard of the campaign was given; this shard ran seed `seed`, derived from it'),
      focus: z.array(z.string()).describe('operationIds this shard weighted up (every operation still runs)'),
    })
    .optional()
    .describe('this run is one slice of a sharded campaign (tenantproof run --shard i/n)'),
  configDigest: sha256
    .optional()
    .describe(
      'SHA-256 of the campaign settings that shards of one campaign share (spec, target, tenants, budgets, base seed, shard count); merge refuses shards whose digests differ',
    ),
  firstDetection: z
    .strictObject({ requests: count, elapsedMs: count })
    .optional()
    .describe('when the search first saw a finding: requests sent until then, and milliseconds since the start'),
  pool: z
    .strictObject({
      tenantsPerRun: count.describe('tenants of each search run taken from the long-lived pool (the last labels)'),
      labels: z.array(z.string()),
      lifetime: z.union([z.strictObject({ ms: count }), z.strictObject({ runs: count })]),
      runs: count.describe('search runs that used pool tenants (shrinking and replays never do)'),
      provisioned: count,
      retired: count,
      mostRecords: count.describe('the most live records of one resource that a pool tenant held after a run'),
      exactModelTenants: count.describe(
        'pool tenants serving at the end whose own responses still got exact model checks',
      ),
      servingTenants: count,
    })
    .optional()
    .describe('the long-lived tenant pool (--pool-tenants): tenants kept across runs so their data grows'),
  merged: MergedSchema.optional().describe(
    'this evidence merges several run folders (tenantproof merge); each is copied, with its own seal, under `shards/<runId>/`',
  ),
});

export const CoverageCellSchema = z.strictObject({
  operationId: z.string(),
  oracle: OracleSchema,
  relation: RelationSchema,
  count: count.describe('exchanges or observations this oracle judged for this operation and relation'),
});
export const CoverageSummarySchema = z.strictObject({
  tenantOwned: count.describe('tenant-owned operations of the spec'),
  probed: count.describe('of them, probed cross-tenant: at least one judged request named another tenant'),
  ratio: z.number().min(0).max(1),
  minimum: z.number().min(0).max(1).describe('the --min-coverage gate a CLEAN verdict needs'),
  notProbed: z.array(
    z.strictObject({
      operationId: z.string(),
      reason: z.string(),
      fix: z.string().optional().describe('what would let the campaign probe it'),
    }),
  ),
});
export const CoverageSchema = z.strictObject({
  cells: z.array(CoverageCellSchema),
  summary: CoverageSummarySchema.optional(),
});

export const ReproStepSchema = z.strictObject({
  tenant: TenantLabelSchema,
  method: z.string(),
  path: z
    .string()
    .describe(
      'path with query; ids the server issued as placeholders {stepN.path}: the value at `path` in the response to steps[N] (0-based, like concurrentWith)',
    ),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe('non-secret headers that matter (e.g. an injected X-Tenant-Id)'),
  body: z.unknown().optional(),
  concurrentWith: z.array(z.int()).optional().describe('indices of steps sent concurrently with this one'),
  response: z
    .strictObject({
      status: z.int().optional().describe('HTTP status of the answer'),
      error: z.string().optional().describe('transport error code (TIMEOUT, …) when no answer came'),
      finding: z.boolean().optional().describe('the finding fired on this answer'),
      excerpt: z
        .strictObject({ before: z.string(), match: z.string(), after: z.string() })
        .optional()
        .describe("the other tenant's bytes in this answer the finding rests on (its first hit), with context"),
    })
    .optional()
    .describe('what this step got back when the minimal repro ran (absent in evidence written before it was recorded)'),
});

export const ProofSchema = z
  .enum(['victim-data', 'victim-state-change', 'difference'])
  .describe(
    "what the finding rests on: values the victim owns came back; the victim's own re-read shows the write took effect; or an answer that differs from a twin request (confirmed only by replay)",
  );
export const ConfirmationSchema = z
  .enum(['self-proving', 'replay', 'unconfirmed'])
  .describe(
    'confirmed by its own evidence, by reproducing on replay, or not confirmed (it cannot carry a LEAK verdict)',
  );

export const FindingSchema = z.strictObject({
  id: z.string().min(1),
  oracle: OracleSchema,
  proof: ProofSchema.optional(),
  confirmation: ConfirmationSchema.optional().describe(
    'absent in evidence written before confirmation existed (read as confirmed)',
  ),
  probe: z.string().optional().describe('the probe the finding fired on (own-call, cross-tenant-read, …)'),
  severity: SeveritySchema,
  operationId: z.string(),
  attacker: TenantLabelSchema,
  victim: TenantLabelSchema.optional(),
  summary: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  exchanges: z.array(count),
  repro: z.strictObject({ steps: z.array(ReproStepSchema) }),
  reproduction: z.strictObject({ reproduced: count, attempts: count }),
  transcriptLines: z.array(z.int().min(1)),
  counterexample: z.string().optional().describe('relative path of counterexamples/<n>.json'),
  transcript: z
    .string()
    .optional()
    .describe(
      'the transcript that `exchanges` and `transcriptLines` refer to, relative to the run folder (default transcript.ndjson; in a merged folder shards/<runId>/transcript.ndjson)',
    ),
  origin: z
    .strictObject({ runId: z.string().min(1), id: z.string().min(1) })
    .optional()
    .describe('in a merged folder: the run this finding came from and its id there'),
});

export const NegativeControlSchema = z.strictObject({
  outcome: z.enum(['passed', 'failed', 'skipped']),
  detail: z.string().optional(),
  oracles: z.array(
    z.strictObject({
      oracle: OracleSchema,
      planted: z.boolean(),
      fired: z.boolean(),
      outcome: z.enum(['passed', 'failed', 'not-applicable']),
      detail: z.string().optional(),
    }),
  ),
});

export const ObservationSchema = z.strictObject({
  oracle: z.string().describe('the oracle that saw it, or `target` for how the target conformed'),
  kind: z.string(),
  operationId: z.string(),
  summary: z.string(),
  count: z.int().min(1),
  exchanges: z.array(count),
  transcriptLines: z.array(z.int().min(1)).optional(),
});

export const ControlSchema = z.strictObject({
  framework: z.string(),
  id: z.string(),
  title: z.string(),
  tested: z.string().describe('what the run tested for this control'),
  oracles: z.array(OracleSchema),
  status: z
    .enum(['tested-not-violated', 'violated', 'not-tested', 'inconclusive', 'supported'])
    .describe('`supported` is what evidence written before `tested-not-violated` existed says for it'),
  findings: z.array(z.string()).optional().describe('ids of the findings of a kind that violates this control'),
});

export const EvidenceSchema = z
  .strictObject({
    schemaVersion: z
      .enum(EVIDENCE_SCHEMA_VERSIONS)
      .describe('1.1 adds assessedAt and validUntil (required); 1.0 is evidence written before them'),
    runId: z.string().min(1),
    assessedAt: utc
      .optional()
      .describe(
        'when the target was assessed: the end of the campaign (method.endedAt; for a merged folder, the latest end of the runs it merges). Required from schemaVersion 1.1',
      ),
    validUntil: utc
      .optional()
      .describe(
        "until when the signer vouches for this evidence: assessedAt plus the validity period (run/merge --valid-for, default 12 months; a merge never extends past a merged run's own validUntil). Required from schemaVersion 1.1",
      ),
    scope: ScopeSchema,
    method: MethodSchema,
    coverage: CoverageSchema,
    findings: z.array(FindingSchema),
    negativeControl: NegativeControlSchema,
    controlMapping: z.array(ControlSchema),
    observations: z
      .array(ObservationSchema)
      .optional()
      .describe('what limits what this run can prove, and how the target conformed; never part of the verdict'),
    verdict: VerdictSchema,
    verdictReason: z.string().optional().describe('why an inconclusive verdict is inconclusive'),
    signing: z
      .strictObject({
        algorithm: z.literal('ed25519'),
        keyFingerprint: sha256,
        keyOrigin: z.enum(['env', 'generated']),
      })
      .optional(),
  })
  .superRefine((e, ctx) => {
    if (e.schemaVersion !== '1.0')
      for (const key of REQUIRED_SINCE_1_1)
        if (e[key] === undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: `${key} is required from schemaVersion 1.1` });
    if (e.assessedAt && e.validUntil && Date.parse(e.validUntil) < Date.parse(e.assessedAt))
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'validUntil is before assessedAt' });
    // Every finding names an oracle that ran.
    const ran = new Set(e.method.oracles);
    e.findings.forEach((f, i) => {
      if (!ran.has(f.oracle))
        ctx.addIssue({
          code: 'custom',
          path: ['findings', i, 'oracle'],
          message: `oracle ${f.oracle} is not in method.oracles`,
        });
    });
  });

export type Evidence = z.infer<typeof EvidenceSchema>;
export type EvidenceFinding = z.infer<typeof FindingSchema>;
export type EvidenceObservation = z.infer<typeof ObservationSchema>;
export type CoverageCell = z.infer<typeof CoverageCellSchema>;
export type NegativeControl = z.infer<typeof NegativeControlSchema>;
export type ControlEntry = z.infer<typeof ControlSchema>;
export type ReproStep = z.infer<typeof ReproStepSchema>;
export type MergedInfo = z.infer<typeof MergedSchema>;
export type MergedShard = z.infer<typeof MergedShardSchema>;
export type PoolMethod = NonNullable<z.infer<typeof MethodSchema>['pool']>;

export const EVIDENCE_SCHEMA_ID = 'https://tenantproof.dev/schemas/evidence-1.1.json';

/**
 * The published JSON Schema (draft 2020-12). zod cannot express "required from version 1.1", so
 * that rule is added here as an if/then (the superRefine above is its zod side).
 */
export function evidenceJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(EvidenceSchema, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
  return {
    ...schema,
    allOf: [
      {
        if: { properties: { schemaVersion: { const: EVIDENCE_SCHEMA_VERSION } }, required: ['schemaVersion'] },
        then: { required: [...REQUIRED_SINCE_1_1] },
      },
    ],
    $id: EVIDENCE_SCHEMA_ID,
    title: 'tenantproof evidence.json',
    description: `The record of one tenantproof isolation run (schemaVersion ${EVIDENCE_SCHEMA_VERSIONS.join(' or ')}).`,
  };
}

export function serializeEvidenceSchema(): string {
  return JSON.stringify(evidenceJsonSchema(), null, 2) + '\n';
}
