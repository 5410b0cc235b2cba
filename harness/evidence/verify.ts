/**
 * `verifyRunDir`: everything an auditor's `tenantproof verify DIR` checks, as a list of precise
 * failures (which file, which check, what is wrong). An empty list means every byte of the folder is
 * what the signer attested.
 *
 * Checks: the manifest (every file's SHA-256; no file missing or extra); the DSSE signature of the
 * attestation (against a pinned public key if given, else the folder's `public-key.pem`) and that its
 * subjects are exactly the folder's files; the transcript's hash chain; and `evidence.json` against
 * the schema. It also reports how old the evidence is (freshness.ts), and with `maxAge` fails a run
 * assessed longer ago than that (check `freshness`).
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyAttestation, PUBLIC_KEY_FILE } from './attestation.ts';
import type { CalendarDuration } from './calendar-duration.ts';
import { evidenceIssues } from './evidence-file.ts';
import { freshnessLines, freshnessOf, maxAgeProblem, type Freshness, type FreshnessInput } from './freshness.ts';
import { EVIDENCE_FILE } from './evidence-schema.ts';
import { checkManifest, unsealedTails } from './manifest.ts';
import { testResultOf } from './test-result.ts';
import { SHARDS_DIR } from './merge-layout.ts';
import { sha256Hex } from './hash.ts';
import { TRANSCRIPT_FILE, verifyTranscriptBytes } from './transcript.ts';

export type VerifyCheck =
  'manifest' | 'attestation' | 'transcript' | 'evidence' | 'folder' | 'merge' | 'consistency' | 'freshness';

export interface VerifyFailure {
  file: string;
  check: VerifyCheck;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  failures: VerifyFailure[];
  /** Fingerprint of the key that verified the attestation, when it verified. */
  keyFingerprint?: string;
  /** True when a pinned public key (not the folder's own) verified the signature. */
  pinned: boolean;
  transcriptLines?: number;
  /** The attested test result, when the attestation verified. */
  result?: string;
  /**
   * A checkpoint of a run that did not finish (killed): bytes its transcript gained after the last
   * seal. They are hash-chained, but neither in the manifest nor signed.
   */
  unsealed?: Array<{ file: string; sealedBytes: number; extraBytes: number }>;
  /**
   * A merged folder (`tenantproof merge`): each run under `shards/`, verified on its own (manifest,
   * its own signature, transcript chain, evidence), with paths relative to the merged folder.
   */
  shards?: Array<{ dir: string; ok: boolean; keyFingerprint?: string; transcriptLines?: number }>;
  /** How old the evidence is, when evidence.json matches its schema (as of `now`). */
  freshness?: Freshness;
}

export interface VerifyOptions {
  /** A public key file the reviewer trusts; without it the folder's own key proves integrity, not origin. */
  publicKeyFile?: string;
  /**
   * Fingerprints of keys the reviewer trusts (TENANTPROOF_TRUSTED_KEYS): a folder signed by one of
   * them has its origin verified too.
   */
  trustedFingerprints?: readonly string[];
  /**
   * Fail (check `freshness`) when the run was assessed longer ago than this (`verify --max-age`); in
   * a merged folder, also when any run it merges was.
   */
  maxAge?: CalendarDuration;
  /** What the age is measured against (default: the system clock). */
  now?: Date;
}

/**
 * Whether what the signature attests agrees with what evidence.json says, and evidence.json with
 * itself: a re-signed forgery cannot claim a LEAK with no finding, nor attest PASSED for a leak.
 */
export function consistencyProblems(
  evidence: {
    verdict?: unknown;
    findings?: ReadonlyArray<{ oracle?: unknown; operationId?: unknown; confirmation?: unknown }>;
    negativeControl?: { outcome?: unknown };
  },
  predicate: { result?: unknown; failedTests?: unknown } | undefined,
): string[] {
  const problems: string[] = [];
  const findings = evidence.findings ?? [];
  const confirmed = findings.filter((f) => f.confirmation !== 'unconfirmed');
  if (evidence.verdict === 'leak' && confirmed.length === 0)
    problems.push('the verdict is leak, but evidence.json holds no confirmed finding');
  if (evidence.verdict === 'clean' && findings.length > 0)
    problems.push(`the verdict is clean, but evidence.json holds ${findings.length} finding(s)`);
  if (evidence.verdict === 'clean' && evidence.negativeControl?.outcome !== 'passed')
    problems.push('the verdict is clean, but the negative control did not pass');
  if (predicate) {
    const { result: expected, failedTests: tests } = testResultOf(evidence);
    if (predicate.result !== expected)
      problems.push(
        `the attestation says ${String(predicate.result)}, but evidence.json's verdict is ${String(evidence.verdict)}`,
      );
    if (JSON.stringify(predicate.failedTests) !== JSON.stringify(tests))
      problems.push(
        `the attestation's failed tests (${Array.isArray(predicate.failedTests) ? predicate.failedTests.length : 'none'}) are not evidence.json's findings (${tests.length})`,
      );
  }
  return problems;
}

