/**
 * Merging the run folders of one sharded campaign (`tenantproof run --shard i/n` on n CI jobs), or
 * several unsharded runs of one configuration, into ONE evidence folder with one manifest and one
 * attestation.
 *
 * - `loadMergeInput(dir)` verifies a folder (`verifyRunDir`) and reads its evidence; a folder that
 *   does not verify is refused.
 * - `checkMergeable(inputs)` is pure: it refuses shards of different specs or configs, different
 *   shard counts, the same shard twice, and a mix of sharded and unsharded runs, each with a message
 *   that names the folders and what differs; and it lists missing shards (a warning: the merged
 *   evidence is then partial).
 * - `mergeEvidence(inputs, …)` is pure: the merged evidence.json (see below).
 * - `writeMergedRun(inputs, dir, …)` copies every input, byte for byte, to `shards/<runId>/` (with
 *   its own manifest, attestation and public key, so each shard's signature still verifies), writes
 *   evidence.json, junit.xml, results.sarif and report.html, and seals the folder.
 *
 * The merged evidence: the shared scope (in-scope operations united); summed request and batch
 * counts; the earliest start and latest end; partial if any shard is partial or missing; coverage
 * summed cell by cell; every finding of every shard, renumbered F1…Fn, with `transcript` naming the
 * shard's transcript its `exchanges` and `transcriptLines` refer to and `origin` naming the shard
 * run and its own id there; a negative control that passed only if every shard's passed; the
 * control mapping and verdict recomputed from all of that (a leak if any shard found one;
 * inconclusive if any shard was inconclusive and nothing leaked); `assessedAt` the latest end of the
 * runs (the campaign's end, `method.endedAt`) and `validUntil` that plus `--valid-for` (default 12
 * months), but never later than a merged run's own `validUntil`.
 */
import { exitCodeForVerdict } from '../exit-codes.ts';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Exchange, OracleName } from '../model/exchange.ts';
import type { SigningKey } from './attestation.ts';
import { addCalendarDuration, DEFAULT_VALIDITY, type CalendarDuration } from './calendar-duration.ts';
import { evidenceControlMapping, verdictWithReason } from './controls.ts';
import { testResultPredicate } from './test-result.ts';
import { coverageGate, mergeCoverage } from './coverage-gate.ts';
import { EvidenceError } from './errors.ts';
import { readEvidenceFile, writeEvidenceFile } from './evidence-file.ts';
import {
  EVIDENCE_FILE,
  EVIDENCE_SCHEMA_VERSION,
  type CoverageCell,
  type Evidence,
  type EvidenceFinding,
  type MergedShard,
  type NegativeControl,
} from './evidence-schema.ts';
import { sha256Hex } from './hash.ts';
import { unsealedTails } from './manifest.ts';
import { JUNIT_FILE, renderJunit } from './junit.ts';
import { renderSarif, SARIF_FILE, serializeSarif } from './sarif.ts';
import { sealRunDir } from './seal.ts';
import { TRANSCRIPT_FILE } from './transcript.ts';
import { citedExchangesByFinding, writeReportFiles } from './report/write-report.ts';
import { formatVerifyReport, verifyRunDir } from './verify.ts';
import { SHARDS_DIR, shardDirName } from './merge-layout.ts';

export { SHARDS_DIR, shardDirName };

/** One input folder, verified and read. */
export interface MergeInput {
  /** The folder as the user named it (for messages). */
  dir: string;
  evidence: Evidence;
  /** SHA-256 of its evidence.json bytes. */
  evidenceSha256: string;
  /** Fingerprint of the key its attestation verified with. */
  keyFingerprint?: string;
  /** Bytes its transcript gained after its last checkpoint seal (a killed shard; left out of the merge), if any. */
  unsealedBytes?: number;
}

/** A folder that cannot be merged as given (does not verify, is not a run folder, is already merged). */
export class MergeInputError extends EvidenceError {
  constructor(message: string) {
    super(message);
    this.name = 'MergeInputError';
  }
}

