/**
 * `ledger add DIR…`: appends verified run folders (single runs or merged folders) to the ledger, one
 * signed run entry each, in the order the runs started. All or nothing: if any folder is refused,
 * nothing is appended.
 *
 * A folder is refused when it does not pass `verifyRunDir` (manifest, signature, transcript chain,
 * evidence), when it was killed after a checkpoint seal (bytes follow the seal), when it is already
 * in the ledger (same run id or same evidence.json), and when its attestation was not signed by the
 * ledger's current key. The rule: the vendor signs its runs and its ledger with ONE key, so an entry
 * vouches for a run only its own key could have sealed. A run signed with a key made for it (no
 * TENANTPROOF_SIGNING_KEY), or with a key the ledger has rotated away from, is refused.
 *
 * A new ledger is created by its first `add`: a genesis entry with the signing key's public key
 * (and `--target-version-header`, if given, as the ledger's default header).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SigningKey } from '../evidence/attestation.ts';
import { readEvidenceFile } from '../evidence/evidence-file.ts';
import { EVIDENCE_FILE, type Evidence } from '../evidence/evidence-schema.ts';
import { sha256Hex } from '../evidence/hash.ts';
import { formatVerifyReport, verifyRunDir } from '../evidence/verify.ts';
import { appendEntries, nextEntry } from './chain.ts';
import { canonicalJson } from './canonical-json.ts';
import { LEDGER_FORMAT, type LedgerEntry, type RunEntry } from './entry.ts';
import { LedgerError, LedgerRefusedError } from './errors.ts';
import { openLedger, withLedgerLock } from './ledger-state.ts';
import { runRecord } from './run-record.ts';
import { checkHeaderName, givenTargetVersion } from './target-version.ts';

export interface AddRunsOptions {
  ledgerFile: string;
  dirs: readonly string[];
  key: SigningKey;
  /** `--target-version`. */
  targetVersion?: string;
  /** `--target-version-header`. */
  targetVersionHeader?: string;
  /** `--evidence-url` (`{runId}` is replaced). */
  evidenceUrl?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface AddRunsResult {
  created: boolean;
  added: RunEntry[];
  warnings: string[];
}

interface Candidate {
  dir: string;
  evidence: Evidence;
  evidenceSha256: string;
}

const short = (k: string | undefined): string => (k ? `${k.slice(0, 16)}…` : 'unknown');