export function verifyRunDir(dir: string, options: VerifyOptions = {}): VerifyReport {
  const failures: VerifyFailure[] = [];
  const now = options.now ?? new Date();
  if (!existsSync(dir))
    return {
      ok: false,
      failures: [{ file: dir, check: 'folder', detail: 'run folder does not exist' }],
      pinned: false,
    };

  for (const p of checkManifest(dir)) failures.push({ file: p.file, check: 'manifest', detail: p.detail });
  const unsealed = unsealedTails(dir);

  const att = verifyAttestation(dir, options.publicKeyFile);
  for (const p of att.problems) failures.push({ file: p.file, check: 'attestation', detail: p.detail });

  const ePath = join(dir, EVIDENCE_FILE);
  let value: unknown;
  if (existsSync(ePath)) {
    try {
      value = JSON.parse(readFileSync(ePath, 'utf8'));
    } catch {
      failures.push({ file: EVIDENCE_FILE, check: 'evidence', detail: 'evidence.json is not valid JSON' });
    }
  }
  const merged = mergedInfo(value);

  let transcriptLines: number | undefined;
  const tPath = join(dir, TRANSCRIPT_FILE);
  if (existsSync(tPath)) {
    const t = verifyTranscriptBytes(readFileSync(tPath));
    transcriptLines = t.lines;
    if (!t.ok && t.firstBroken)
      failures.push({
        file: TRANSCRIPT_FILE,
        check: 'transcript',
        detail: `line ${t.firstBroken.line}: ${t.firstBroken.reason}`,
      });
  } else if (!merged) {
    // Only a merged folder has no transcript of its own: its transcripts are its shards'.
    failures.push({ file: TRANSCRIPT_FILE, check: 'transcript', detail: 'transcript.ndjson is missing' });
  }

  let shards: VerifyReport['shards'];
  let freshness: Freshness | undefined;
  if (merged) {
    const r = verifyShards(dir, merged, value as { findings?: unknown }, {
      now,
      ...(options.maxAge ? { maxAge: options.maxAge } : {}),
    });
    failures.push(...r.failures);
    shards = r.shards;
    unsealed.push(...r.unsealed);
    transcriptLines = r.shards.reduce((n, s) => n + (s.transcriptLines ?? 0), transcriptLines ?? 0);
  }

  if (existsSync(ePath)) {
    if (value !== undefined) {
      const issues = evidenceIssues(value);
      for (const i of issues)
        failures.push({ file: EVIDENCE_FILE, check: 'evidence', detail: `${i.path}: ${i.message}` });
      // The key the report names must be the key that signed.
      const claimed = (value as { signing?: { keyFingerprint?: unknown } }).signing?.keyFingerprint;
      if (issues.length === 0) {
        freshness = freshnessOf(value as FreshnessInput, now);
        const tooOld = options.maxAge ? maxAgeProblem(freshness, options.maxAge, now) : undefined;
        if (tooOld) failures.push({ file: EVIDENCE_FILE, check: 'freshness', detail: tooOld });
      }
      if (issues.length === 0)
        for (const detail of consistencyProblems(
          value as Parameters<typeof consistencyProblems>[0],
          att.problems.length === 0 ? att.statement?.predicate : undefined,
        ))
          failures.push({ file: EVIDENCE_FILE, check: 'consistency', detail });
      if (
        issues.length === 0 &&
        typeof claimed === 'string' &&
        att.keyFingerprint &&
        att.problems.length === 0 &&
        claimed !== att.keyFingerprint
      ) {
        failures.push({
          file: EVIDENCE_FILE,
          check: 'evidence',
          detail: `evidence names signing key ${claimed}, but the attestation verifies with ${att.keyFingerprint}`,
        });
      }
    }
  } else {
    failures.push({ file: EVIDENCE_FILE, check: 'evidence', detail: 'evidence.json is missing' });
  }

  return {
    ok: failures.length === 0,
    failures,
    ...(att.keyFingerprint && att.problems.length === 0 ? { keyFingerprint: att.keyFingerprint } : {}),
    pinned:
      att.problems.length === 0 &&
      (options.publicKeyFile !== undefined ||
        (att.keyFingerprint !== undefined && (options.trustedFingerprints ?? []).includes(att.keyFingerprint))),
    ...(transcriptLines !== undefined ? { transcriptLines } : {}),
    ...(att.statement && att.problems.length === 0 ? { result: att.statement.predicate.result } : {}),
    ...(unsealed.length > 0 ? { unsealed } : {}),
    ...(shards ? { shards } : {}),
    ...(freshness ? { freshness } : {}),
  };
}