/** The inputs are not shards of one campaign; `problems` says which folders differ and in what. */
export class MergeRefusedError extends EvidenceError {
  constructor(readonly problems: string[]) {
    super(`cannot merge these folders:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MergeRefusedError';
  }
}

/** Verifies `dir` (manifest, signature, transcript chain, evidence schema) and reads it. */
export function loadMergeInput(
  dir: string,
  options: { publicKeyFile?: string; allowPartial?: boolean } = {},
): MergeInput {
  if (!existsSync(join(dir, EVIDENCE_FILE)))
    throw new MergeInputError(`${dir} is not a tenantproof run folder (no ${EVIDENCE_FILE})`);
  const report = verifyRunDir(dir, options.publicKeyFile ? { publicKeyFile: options.publicKeyFile } : {});
  if (!report.ok) {
    throw new MergeInputError(
      `${dir} does not verify, so it cannot be merged:\n${formatVerifyReport(report).replace(/^/gm, '  ')}\n  (run \`tenantproof verify ${dir}\`; merge only folders exactly as tenantproof sealed them)`,
    );
  }
  const evidence = readEvidenceFile(dir);
  if (evidence.method.merged)
    throw new MergeInputError(
      `${dir} is already a merged folder (${evidence.method.merged.shards.length} runs); merge the shard folders themselves (they are under ${dir}/${SHARDS_DIR}/)`,
    );
  const unsealed = (report.unsealed ?? []).reduce((n, u) => n + u.extraBytes, 0);
  if (unsealed > 0 && !options.allowPartial)
    throw new MergeInputError(
      `${dir} did not finish: ${unsealed} bytes of its transcript follow its last checkpoint seal and are signed by no one. Pass --allow-partial to merge its sealed part only (the bytes after the seal are left out)`,
    );
  return {
    dir,
    evidence,
    evidenceSha256: sha256Hex(readFileSync(join(dir, EVIDENCE_FILE))),
    ...(report.keyFingerprint ? { keyFingerprint: report.keyFingerprint } : {}),
    ...(unsealed > 0 ? { unsealedBytes: unsealed } : {}),
  };
}

/**
 * The run folders named by `paths`: a folder with evidence.json is itself; any other folder is
 * searched two levels deep for run folders (so `merge shards/` finds `shards/shard-1/<runId>/`), and
 * `latest` links are skipped there (they point at a folder already found).
 */
export function expandRunFolders(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number, top: boolean): void => {
    if (existsSync(join(dir, EVIDENCE_FILE))) {
      out.push(dir);
      return;
    }
    if (depth === 0) {
      if (top) out.push(dir); // loadMergeInput says why it is not a run folder
      return;
    }
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      if (top) out.push(dir);
      return;
    }
    const before = out.length;
    for (const name of names) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink() || !st.isDirectory()) continue;
      walk(p, depth - 1, false);
    }
    if (top && out.length === before) out.push(dir);
  };
  for (const p of paths) walk(p, 2, true);
  return out;
}

const short = (h: string | undefined): string => (h ? `${h.slice(0, 12)}…` : 'none');

/** How a folder is named in messages. */
export function describeInput(i: MergeInput): string {
  const s = i.evidence.method.shard;
  return s ? `${i.dir} (shard ${s.index}/${s.count})` : i.dir;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
}

/** "A, B: x; C: y" for the groups of inputs that differ in one respect. */
function groupsText(
  groups: Map<string, MergeInput[]>,
  show: (value: string, members: MergeInput[]) => string = (v) => v,
): string {
  return [...groups.entries()]
    .map(([v, members]) => `${members.map((m) => m.dir).join(', ')}: ${show(v, members)}`)
    .join('; ');
}

function targetText(e: Evidence): string {
  const t = e.scope.target;
  if (t.kind === 'embedded')
    return `embedded CRM${t.faults && t.faults.length > 0 ? ` with faults ${[...t.faults].sort().join(', ')}` : ' (no faults)'}`;
  return t.url ?? 'a URL (not recorded)';
}

