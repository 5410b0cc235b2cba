/**
 * Writes a run folder's evidence set from a campaign result, and seals it: evidence.json, junit.xml,
 * results.sarif and report.html (and report.pdf if asked), then public key, manifest and signed
 * attestation. The same code writes the final set and the periodic checkpoints of a run in
 * progress; a checkpoint seals only the transcript's first bytes (the file keeps growing), and its
 * evidence says `partial`, so a run killed at any moment leaves its last checkpoint, verifiable.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Exchange } from '../model/exchange.ts';
import type { SigningKey } from '../evidence/attestation.ts';
import type { Evidence } from '../evidence/evidence-schema.ts';
import type { Clock } from '../evidence/clock.ts';
import { writeEvidenceFile } from '../evidence/evidence-file.ts';
import { exchangesFromTranscript, TRANSCRIPT_FILE, type TranscriptWriter } from '../evidence/index.ts';
import { renderJunit, JUNIT_FILE } from '../evidence/junit.ts';
import { writeReportFiles } from '../evidence/report/write-report.ts';
import { renderSarif, serializeSarif, SARIF_FILE } from '../evidence/sarif.ts';
import { sealRunDir } from '../evidence/seal.ts';
import { testResultPredicate } from '../evidence/test-result.ts';
import { ATTESTATION_FILE, MANIFEST_FILE } from '../evidence/manifest.ts';
import { buildEvidence, type EvidenceContext } from './build-evidence.ts';
import type { CampaignResult } from './campaign.ts';

export interface RunFolderInput {
  dir: string;
  key: SigningKey;
  result: CampaignResult;
  evidence: EvidenceContext;
  /** The command line, free of secrets. */
  commandLine: string;
  /** The spec file and its digest, for the attestation's configuration. */
  spec: { file: string; sha256: string };
  transcript: TranscriptWriter;
  /** Final: the whole transcript is sealed (the writer must be closed). Checkpoint: only what exists now. */
  final: boolean;
  exitCode?: number;
  pdf?: boolean;
  /** More files to seal with the set, by name (e.g. `internal-error.log`, the stack of a crash). */
  extraFiles?: Readonly<Record<string, string>>;
  /** Where report problems are told (the evidence is sealed regardless). */
  warn: (message: string) => void;
  /** The time the report's age is measured against (default: the system clock). */
  clock?: Clock;
}

export async function writeRunFolder(input: RunFolderInput): Promise<Evidence> {
  // The set is built beside the run folder, with the transcript and counterexamples hard-linked in,
  // and sealed there; only then are its files renamed into the run folder, attestation last. A kill
  // can then only land in the microseconds of those renames, never halfway through a render, and the
  // folder keeps its previous (checkpoint) seal until the new one is complete.
  const dir = input.dir;
  const staging = path.join(path.dirname(dir), `.${path.basename(dir)}.checkpoint`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const share = (from: string, to: string): void => {
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
    }
  };
  share(path.join(dir, TRANSCRIPT_FILE), path.join(staging, TRANSCRIPT_FILE));
  const cx = path.join(dir, 'counterexamples');
  mkdirSync(path.join(staging, 'counterexamples'));
  if (existsSync(cx))
    for (const f of readdirSync(cx)) share(path.join(cx, f), path.join(staging, 'counterexamples', f));
  try {
    const evidence = await writeInto(staging, input);
    const produced = readdirSync(staging).filter((f) => f !== TRANSCRIPT_FILE && f !== 'counterexamples');
    const last = [MANIFEST_FILE, ATTESTATION_FILE];
    for (const f of [...produced.filter((x) => !last.includes(x)), ...last])
      renameSync(path.join(staging, f), path.join(dir, f));
    return evidence;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function writeInto(dir: string, input: RunFolderInput): Promise<Evidence> {
  for (const [name, text] of Object.entries(input.extraFiles ?? {})) writeFileSync(path.join(dir, name), text);
  const evidence = buildEvidence(input.result, input.evidence);
  writeEvidenceFile(dir, evidence);
  writeFileSync(path.join(dir, JUNIT_FILE), renderJunit(evidence));
  const exchanges = citedExchanges(dir, evidence, input.transcript);
  writeFileSync(
    path.join(dir, SARIF_FILE),
    serializeSarif(
      renderSarif(evidence, {
        commandLine: input.commandLine,
        exchanges,
        ...(input.exitCode !== undefined ? { exitCode: input.exitCode } : {}),
      }),
    ),
  );
  // The human-readable report goes in before sealing, so the manifest covers it. A bug in the
  // report must never stop the evidence from being sealed.
  try {
    const report = await writeReportFiles(dir, {
      pdf: input.final && input.pdf === true,
      exchanges,
      ...(input.clock ? { now: input.clock() } : {}),
    });
    if (report.pdfSkipped) input.warn(report.pdfSkipped);
  } catch (e) {
    input.warn(`report.html could not be written (${(e as Error).message}); the evidence is still sealed.`);
  }
  // Read the transcript's digest only now: lines written meanwhile are in the file, so seal them too.
  // The writer's running digest spares reading the transcript back, however large it grew.
  const digest = input.transcript.digest();
  const sealedPrefix: Record<string, number> = input.final ? {} : { [TRANSCRIPT_FILE]: digest.size };
  sealRunDir(
    dir,
    input.key,
    testResultPredicate(evidence, [{ name: input.spec.file, digest: { sha256: input.spec.sha256 } }]),
    sealedPrefix,
    { [TRANSCRIPT_FILE]: digest },
  );
  return evidence;
}

/**
 * The exchanges the findings cite, read back by offset through the writer; from the whole file only
 * when the writer does not know one (a transcript resumed from an earlier process).
 */
function citedExchanges(dir: string, evidence: Evidence, transcript: TranscriptWriter): Map<number, Exchange> {
  const wanted = new Set(evidence.findings.flatMap((f) => f.exchanges));
  const found = transcript.readExchanges(wanted);
  if (found.size === wanted.size) return found;
  for (const [seq, ex] of exchangesFromTranscript(path.join(dir, TRANSCRIPT_FILE)))
    if (wanted.has(seq)) found.set(seq, ex);
  return found;
}