interface MergedClaim {
  shards: Array<{ runId?: unknown; dir?: unknown; evidenceSha256?: unknown }>;
}

/** `method.merged` of a parsed evidence.json, if it has the shape (the schema check reports the rest). */
function mergedInfo(value: unknown): MergedClaim | undefined {
  const m = (value as { method?: { merged?: unknown } } | undefined)?.method?.merged;
  if (!m || typeof m !== 'object' || !Array.isArray((m as { shards?: unknown }).shards)) return undefined;
  return m as MergedClaim;
}

const SAFE_REL = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[^\\\0]+$/;

/**
 * The runs a merged folder holds under `shards/`: each verified as a run folder of its own (failures
 * reported under `shards/<runId>/<file>`), each one the evidence claims present with the evidence
 * hash it claims, no other folder there, and every finding's transcript reference resolvable.
 */
function verifyShards(
  dir: string,
  merged: MergedClaim,
  evidence: { findings?: unknown },
  age: Pick<VerifyOptions, 'now' | 'maxAge'>,
): {
  failures: VerifyFailure[];
  shards: NonNullable<VerifyReport['shards']>;
  unsealed: NonNullable<VerifyReport['unsealed']>;
} {
  const failures: VerifyFailure[] = [];
  const unsealed: NonNullable<VerifyReport['unsealed']> = [];
  const shards: NonNullable<VerifyReport['shards']> = [];
  const root = join(dir, SHARDS_DIR);
  const present = existsSync(root)
    ? readdirSync(root)
        .filter((n) => lstatSync(join(root, n)).isDirectory())
        .sort()
    : [];
  const claimed = new Set<string>();
  for (const s of merged.shards) {
    const rel = typeof s.dir === 'string' ? s.dir : undefined;
    if (!rel || !SAFE_REL.test(rel) || !rel.startsWith(`${SHARDS_DIR}/`) || rel.split('/').length !== 2) {
      failures.push({
        file: EVIDENCE_FILE,
        check: 'merge',
        detail: `a merged run names the folder ${JSON.stringify(s.dir)}, which is not shards/<runId>`,
      });
      continue;
    }
    claimed.add(rel.slice(SHARDS_DIR.length + 1));
    const sdir = join(dir, rel);
    if (!existsSync(sdir)) {
      failures.push({
        file: rel,
        check: 'merge',
        detail: `${rel} is named in evidence.json as a merged run but is missing`,
      });
      continue;
    }
    const ePath = join(sdir, EVIDENCE_FILE);
    if (existsSync(ePath) && typeof s.evidenceSha256 === 'string') {
      const h = sha256Hex(readFileSync(ePath));
      if (h !== s.evidenceSha256)
        failures.push({
          file: `${rel}/${EVIDENCE_FILE}`,
          check: 'merge',
          detail: `${rel}/${EVIDENCE_FILE} has sha256 ${h}, the merged evidence says ${s.evidenceSha256}`,
        });
    }
    // A shard keeps its own seal; verify it as the run folder it was (its own public key: the merged
    // attestation, checked above, is what binds the shard's bytes to the merging signer).
    const r = verifyRunDir(sdir, age);
    for (const f of r.failures)
      failures.push({ ...f, file: f.check === 'folder' ? rel : `${rel}/${f.file}`, detail: `${rel}: ${f.detail}` });
    for (const u of r.unsealed ?? []) unsealed.push({ ...u, file: `${rel}/${u.file}` });
    shards.push({
      dir: rel,
      ok: r.ok,
      ...(r.keyFingerprint ? { keyFingerprint: r.keyFingerprint } : {}),
      ...(r.transcriptLines !== undefined ? { transcriptLines: r.transcriptLines } : {}),
    });
  }
  for (const name of present)
    if (!claimed.has(name))
      failures.push({
        file: `${SHARDS_DIR}/${name}`,
        check: 'merge',
        detail: `${SHARDS_DIR}/${name} is not one of the merged runs evidence.json names`,
      });

  // Every finding's transcript lines must exist in the transcript it names.
  const findings = Array.isArray(evidence.findings)
    ? (evidence.findings as Array<{ id?: unknown; transcript?: unknown; transcriptLines?: unknown }>)
    : [];
  const lineCounts = new Map<string, number | undefined>();
  for (const f of findings) {
    if (typeof f.transcript !== 'string') continue;
    if (!SAFE_REL.test(f.transcript)) {
      failures.push({
        file: EVIDENCE_FILE,
        check: 'merge',
        detail: `finding ${String(f.id)} names the transcript ${JSON.stringify(f.transcript)}, outside the folder`,
      });
      continue;
    }
    if (!lineCounts.has(f.transcript)) {
      const p = join(dir, f.transcript);
      lineCounts.set(f.transcript, existsSync(p) ? verifyTranscriptBytes(readFileSync(p)).lines : undefined);
    }
    const n = lineCounts.get(f.transcript);
    if (n === undefined) {
      failures.push({
        file: EVIDENCE_FILE,
        check: 'merge',
        detail: `finding ${String(f.id)} cites ${f.transcript}, which is missing`,
      });
      continue;
    }
    const lines = Array.isArray(f.transcriptLines) ? f.transcriptLines : [];
    const bad = lines.filter((l) => typeof l !== 'number' || l < 1 || l > n);
    if (bad.length > 0)
      failures.push({
        file: EVIDENCE_FILE,
        check: 'merge',
        detail: `finding ${String(f.id)} cites line(s) ${bad.join(', ')} of ${f.transcript}, which has ${n} lines`,
      });
  }
  return { failures, shards, unsealed };
}