/** The settings a reviewer can see in evidence.json, for saying what differs between folders. */
const VISIBLE_SETTINGS: Array<{ name: string; value: (e: Evidence) => string }> = [
  { name: 'target', value: targetText },
  { name: 'tenants', value: (e) => String(e.method.tenants.length) },
  { name: 'tool version', value: (e) => e.method.tool.version },
  {
    name: 'budget',
    value: (e) =>
      [
        e.method.budget.ms !== undefined ? `${e.method.budget.ms} ms` : '',
        e.method.budget.runs !== undefined ? `${e.method.budget.runs} runs` : '',
      ]
        .filter(Boolean)
        .join(', ') || 'not recorded',
  },
  { name: 'base seed', value: (e) => (e.method.shard ? String(e.method.shard.baseSeed) : String(e.method.seed)) },
  { name: 'concurrency', value: (e) => String(e.method.concurrency ?? 'not recorded') },
  { name: 'oracles', value: (e) => [...e.method.oracles].sort().join(', ') },
];

function visibleDifferences(inputs: readonly MergeInput[]): string[] {
  const out: string[] = [];
  for (const s of VISIBLE_SETTINGS) {
    const g = groupBy(inputs, (i) => s.value(i.evidence));
    if (g.size > 1) out.push(`${s.name} (${groupsText(g)})`);
  }
  return out;
}

export interface MergeCheck {
  /** Reasons to refuse; empty when the folders can be merged. */
  problems: string[];
  /** Worth saying, but no reason to refuse. */
  warnings: string[];
  /** Shard indexes of 1..n that were not given. */
  missing: number[];
  /** n of --shard i/n, when the inputs are shards. */
  shardCount?: number;
}

/** "shard 2 of 3 missing", "shards 2, 3 of 3 missing". */
export function missingText(missing: readonly number[], count: number): string {
  return `${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} of ${count} missing`;
}

/** Whether `inputs` are shards of one campaign (or unsharded runs of one configuration). Pure. */
export function checkMergeable(inputs: readonly MergeInput[]): MergeCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (inputs.length === 0) return { problems: ['no run folder was given'], warnings, missing: [] };

  const byRun = groupBy(inputs, (i) => i.evidence.runId);
  for (const [runId, same] of byRun)
    if (same.length > 1)
      problems.push(
        `run ${runId} was given ${same.length} times (${same.map((s) => s.dir).join(', ')}); give each run folder once`,
      );

  const specs = groupBy(inputs, (i) => i.evidence.scope.spec.sha256);
  if (specs.size > 1) {
    problems.push(
      `the folders test different specs: ${groupsText(specs, (sha, m) => `spec sha256 ${short(sha)} (${m[0]!.evidence.scope.spec.file ?? m[0]!.evidence.scope.spec.title} ${m[0]!.evidence.scope.spec.version})`)}. ` +
        'Shards of one campaign must all test the same spec file; re-run the odd ones out against it.',
    );
  }

  const sharded = inputs.filter((i) => i.evidence.method.shard);
  const unsharded = inputs.filter((i) => !i.evidence.method.shard);
  if (sharded.length > 0 && unsharded.length > 0) {
    problems.push(
      `cannot mix sharded and unsharded runs: ${sharded.map(describeInput).join(', ')} ${sharded.length === 1 ? 'was' : 'were'} run with --shard; ${unsharded.map((u) => u.dir).join(', ')} ${unsharded.length === 1 ? 'was' : 'were'} not. Merge the folders of one sharded campaign, or only unsharded runs.`,
    );
    return { problems, warnings, missing: [] };
  }

  if (sharded.length > 0) {
    const counts = groupBy(sharded, (i) => String(i.evidence.method.shard!.count));
    if (counts.size > 1) {
      problems.push(
        `the folders come from campaigns with different shard counts: ${groupsText(counts, (_, m) => m.map((x) => `--shard ${x.evidence.method.shard!.index}/${x.evidence.method.shard!.count}`).join(', '))}. Every shard of one campaign uses the same n in --shard i/n.`,
      );
    }
    const noDigest = sharded.filter((i) => !i.evidence.method.configDigest);
    if (noDigest.length > 0) {
      problems.push(
        `${noDigest.map((n) => n.dir).join(', ')} record${noDigest.length === 1 ? 's' : ''} no method.configDigest, so it cannot be shown that they share the campaign's settings; re-run them with this version of tenantproof.`,
      );
    }
    const digests = groupBy(
      sharded.filter((i) => i.evidence.method.configDigest),
      (i) => i.evidence.method.configDigest!,
    );
    if (digests.size > 1) {
      const diffs = visibleDifferences(sharded);
      problems.push(
        `the folders were run with different campaign settings (method.configDigest): ${groupsText(digests, (d) => short(d))}. ` +
          (diffs.length > 0
            ? `They differ in ${diffs.join('; ')}. `
            : 'The difference is in settings evidence.json does not show (e.g. the spec path, provisioning or budgets); compare the run commands. ') +
          'Run every shard with the same config, flags and --seed, changing only i in --shard i/n.',
      );
    }
    const byIndex = groupBy(sharded, (i) => `${i.evidence.method.shard!.index}/${i.evidence.method.shard!.count}`);
    for (const [idx, same] of byIndex) {
      if (same.length > 1 && new Set(same.map((s) => s.evidence.runId)).size > 1) {
        problems.push(
          `shard ${idx} was given ${same.length} times: ${same.map((s) => `${s.dir} (run ${s.evidence.runId})`).join(' and ')}. Give each shard once (a re-run job leaves two; keep the one you mean to report).`,
        );
      }
    }
    const versions = groupBy(sharded, (i) => i.evidence.method.tool.version);
    if (versions.size > 1)
      warnings.push(`the shards were run by different tenantproof versions: ${groupsText(versions)}`);
    if (counts.size === 1) {
      const n = sharded[0]!.evidence.method.shard!.count;
      const present = new Set(sharded.map((s) => s.evidence.method.shard!.index));
      const missing = Array.from({ length: n }, (_, k) => k + 1).filter((k) => !present.has(k));
      if (missing.length > 0)
        warnings.push(`${missingText(missing, n)}: the merged evidence is partial (it covers only the shards given)`);
      addShardWarnings(inputs, warnings);
      return { problems, warnings, missing, shardCount: n };
    }
    return { problems, warnings, missing: [] };
  }

  // Unsharded runs: they must share spec (above), target, tenant count and tool version.
  for (const s of VISIBLE_SETTINGS.filter((v) => ['target', 'tenants', 'tool version'].includes(v.name))) {
    const g = groupBy(inputs, (i) => s.value(i.evidence));
    if (g.size > 1)
      problems.push(
        `the runs differ in ${s.name}: ${groupsText(g)}. Only runs of one configuration can be merged into one evidence folder.`,
      );
  }
  addShardWarnings(inputs, warnings);
  return { problems, warnings, missing: [] };
}

