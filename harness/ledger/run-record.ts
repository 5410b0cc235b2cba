/**
 * The body of a run entry, from a run folder that has verified (see add-runs.ts): where the evidence
 * is and its hashes, the run's dates (evidence.json's `method.startedAt`/`endedAt`), the target's
 * version, the verdict, the coverage summary and matrix (which operation × oracle × relation cells
 * were judged at least once: what "covered" means when an incident is declared fixed), which
 * oracles' negative control failed, and the findings reduced by finding-record.ts.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ATTESTATION_FILE, MANIFEST_FILE } from '../evidence/manifest.ts';
import { EVIDENCE_FILE, type Evidence } from '../evidence/evidence-schema.ts';
import { sha256Hex } from '../evidence/hash.ts';
import { TRANSCRIPT_FILE } from '../evidence/transcript.ts';
import { RunBodySchema, type LedgerRelation, type RunBody } from './entry.ts';
import { LedgerRefusedError } from './errors.ts';
import { ledgerFinding, transcriptOf } from './finding-record.ts';
import { versionFromHeader, type ResolvedTargetVersion } from './target-version.ts';
import { scanTranscripts, type TranscriptRequest } from './transcript-scan.ts';

export interface RunRecordInput {
  /** The run folder. */
  dir: string;
  /** The ledger file's folder: the evidence path is recorded relative to it. */
  ledgerDir: string;
  evidence: Evidence;
  /** The key its attestation verified with. */
  keyId: string;
  /** A version given directly (flag, environment); else `versionHeader` is read from the transcript. */
  givenVersion?: ResolvedTargetVersion;
  versionHeader?: string;
  /** Where the evidence can be fetched (a CI artifact); `{runId}` is replaced by the run id. */
  evidenceUrl?: string;
}

const RELATIONS: readonly string[] = ['own', 'foreign', 'injected'];

/** The transcripts of a run folder: its own, or each merged run's. */
export function transcriptsOf(evidence: Evidence): string[] {
  const merged = evidence.method.merged;
  return merged ? merged.shards.map((s) => `${s.dir}/${TRANSCRIPT_FILE}`) : [TRANSCRIPT_FILE];
}

/** `a/b/c` relative to `from`, with forward slashes. */
function portableRelative(from: string, to: string): string {
  return relative(realpathSync(from), realpathSync(to)).split(sep).join('/') || '.';
}

export async function runRecord(input: RunRecordInput): Promise<{ body: RunBody; warnings: string[] }> {
  const e = input.evidence;
  const warnings: string[] = [];
  const requests = new Map<string, Set<number>>();
  for (const t of transcriptsOf(e)) requests.set(t, new Set());
  for (const f of e.findings) {
    const t = transcriptOf(f);
    const set = requests.get(t) ?? new Set<number>();
    for (const l of f.transcriptLines) set.add(l);
    requests.set(t, set);
  }
  const header = input.givenVersion ? undefined : input.versionHeader;
  const scan = await scanTranscripts(
    input.dir,
    [...requests].map(([file, lines]): TranscriptRequest => ({ file, lines })),
    header,
  );
  const version = input.givenVersion ?? versionFromHeader(header, scan.headerValues);
  if (version.warning) warnings.push(version.warning);

  const operations = e.scope.operations.inScope.map((o) => ({ method: o.method, path: o.path }));
  const oracleTitles = new Map((e.method.oracleRules ?? []).map((r) => [r.name, r.title]));
  const findings = e.findings.map((f) =>
    ledgerFinding(f, { operations, cited: scan.exchanges.get(transcriptOf(f)), oracleTitles }),
  );

  const covered = new Map<string, [string, string, LedgerRelation]>();
  for (const c of e.coverage.cells)
    if (c.count > 0 && RELATIONS.includes(c.relation))
      covered.set(`${c.operationId}\u0000${c.oracle}\u0000${c.relation}`, [c.operationId, c.oracle, c.relation]);
  const s = e.coverage.summary;
  const fileHash = (name: string): string => sha256Hex(readFileSync(join(input.dir, name)));

  const body: RunBody = {
    runId: e.runId,
    evidence: {
      path: portableRelative(input.ledgerDir, input.dir),
      ...(input.evidenceUrl ? { url: input.evidenceUrl.replaceAll('{runId}', encodeURIComponent(e.runId)) } : {}),
      evidenceSha256: fileHash(EVIDENCE_FILE),
      manifestSha256: fileHash(MANIFEST_FILE),
      attestationSha256: fileHash(ATTESTATION_FILE),
    },
    runKeyId: input.keyId,
    ...(e.method.merged ? { merged: { runs: e.method.merged.shards.length } } : {}),
    targetVersion: version.version,
    targetVersionSource: version.source,
    ...(version.header ? { targetVersionHeader: version.header } : {}),
    startedAt: e.method.startedAt,
    endedAt: e.method.endedAt,
    spec: { title: e.scope.spec.title, version: e.scope.spec.version, sha256: e.scope.spec.sha256 },
    target: {
      kind: e.scope.target.kind,
      ...(e.scope.target.faults && e.scope.target.faults.length > 0
        ? { faults: [...e.scope.target.faults].sort() }
        : {}),
    },
    verdict: e.verdict,
    partial: e.method.partial,
    coverage: s ? { tenantOwned: s.tenantOwned, probed: s.probed, ratio: s.ratio, minimum: s.minimum } : null,
    covered: [...covered.values()].sort((a, b) => a.join('\u0000').localeCompare(b.join('\u0000'))),
    negativeControl: {
      outcome: e.negativeControl.outcome,
      failedOracles: e.negativeControl.oracles.filter((o) => o.outcome === 'failed').map((o) => o.oracle),
    },
    findings,
  };
  const checked = RunBodySchema.safeParse(body);
  if (!checked.success)
    throw new LedgerRefusedError([
      `${input.dir}: its evidence cannot be recorded: ${checked.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    ]);
  return { body: checked.data, warnings };
}