/** What the signature proves: integrity always; origin only with a key the reviewer pinned. */
function trust(r: VerifyReport): string {
  return r.pinned
    ? `integrity and origin verified (signed by the pinned key ${r.keyFingerprint ?? ''})`
    : `integrity verified; origin NOT verified (the key is the one in the folder, ${PUBLIC_KEY_FILE}, fingerprint ${r.keyFingerprint ?? '?'}; anyone can re-sign a folder with their own key). Pin the vendor's key with --public-key FILE or TENANTPROOF_TRUSTED_KEYS=<fingerprint>.`;
}

/**
 * For the CLI: what verified (and the evidence's age), or one line per failure; then any warning
 * about the evidence's age (expired, or dated in the future).
 */
export function formatVerifyReport(r: VerifyReport): string {
  const age = r.freshness ? freshnessLines(r.freshness) : undefined;
  const warnings = (age?.warnings ?? []).map((w) => `\n${w}`).join('');
  const info = age ? `\n${age.info}` : '';
  return formatChecks(r, info) + warnings;
}

function formatChecks(r: VerifyReport, info: string): string {
  if (r.ok) {
    const tail = (r.unsealed ?? []).map(
      (u) =>
        `\nNOTE ${u.file}: ${u.extraBytes} bytes were written after the last checkpoint seal (first ${u.sealedBytes} bytes sealed); they are hash-chained (an edit to any line but the last breaks the chain) but not signed. The run did not finish: its evidence is partial.`,
    );
    if (r.shards) {
      const keys = new Set(r.shards.map((s) => s.keyFingerprint).filter((k): k is string => k !== undefined));
      const same = keys.size === 1 && keys.has(r.keyFingerprint ?? '');
      return (
        `${trust(r)}\nOK: manifest, signature and evidence schema of the merged folder, and ${r.shards.length} merged run${r.shards.length === 1 ? '' : 's'} under ${SHARDS_DIR}/ ` +
        `(each: its own manifest, signature${same ? ' by the same key' : ` by ${[...keys].map((k) => k.slice(0, 12) + '…').join(', ')}`}, transcript chain and evidence; ${r.transcriptLines ?? 0} transcript lines in all) verify.${info}${tail.join('')}`
      );
    }
    return `${trust(r)}\nOK: manifest, signature, transcript chain (${r.transcriptLines ?? 0} lines), evidence schema and its agreement with the attestation all verify.${info}${tail.join('')}`;
  }
  return r.failures.map((f) => `FAIL ${f.file} [${f.check}]: ${f.detail}`).join('\n');
}