function addShardWarnings(inputs: readonly MergeInput[], warnings: string[]): void {
  for (const i of inputs) {
    if (i.evidence.method.partial)
      warnings.push(
        `${describeInput(i)} is partial${i.evidence.method.partialReason ? ` (${i.evidence.method.partialReason})` : ''}`,
      );
    if (i.unsealedBytes)
      warnings.push(
        `${describeInput(i)}: ${i.unsealedBytes} bytes of its transcript were written after its last checkpoint seal and were signed by no one; they are left out (the merge holds its sealed part only)`,
      );
  }
}

/** Inputs in a stable order: by shard index, then start time, then run id. */
export function orderInputs(inputs: readonly MergeInput[]): MergeInput[] {
  return [...inputs].sort(
    (a, b) =>
      (a.evidence.method.shard?.index ?? 0) - (b.evidence.method.shard?.index ?? 0) ||
      a.evidence.method.startedAt.localeCompare(b.evidence.method.startedAt) ||
      a.evidence.runId.localeCompare(b.evidence.runId),
  );
}

function shardLabel(i: MergeInput): string {
  const s = i.evidence.method.shard;
  return s ? `shard ${s.index}/${s.count} (${i.evidence.runId})` : `run ${i.evidence.runId}`;
}

/** Coverage summed cell by cell (operation × oracle × relation), sorted like a run's. */
export function sumCoverage(lists: ReadonlyArray<readonly CoverageCell[]>): CoverageCell[] {
  const m = new Map<string, CoverageCell>();
  for (const cells of lists) {
    for (const c of cells) {
      const k = `${c.operationId}\u0000${c.oracle}\u0000${c.relation}`;
      const cell = m.get(k);
      if (cell) cell.count += c.count;
      else m.set(k, { ...c });
    }
  }
  return [...m.values()].sort(
    (a, b) =>
      a.operationId.localeCompare(b.operationId) ||
      a.oracle.localeCompare(b.oracle) ||
      a.relation.localeCompare(b.relation),
  );
}

