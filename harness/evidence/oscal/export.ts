/**
 * `exportOscal(dir)`: what `tenantproof export oscal` does, without the command line. It reads
 * only a folder that verifies (`verifyRunDir`: manifest, signature, transcript chain, evidence), so
 * every digest the document carries is a digest the signer attested; it refuses (exit 2) anything
 * else, including a checkpoint of a killed run whose transcript grew after its last seal. It then
 * builds the document and validates it against the official schema, throwing `OscalSchemaError`
 * (exit 4, the first errors listed) rather than return a document that does not validate.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EVIDENCE_FILE } from '../evidence-schema.ts';
import { MANIFEST_FILE } from '../manifest.ts';
import { verifyRunDir } from '../verify.ts';
import { buildAssessmentResults, type AssessmentResultsDocument, type BuildOptions } from './assessment-results.ts';
import { OscalExportRefusedError, OscalSchemaError } from './errors.ts';
import { readOscalInput } from './oscal-input.ts';
import { oscalSchemaIssues } from './validate.ts';

export interface ExportOscalOptions extends BuildOptions {
  /** The vendor's public key: the folder's signature must verify with it. */
  publicKeyFile?: string;
  /** Fingerprints of keys the reviewer trusts (TENANTPROOF_TRUSTED_KEYS). */
  trustedFingerprints?: readonly string[];
}

export interface OscalExport {
  document: AssessmentResultsDocument;
  /** The document as written: 2-space JSON and a trailing newline. */
  text: string;
  counts: { observations: number; findings: number; risks: number; resources: number };
}

export function serializeOscal(document: AssessmentResultsDocument): string {
  return JSON.stringify(document, null, 2) + '\n';
}

const MAX_LISTED = 10;

export function exportOscal(dir: string, options: ExportOscalOptions = {}): OscalExport {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new OscalExportRefusedError(`${dir} is not a folder.`);
  if (!existsSync(join(dir, EVIDENCE_FILE)) && !existsSync(join(dir, MANIFEST_FILE)))
    throw new OscalExportRefusedError(
      `${dir} is not a tenantproof run folder (no ${EVIDENCE_FILE}, no ${MANIFEST_FILE}).`,
      {
        hint: 'give the folder `tenantproof run` (or `merge`) wrote, e.g. reports/latest',
      },
    );
  const report = verifyRunDir(dir, {
    ...(options.publicKeyFile ? { publicKeyFile: options.publicKeyFile } : {}),
    ...(options.trustedFingerprints ? { trustedFingerprints: options.trustedFingerprints } : {}),
  });
  if (!report.ok) {
    const listed = report.failures.slice(0, MAX_LISTED).map((f) => `  ${f.file} [${f.check}]: ${f.detail}`);
    const more = report.failures.length > MAX_LISTED ? `\n  … and ${report.failures.length - MAX_LISTED} more` : '';
    throw new OscalExportRefusedError(
      `${dir} does not verify, so its evidence cannot be exported as assessment results:\n${listed.join('\n')}${more}`,
      { hint: `run \`tenantproof verify ${dir}\` for the full report` },
    );
  }
  if (report.unsealed)
    throw new OscalExportRefusedError(
      `${dir} is a checkpoint of a run that did not finish: ${report.unsealed.map((u) => `${u.file} has ${u.extraBytes} bytes after the last seal`).join('; ')}; those bytes are not signed, so the folder is not exported.`,
      { hint: 'export a finished run, or merge the shards that finished' },
    );
  const input = readOscalInput(dir, {
    ...(report.keyFingerprint ? { keyFingerprint: report.keyFingerprint } : {}),
    pinned: report.pinned,
  });
  const document = buildAssessmentResults(input, options);
  const issues = oscalSchemaIssues(document);
  if (issues.length > 0) throw new OscalSchemaError(issues);
  const r = document['assessment-results'].results[0];
  return {
    document,
    text: serializeOscal(document),
    counts: {
      observations: r.observations.length,
      findings: r.findings?.length ?? 0,
      risks: r.risks?.length ?? 0,
      resources: document['assessment-results']['back-matter'].resources.length,
    },
  };
}
