/**
 * `writePack`: the folder a vendor attaches to a security questionnaire.
 *
 *     summary.html, summary.pdf       the three answers, each linked to its evidence
 *     run/<runId>/                    the latest signed run folder, byte for byte
 *     ledger/<ledger>.ndjson          the incident ledger, and ledger-report.{html,md,json}
 *     assessment-results.oscal.json   NIST OSCAL 1.1.2 assessment results of the latest run
 *     vendor.pem                      the vendor's public key (its key id is on the summary)
 *     VERIFY.md                       the commands a buyer runs offline
 *     pack-manifest.json              SHA-256 of every file above
 *
 * Nothing is written until every input verifies (pack-inputs.ts). The output folder must be new or
 * empty, and not inside a run folder (a new file there would break its manifest).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { digestFile } from '../evidence/file-digest.ts';
import { exportOscal } from '../evidence/oscal/export.ts';
import { ChromiumUnavailableError } from '../evidence/report/errors.ts';
import { renderReportPdf } from '../evidence/report/pdf.ts';
import { verifyRunDir } from '../evidence/verify.ts';
import { writeLedgerReport, type WrittenLedgerReport } from '../ledger/write-report.ts';
import { answerBuyerQuestions, type BuyerAnswer } from './buyer-answers.ts';
import { PackRefusedError } from './errors.ts';
import { resolvePackInputs, type PackInputOptions, type PackInputs } from './pack-inputs.ts';
import { renderSummaryHtml, type SummaryPage } from './render-summary.ts';

export const SUMMARY_HTML = 'summary.html';
export const SUMMARY_PDF = 'summary.pdf';
export const OSCAL_FILE = 'assessment-results.oscal.json';
export const VENDOR_KEY_FILE = 'vendor.pem';
export const VERIFY_FILE = 'VERIFY.md';
export const PACK_MANIFEST = 'pack-manifest.json';

export interface WritePackOptions extends PackInputOptions {
  outDir: string;
  /** The vendor's name on the summary (default: the title of the spec the runs tested). */
  vendor?: string;
  /** Print summary.pdf with Chromium (default true). */
  pdf?: boolean;
  now?: Date;
  /** Months after which evidence is a flag for a buyer (default 18). */
  staleAfterMonths?: number;
  /** Coverage ratio that counts as full in the ledger report (default 1). */
  fullCoverage?: number;
}

export interface WrittenPack {
  outDir: string;
  inputs: PackInputs;
  answers: BuyerAnswer[];
  files: string[];
  /** Why summary.pdf is missing, when Chromium is unavailable. */
  pdfSkipped?: string;
}

const posix = (p: string): string => p.split(sep).join('/');

function assertUsableOutDir(outDir: string, runDirs: readonly string[]): void {
  const out = resolve(outDir);
  for (const dir of runDirs) {
    const rel = relative(resolve(dir), out);
    if (rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep)))
      throw new PackRefusedError(
        `--out ${outDir} is inside the run folder ${dir}; a new file there would break its manifest.`,
      );
  }
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new PackRefusedError(`--out ${outDir} is not empty; give a new folder (a pack is written whole).`);
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? listFiles(join(dir, entry.name), base) : [posix(relative(base, join(dir, entry.name)))],
    )
    .sort();
}

function verifyCommands(runHref: string, ledgerHref: string | undefined): SummaryPage['commands'] {
  return [
    {
      what: 'The latest run: its manifest, its signature by the vendor key, its transcript chain, and its age (fails if older than 18 months).',
      command: `npx tenantproof verify ${runHref} --public-key ${VENDOR_KEY_FILE} --require-pinned --max-age 18mo`,
    },
    ...(ledgerHref
      ? [
          {
            what: "The incident ledger: its hash chain, every entry's signature, and its key rotations, pinned to the vendor key.",
            command: `npx tenantproof ledger verify --ledger ${ledgerHref} --public-key ${VENDOR_KEY_FILE} --require-pinned`,
          },
        ]
      : []),
    {
      what: 'The OSCAL file is the latest run, re-exported: it must come out byte for byte the same.',
      command: `npx tenantproof export oscal ${runHref} --public-key ${VENDOR_KEY_FILE} | cmp - ${OSCAL_FILE}`,
    },
  ];
}