/** Passed only if every input's passed; per oracle, failed if it failed anywhere. */
export function mergeNegativeControls(inputs: readonly MergeInput[]): NegativeControl {
  const outcomes = inputs.map((i) => i.evidence.negativeControl.outcome);
  const outcome: NegativeControl['outcome'] = outcomes.every((o) => o === 'passed')
    ? 'passed'
    : outcomes.some((o) => o === 'failed')
      ? 'failed'
      : 'skipped';
  const perShard = inputs.map(
    (i) =>
      `${shardLabel(i)}: ${i.evidence.negativeControl.outcome}${i.evidence.negativeControl.detail ? ` (${i.evidence.negativeControl.detail})` : ''}`,
  );
  const detail =
    outcome === 'passed'
      ? `passed in every merged run (${inputs.length} of ${inputs.length})`
      : `passes only if it passed in every merged run: ${perShard.join('; ')}`;
  const oracles: NegativeControl['oracles'] = [];
  const order: OracleName[] = [];
  for (const i of inputs)
    for (const o of i.evidence.negativeControl.oracles) if (!order.includes(o.oracle)) order.push(o.oracle);
  for (const oracle of order) {
    const entries = inputs.flatMap((i) =>
      i.evidence.negativeControl.oracles.filter((o) => o.oracle === oracle).map((o) => ({ input: i, o })),
    );
    const planted = entries.some((e) => e.o.planted);
    const fired = entries.filter((e) => e.o.planted).every((e) => e.o.fired) && planted;
    const out = entries.some((e) => e.o.outcome === 'failed')
      ? 'failed'
      : entries.some((e) => e.o.outcome === 'passed')
        ? 'passed'
        : 'not-applicable';
    const differ = new Set(entries.map((e) => e.o.outcome)).size > 1 || entries.length < inputs.length;
    const d = differ
      ? inputs.map((i) => `${shardLabel(i)}: ${entries.find((e) => e.input === i)?.o.outcome ?? 'not run'}`).join('; ')
      : undefined;
    oracles.push({ oracle, planted, fired, outcome: out, ...(d ? { detail: d } : {}) });
  }
  return { outcome, detail, oracles };
}

export interface MergeOptions {
  /** The merged folder's run id. */
  runId: string;
  /** From `checkMergeable`. */
  missing: readonly number[];
  shardCount?: number;
  signing?: Evidence['signing'];
  /** How long the merged evidence is valid after its assessedAt (default 12 months). */
  validFor?: CalendarDuration;
}

/**
 * The merged evidence's validity: `assessedAt` is the latest end of the runs (when the campaign
 * ended); `validUntil` is that plus `validFor`, but no later than any merged run's own validUntil (a
 * merge never outlives what a run's signer vouched for) and no earlier than assessedAt.
 */
export function mergedValidity(
  all: readonly Evidence[],
  validFor: CalendarDuration = DEFAULT_VALIDITY,
): { assessedAt: string; validUntil: string } {
  const assessedAt = new Date(Math.max(...all.map((e) => Date.parse(e.method.endedAt))));
  const limits = all.flatMap((e) => (e.validUntil ? [Date.parse(e.validUntil)] : []));
  const until = Math.min(addCalendarDuration(assessedAt, validFor).getTime(), ...limits);
  return {
    assessedAt: assessedAt.toISOString(),
    validUntil: new Date(Math.max(until, assessedAt.getTime())).toISOString(),
  };
}

