/**
 * `writeReportFiles(dir, { pdf })`: renders `report.html` (and `report.pdf`) from a run folder's
 * `evidence.json` and `transcript.ndjson`. The run command calls it BEFORE `sealRunDir`, so the
 * report is covered by the manifest and the signature like every other file.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Exchange } from '../../model/exchange.ts';
import { readEvidenceFile } from '../evidence-file.ts';
import { EVIDENCE_FILE, type Evidence } from '../evidence-schema.ts';
import { MANIFEST_FILE, sealedBytesOf } from '../manifest.ts';
import { TRANSCRIPT_FILE } from '../transcript.ts';
import { exchangesFromTranscript } from '../transcript-index.ts';
import { ChromiumUnavailableError, ReportInputError } from './errors.ts';
import { renderReportPdf } from './pdf.ts';
import { REPORT_HTML_FILE, REPORT_PDF_FILE, renderReportHtml } from './render-html.ts';

export interface WriteReportOptions {
  /** Also print report.pdf with Chromium (skipped, with a reason, when Chromium is absent). */
  pdf?: boolean;
  /** Where to write the HTML (default `<dir>/report.html`); the PDF goes beside it with `.pdf`. */
  htmlFile?: string;
  /** The exchanges the findings cite, when the caller has them (else read from the transcript). */
  exchanges?: Map<number, Exchange>;
  /** The time of rendering, which the header's age is measured against (default: now). */
  now?: Date;
}

export interface WriteReportResult {
  htmlFile: string;
  pdfFile?: string;
  /** Why the PDF was not written, when it was asked for and Chromium is unavailable. */
  pdfSkipped?: string;
}

/** The exchanges the findings cite, read from the run's transcript (empty when it is missing). */
export function citedExchanges(dir: string, evidence: Evidence): Map<number, Exchange> {
  const wanted = new Set(evidence.findings.flatMap((f) => f.exchanges));
  const out = new Map<number, Exchange>();
  const file = join(dir, TRANSCRIPT_FILE);
  if (wanted.size === 0 || !existsSync(file)) return out;
  for (const [seq, ex] of exchangesFromTranscript(file, sealedPrefixOf(dir, TRANSCRIPT_FILE)))
    if (wanted.has(seq)) out.set(seq, ex);
  return out;
}

/**
 * The exchanges each finding cites, by finding id, each read from the transcript the finding names
 * (`transcript`, default transcript.ndjson): in a merged folder findings cite different shards'
 * transcripts, whose exchange numbers overlap.
 */
export function citedExchangesByFinding(dir: string, evidence: Evidence): Map<string, Map<number, Exchange>> {
  const byTranscript = new Map<string, Map<number, Exchange>>();
  const out = new Map<string, Map<number, Exchange>>();
  for (const f of evidence.findings) {
    const rel = f.transcript ?? TRANSCRIPT_FILE;
    let all = byTranscript.get(rel);
    if (!all) {
      const file = join(dir, rel);
      all =
        f.exchanges.length > 0 && existsSync(file)
          ? exchangesFromTranscript(file, sealedPrefixOf(dir, rel))
          : new Map<number, Exchange>();
      byTranscript.set(rel, all);
    }
    const mine = new Map<number, Exchange>();
    for (const seq of f.exchanges) {
      const ex = all.get(seq);
      if (ex) mine.set(seq, ex);
    }
    out.set(f.id, mine);
  }
  return out;
}

export async function writeReportFiles(dir: string, options: WriteReportOptions = {}): Promise<WriteReportResult> {
  if (!existsSync(join(dir, EVIDENCE_FILE)))
    throw new ReportInputError(`${dir} has no ${EVIDENCE_FILE}: it is not a tenantproof run folder`);
  const evidence = readEvidenceFile(dir);
  const htmlFile = options.htmlFile ?? join(dir, REPORT_HTML_FILE);
  const perFinding = evidence.findings.some((f) => f.transcript !== undefined);
  const now = options.now ?? new Date();
  writeFileSync(
    htmlFile,
    renderReportHtml(
      evidence,
      perFinding
        ? { findingExchanges: citedExchangesByFinding(dir, evidence), now }
        : { exchanges: options.exchanges ?? citedExchanges(dir, evidence), now },
    ),
  );
  if (!options.pdf) return { htmlFile };
  const pdfFile = options.htmlFile ? htmlFile.replace(/\.html?$/i, '') + '.pdf' : join(dir, REPORT_PDF_FILE);
  try {
    await renderReportPdf(htmlFile, pdfFile);
    return { htmlFile, pdfFile };
  } catch (e) {
    if (e instanceof ChromiumUnavailableError) return { htmlFile, pdfSkipped: e.message };
    throw e;
  }
}

/**
 * The sealed size of a transcript inside `dir` (`rel` may sit in a shard's folder of a merged run,
 * whose own manifest seals it), or undefined when all of it is sealed.
 */
function sealedPrefixOf(dir: string, rel: string): number | undefined {
  const parts = rel.split('/');
  const base = join(dir, ...parts.slice(0, -1));
  return existsSync(join(base, MANIFEST_FILE)) ? sealedBytesOf(base, parts.at(-1)!) : undefined;
}