export async function writePack(options: WritePackOptions): Promise<WrittenPack> {
  const inputs = resolvePackInputs(options);
  assertUsableOutDir(options.outDir, options.runDirs);
  const out = resolve(options.outDir);
  const now = options.now ?? new Date();
  mkdirSync(out, { recursive: true });

  // The latest run, byte for byte, then checked again where it now lies.
  const runId = inputs.latest.evidence.runId;
  const runHref = `run/${runId}`;
  const runCopy = join(out, 'run', runId);
  cpSync(inputs.latest.dir, runCopy, { recursive: true, dereference: true });
  const copied = verifyRunDir(runCopy, { publicKeyFile: join(runCopy, 'public-key.pem') });
  if (!copied.ok) throw new PackRefusedError(`the copy of ${inputs.latest.dir} in the pack does not verify.`);

  writeFileSync(join(out, VENDOR_KEY_FILE), inputs.vendorKey.pem);
  const oscal = exportOscal(runCopy, { publicKeyFile: join(out, VENDOR_KEY_FILE) });
  writeFileSync(join(out, OSCAL_FILE), oscal.text);

  let ledgerReport: WrittenLedgerReport | undefined;
  let ledgerHref: string | undefined;
  if (inputs.ledgerFile) {
    ledgerHref = `ledger/${basename(inputs.ledgerFile)}`;
    mkdirSync(join(out, 'ledger'), { recursive: true });
    cpSync(inputs.ledgerFile, join(out, ledgerHref));
    ledgerReport = writeLedgerReport({
      ledgerFile: join(out, ledgerHref),
      outDir: join(out, 'ledger'),
      now,
      trustedKeyIds: [inputs.vendorKey.keyId],
      ...(options.fullCoverage !== undefined ? { fullCoverage: options.fullCoverage } : {}),
    });
  }

  const answers = answerBuyerQuestions({
    latest: { evidence: inputs.latest.evidence, href: runHref },
    staleAfterMonths: options.staleAfterMonths ?? 18,
    oscalHref: OSCAL_FILE,
    now,
    ...(ledgerReport && ledgerHref
      ? {
          ledger: {
            model: ledgerReport.model,
            reportHref: posix(relative(out, ledgerReport.htmlFile)),
            markdownHref: posix(relative(out, ledgerReport.markdownFile)),
            fileHref: ledgerHref,
          },
        }
      : {}),
  });
  const commands = verifyCommands(runHref, ledgerHref);
  writeFileSync(
    join(out, VERIFY_FILE),
    `# Checking this pack\n\nRun these from this folder (Node.js 20 or later; nothing is sent anywhere).\n\n${commands
      .map((c) => `${c.what}\n\n\`\`\`sh\n${c.command}\n\`\`\`\n`)
      .join(
        '\n',
      )}\nThe vendor's key id (SHA-256 of ${VENDOR_KEY_FILE}) is \`${inputs.vendorKey.keyId}\`: confirm it with the vendor over a channel you trust.\n`,
  );
  const files: SummaryPage['files'] = [
    { label: `Latest signed run folder (${runId})`, href: `${runHref}/` },
    { label: 'Latest run report', href: `${runHref}/report.html` },
    { label: 'OSCAL 1.1.2 assessment results', href: OSCAL_FILE },
    ...(ledgerReport && ledgerHref
      ? [
          { label: 'Incident ledger report', href: posix(relative(out, ledgerReport.htmlFile)) },
          { label: 'Incident ledger (NDJSON)', href: ledgerHref },
        ]
      : []),
    { label: "Vendor's public key", href: VENDOR_KEY_FILE },
    { label: 'How to check this pack', href: VERIFY_FILE },
    { label: 'This page as PDF', href: SUMMARY_PDF },
    { label: 'SHA-256 of every file', href: PACK_MANIFEST },
  ];
  const htmlFile = join(out, SUMMARY_HTML);
  writeFileSync(
    htmlFile,
    renderSummaryHtml({
      vendor: options.vendor ?? inputs.latest.evidence.scope.spec.title,
      generatedAt: now.toISOString(),
      answers,
      keyId: inputs.vendorKey.keyId,
      keyPinned: inputs.vendorKey.pinned,
      commands,
      files,
    }),
  );

  let pdfSkipped: string | undefined;
  if (options.pdf ?? true) {
    try {
      await renderReportPdf(htmlFile, join(out, SUMMARY_PDF));
    } catch (error) {
      if (!(error instanceof ChromiumUnavailableError)) throw error;
      pdfSkipped = error.message;
    }
  }

  const listed = listFiles(out).filter((f) => f !== PACK_MANIFEST);
  const manifest = {
    generatedAt: now.toISOString(),
    vendorKeyId: inputs.vendorKey.keyId,
    files: Object.fromEntries(listed.map((f) => [f, digestFile(join(out, f)).sha256])),
  };
  writeFileSync(join(out, PACK_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return { outDir: out, inputs, answers, files: [...listed, PACK_MANIFEST], ...(pdfSkipped ? { pdfSkipped } : {}) };
}