/** The merged evidence.json. Pure; call `checkMergeable` first. */
export function mergeEvidence(given: readonly MergeInput[], options: MergeOptions): Evidence {
  const inputs = orderInputs(given);
  const first = inputs[0]!.evidence;
  const all = inputs.map((i) => i.evidence);

  // Scope: the shared spec; operations in scope anywhere are in scope.
  const inScope = new Map<string, Evidence['scope']['operations']['inScope'][number]>();
  for (const e of all)
    for (const o of e.scope.operations.inScope) if (!inScope.has(o.operationId)) inScope.set(o.operationId, { ...o });
  const outOfScope = new Map<string, Evidence['scope']['operations']['outOfScope'][number]>();
  for (const e of all)
    for (const o of e.scope.operations.outOfScope)
      if (!inScope.has(o.operationId) && !outOfScope.has(o.operationId)) outOfScope.set(o.operationId, { ...o });
  const urls = new Set(all.map((e) => e.scope.target.url));
  const faults = [...new Set(all.flatMap((e) => e.scope.target.faults ?? []))];
  const target: Evidence['scope']['target'] = {
    kind: first.scope.target.kind,
    ...(urls.size === 1 && first.scope.target.url !== undefined ? { url: first.scope.target.url } : {}),
    ...(all.some((e) => e.scope.target.faults !== undefined) ? { faults } : {}),
  };

  // Findings: all of them, renumbered, still pointing at their shard's transcript and counterexample.
  const findings: EvidenceFinding[] = [];
  for (const i of inputs) {
    const base = shardDirName(i.evidence.runId);
    for (const f of i.evidence.findings) {
      findings.push({
        ...structuredClone(f),
        id: `F${findings.length + 1}`,
        transcript: `${base}/${f.transcript ?? TRANSCRIPT_FILE}`,
        ...(f.counterexample ? { counterexample: `${base}/${f.counterexample}` } : {}),
        origin: { runId: i.evidence.runId, id: f.id },
      });
    }
  }

  const cells = sumCoverage(all.map((e) => e.coverage.cells));
  const negativeControl = mergeNegativeControls(inputs);
  const controlMapping = evidenceControlMapping({ findings, coverage: cells, negativeControl });
  const summary = mergeCoverage(all.map((e) => e.coverage.summary));
  const observations = all.flatMap((e) => e.observations ?? []).map((o) => structuredClone(o));
  let { verdict, reason: verdictReason } = verdictWithReason({
    findings,
    coverage: cells,
    negativeControl,
    ...(summary ? { coverageGate: coverageGate(summary) } : {}),
  });
  // A run that could not support a verdict (target unusable) cannot be outvoted by the others; a
  // run short of coverage can (the merged coverage is the union of the runs').
  const blocking = all.find((e) => e.verdict === 'inconclusive' && !/^coverage /.test(e.verdictReason ?? ''));
  if (verdict === 'clean' && blocking) {
    verdict = 'inconclusive';
    verdictReason = `run ${blocking.runId} is inconclusive${blocking.verdictReason ? `: ${blocking.verdictReason}` : ''}`;
  }

  const reasons: string[] = [];
  for (const i of inputs)
    if (i.evidence.method.partial)
      reasons.push(
        `${shardLabel(i)} partial${i.evidence.method.partialReason ? `: ${i.evidence.method.partialReason}` : ''}`,
      );
  if (options.missing.length > 0 && options.shardCount)
    reasons.unshift(missingText(options.missing, options.shardCount));
  const partial = reasons.length > 0;

  // The union of the oracles the shards ran, in the order the first shard lists them.
  const oracles = [...new Set(all.flatMap((e) => e.method.oracles))];
  const oracleRules = [
    ...new Map(all.flatMap((e) => e.method.oracleRules ?? []).map((r) => [r.name, { ...r }])).values(),
  ];
  const tenants = all.reduce(
    (a, e) => (e.method.tenants.length > a.length ? e.method.tenants : a),
    first.method.tenants,
  );
  const concurrency = Math.max(0, ...all.map((e) => e.method.concurrency ?? 0));
  const detections = all
    .flatMap((e) => (e.method.firstDetection ? [e.method.firstDetection] : []))
    .sort((a, b) => a.elapsedMs - b.elapsedMs);
  const digest =
    first.method.configDigest && all.every((e) => e.method.configDigest === first.method.configDigest)
      ? first.method.configDigest
      : undefined;

  const shards: MergedShard[] = inputs.map((i) => {
    const e = i.evidence;
    return {
      runId: e.runId,
      dir: shardDirName(e.runId),
      ...(e.method.shard ? { index: e.method.shard.index } : {}),
      seed: e.method.seed,
      requestCount: e.method.requestCount,
      interleavedBatchCount: e.method.interleavedBatchCount,
      startedAt: e.method.startedAt,
      endedAt: e.method.endedAt,
      partial: e.method.partial,
      ...(e.method.partialReason ? { partialReason: e.method.partialReason } : {}),
      verdict: e.verdict,
      findings: e.findings.length,
      negativeControl: e.negativeControl.outcome,
      evidenceSha256: i.evidenceSha256,
      ...(i.keyFingerprint ? { keyFingerprint: i.keyFingerprint } : {}),
    };
  });

  const evidence: Evidence = {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    runId: options.runId,
    ...mergedValidity(all, options.validFor),
    scope: {
      spec: { ...first.scope.spec },
      target,
      operations: { inScope: [...inScope.values()], outOfScope: [...outOfScope.values()] },
    },
    method: {
      tool: { ...first.method.tool },
      // A sharded campaign is re-run from its base seed (with --shard i/n); each shard's own seed is in `merged`.
      seed: first.method.shard ? first.method.shard.baseSeed : first.method.seed,
      budget: { ...first.method.budget },
      tenants: [...tenants],
      oracles,
      ...(oracleRules.length > 0 ? { oracleRules } : {}),
      requestCount: all.reduce((n, e) => n + e.method.requestCount, 0),
      interleavedBatchCount: all.reduce((n, e) => n + e.method.interleavedBatchCount, 0),
      startedAt: all.map((e) => e.method.startedAt).sort()[0]!,
      endedAt: all
        .map((e) => e.method.endedAt)
        .sort()
        .at(-1)!,
      partial,
      ...(partial ? { partialReason: reasons.join('; ') } : {}),
      ...(concurrency > 0 ? { concurrency } : {}),
      ...(digest ? { configDigest: digest } : {}),
      ...(detections[0] ? { firstDetection: { ...detections[0] } } : {}),
      merged: {
        ...(options.shardCount ? { shardCount: options.shardCount } : {}),
        missing: [...options.missing],
        shards,
      },
    },
    coverage: { cells, ...(summary ? { summary } : {}) },
    findings,
    negativeControl,
    controlMapping,
    ...(observations.length > 0 ? { observations } : {}),
    verdict,
    ...(verdictReason ? { verdictReason } : {}),
    ...(options.signing ? { signing: { ...options.signing } } : {}),
  };
  return evidence;
}