/** `--evidence-url` must be an http(s) URL (the report links nothing else). */
function checkEvidenceUrl(template: string): void {
  let url: URL | undefined;
  try {
    url = new URL(template.replaceAll('{runId}', 'run'));
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new LedgerError(`--evidence-url ${JSON.stringify(template)} is not an http(s) URL`);
}

/** The run folder `dir`, verified and signed by `key`; or why it cannot be added. */
function examine(dir: string, key: SigningKey): Candidate | string {
  if (!existsSync(dir) || !statSync(dir).isDirectory() || !existsSync(join(dir, EVIDENCE_FILE)))
    return `${dir} is not a run folder (no ${EVIDENCE_FILE})`;
  const report = verifyRunDir(dir);
  if (!report.ok)
    return `${dir} does not verify, so it cannot be added:\n${formatVerifyReport(report).replace(/^/gm, '  ')}`;
  if (report.unsealed)
    return `${dir} did not finish: its transcript has bytes after its last checkpoint seal, signed by no one`;
  const evidence = readEvidenceFile(dir);
  if (report.keyFingerprint !== key.fingerprint)
    return (
      `${dir} was signed with the key ${short(report.keyFingerprint)}` +
      (evidence.signing?.keyOrigin === 'generated'
        ? ' that was made for the run (TENANTPROOF_SIGNING_KEY was not set)'
        : '') +
      `, not with the ledger's key ${short(key.fingerprint)}; run with TENANTPROOF_SIGNING_KEY set to the vendor key`
    );
  return { dir, evidence, evidenceSha256: sha256Hex(readFileSync(join(dir, EVIDENCE_FILE))) };
}

export async function addRuns(options: AddRunsOptions): Promise<AddRunsResult> {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const header = options.targetVersionHeader
    ? checkHeaderName(options.targetVersionHeader, '--target-version-header')
    : undefined;
  const given = givenTargetVersion(options.targetVersion, env);
  if (options.evidenceUrl !== undefined) checkEvidenceUrl(options.evidenceUrl);
  mkdirSync(dirname(resolve(options.ledgerFile)), { recursive: true });
  return withLedgerLock(options.ledgerFile, async () => {
    const state = openLedger(options.ledgerFile);
    const key = options.key;
    if (state.exists && state.currentKeyId !== key.fingerprint)
      throw new LedgerRefusedError([
        `the signing key ${key.fingerprint} is not the ledger's current key ${state.currentKeyId ?? '?'}; sign with the current key, or announce the new one first with \`tenantproof ledger rotate --new-key FILE\``,
      ]);

    const problems: string[] = [];
    const candidates: Candidate[] = [];
    // Runs already in the ledger, by run id and by evidence.json hash, and where (0: in this batch).
    const seen = new Map<string, number>();
    for (const r of state.runs) seen.set(r.body.runId, r.seq).set(r.body.evidence.evidenceSha256, r.seq);
    for (const dir of options.dirs) {
      const c = examine(dir, key);
      if (typeof c === 'string') {
        problems.push(c);
        continue;
      }
      const at = seen.get(c.evidence.runId) ?? seen.get(c.evidenceSha256);
      if (at !== undefined) {
        problems.push(
          `${dir}: run ${c.evidence.runId} is ${at > 0 ? `already in the ledger (entry ${at})` : 'given twice'}; a run is added once`,
        );
        continue;
      }
      seen.set(c.evidence.runId, 0).set(c.evidenceSha256, 0);
      candidates.push(c);
    }
    if (problems.length > 0) throw new LedgerRefusedError(problems, { hint: 'nothing was added' });

    const ledgerDir = dirname(resolve(options.ledgerFile));
    const versionHeader = header ?? state.targetVersionHeader;
    const warnings: string[] = [];
    candidates.sort(
      (a, b) =>
        a.evidence.method.startedAt.localeCompare(b.evidence.method.startedAt) ||
        a.evidence.runId.localeCompare(b.evidence.runId),
    );
    const latest = state.runs
      .map((r) => r.body.startedAt)
      .sort()
      .at(-1);
    const lines = [...state.lines];
    const entries: LedgerEntry[] = [];
    const push = (entry: LedgerEntry): void => {
      entries.push(entry);
      lines.push(Buffer.from(canonicalJson(entry), 'utf8'));
    };
    if (!state.exists)
      push(
        nextEntry(lines, {
          kind: 'genesis',
          body: {
            format: LEDGER_FORMAT,
            publicKey: key.publicKeyPem,
            ...(header ? { targetVersionHeader: header } : {}),
          },
          key,
          at: now(),
        }),
      );
    for (const c of candidates) {
      const { body, warnings: w } = await runRecord({
        dir: c.dir,
        ledgerDir,
        evidence: c.evidence,
        keyId: key.fingerprint,
        ...(given ? { givenVersion: given } : {}),
        ...(versionHeader ? { versionHeader } : {}),
        ...(options.evidenceUrl ? { evidenceUrl: options.evidenceUrl } : {}),
      });
      warnings.push(...w.map((m) => `${c.dir}: ${m}`));
      if (latest && body.startedAt < latest)
        warnings.push(
          `${c.dir}: run ${body.runId} started (${body.startedAt}) before a run already in the ledger (${latest}); incidents are computed in the order runs started, so its place in their history is by its date`,
        );
      push(nextEntry(lines, { kind: 'run', body, key, at: now() }));
    }
    appendEntries(options.ledgerFile, entries);
    return {
      created: !state.exists,
      added: entries.filter((e): e is RunEntry => e.kind === 'run'),
      warnings,
    };
  });
}