/**
 * SARIF for a merged folder: `renderSarif` for the whole, then each result re-rendered with its own
 * shard's exchanges (seqs repeat across shards), and its locations pointed at that shard's transcript.
 */
export function renderMergedSarif(
  evidence: Evidence,
  exchanges: ReadonlyMap<string, ReadonlyMap<number, Exchange>>,
  options: { commandLine: string; exitCode?: number },
): Record<string, unknown> {
  const log = renderSarif(evidence, {
    commandLine: options.commandLine,
    ...(options.exitCode !== undefined ? { exitCode: options.exitCode } : {}),
  });
  const run = (log['runs'] as Array<Record<string, unknown>>)[0]!;
  const results = run['results'] as Array<Record<string, unknown>>;
  evidence.findings.forEach((f, i) => {
    const single = renderSarif(
      { ...evidence, findings: [f] },
      { commandLine: options.commandLine, exchanges: exchanges.get(f.id) ?? new Map() },
    );
    const r = ((single['runs'] as Array<Record<string, unknown>>)[0]!['results'] as Array<Record<string, unknown>>)[0]!;
    const uri = f.transcript ?? TRANSCRIPT_FILE;
    const retarget = (loc: { physicalLocation?: { artifactLocation?: { uri?: string } } }) => {
      if (loc.physicalLocation?.artifactLocation) loc.physicalLocation.artifactLocation.uri = uri;
    };
    for (const loc of (r['locations'] as Array<Record<string, never>> | undefined) ?? []) retarget(loc);
    for (const loc of (r['relatedLocations'] as Array<Record<string, never>> | undefined) ?? []) retarget(loc);
    r['ruleIndex'] = results[i]!['ruleIndex'];
    r['properties'] = {
      ...(r['properties'] as Record<string, unknown>),
      transcript: uri,
      ...(f.origin ? { shardRunId: f.origin.runId, shardFindingId: f.origin.id } : {}),
    };
    results[i] = r;
  });
  const inv = (run['invocations'] as Array<Record<string, unknown>>)[0]!;
  inv['properties'] = {
    ...(inv['properties'] as Record<string, unknown>),
    mergedRuns: evidence.method.merged?.shards.map((s) => s.runId) ?? [],
  };
  return log;
}

export interface WriteMergedOptions {
  key: SigningKey;
  /** The command line, free of secrets, for SARIF. */
  commandLine: string;
  pdf?: boolean;
  runId: string;
  missing: readonly number[];
  shardCount?: number;
  /** How long the merged evidence is valid after its assessedAt (`--valid-for`; default 12 months). */
  validFor?: CalendarDuration;
  /** The time the report's age is measured against (default: now). */
  now?: Date;
}

export interface WriteMergedResult {
  evidence: Evidence;
  pdfSkipped?: string;
  reportError?: string;
}

/** `exitCode` for a verdict, as `tenantproof run` exits. */
/**
 * Writes the merged folder `dir` (which must not exist yet or be empty): the inputs under
 * `shards/<runId>/`, evidence.json, junit.xml, results.sarif, report.html, then the seal.
 */
export async function writeMergedRun(
  inputs: readonly MergeInput[],
  dir: string,
  options: WriteMergedOptions,
): Promise<WriteMergedResult> {
  mkdirSync(join(dir, SHARDS_DIR), { recursive: true });
  for (const i of inputs)
    cpSync(i.dir, join(dir, shardDirName(i.evidence.runId)), {
      recursive: true,
      dereference: true,
      errorOnExist: true,
      force: false,
    });
  // Only sealed bytes enter the merge: a killed shard's transcript is cut back to its last seal.
  for (const i of inputs) if (i.unsealedBytes) cutToSeal(join(dir, shardDirName(i.evidence.runId)));
  const evidence = mergeEvidence(inputs, {
    runId: options.runId,
    missing: options.missing,
    ...(options.shardCount ? { shardCount: options.shardCount } : {}),
    signing: { algorithm: 'ed25519', keyFingerprint: options.key.fingerprint, keyOrigin: options.key.origin },
    ...(options.validFor ? { validFor: options.validFor } : {}),
  });
  writeEvidenceFile(dir, evidence);
  writeFileSync(join(dir, JUNIT_FILE), renderJunit(evidence));
  const exchanges = citedExchangesByFinding(dir, evidence);
  writeFileSync(
    join(dir, SARIF_FILE),
    serializeSarif(
      renderMergedSarif(evidence, exchanges, {
        commandLine: options.commandLine,
        exitCode: exitCodeForVerdict(evidence.verdict),
      }),
    ),
  );
  const result: WriteMergedResult = { evidence };
  // As in `run`: a bug in the report must never stop the evidence from being sealed.
  try {
    const report = await writeReportFiles(dir, {
      pdf: options.pdf ?? false,
      ...(options.now ? { now: options.now } : {}),
    });
    if (report.pdfSkipped) result.pdfSkipped = report.pdfSkipped;
  } catch (e) {
    result.reportError = (e as Error).message;
  }
  const predicate = testResultPredicate(evidence, [
    { name: evidence.scope.spec.file ?? evidence.scope.spec.title, digest: { sha256: evidence.scope.spec.sha256 } },
    ...evidence.method.merged!.shards.map((s) => ({
      name: `${s.dir}/${EVIDENCE_FILE}`,
      digest: { sha256: s.evidenceSha256 },
    })),
  ]);
  sealRunDir(dir, options.key, predicate);
  return result;
}

/** Cuts every growing file of a copied run folder back to the size its last seal covers. */
function cutToSeal(copy: string): void {
  for (const tail of unsealedTails(copy)) truncateSync(join(copy, tail.file), tail.sealedBytes);
}
