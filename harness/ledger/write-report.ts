/**
 * `ledger report`: verifies the ledger (a ledger that does not verify is not reported from), builds
 * the report model and writes `ledger-report.md`, `ledger-report.html` and `ledger-report.json` (the
 * model itself, for tools) into the output folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { openLedger } from './ledger-state.ts';
import { buildReportModel, type LedgerReportModel } from './report-model.ts';
import type { IncidentGrouping } from './incidents.ts';
import { renderLedgerHtml } from './render-html.ts';
import { renderLedgerMarkdown } from './render-markdown.ts';

export const REPORT_BASENAME = 'ledger-report';

export interface WriteLedgerReportOptions {
  ledgerFile: string;
  outDir: string;
  now?: Date;
  fullCoverage?: number;
  grouping?: IncidentGrouping;
  trustedKeyIds?: readonly string[];
}

export interface WrittenLedgerReport {
  model: LedgerReportModel;
  markdownFile: string;
  htmlFile: string;
  jsonFile: string;
}

export function writeLedgerReport(options: WriteLedgerReportOptions): WrittenLedgerReport {
  const state = openLedger(options.ledgerFile, {
    mustExist: true,
    ...(options.trustedKeyIds ? { trustedKeyIds: options.trustedKeyIds } : {}),
  });
  const out = resolve(options.outDir);
  mkdirSync(out, { recursive: true });
  const model = buildReportModel(state.verification!, {
    ledgerName: basename(options.ledgerFile),
    ledgerDirFromReport:
      relative(out, dirname(resolve(options.ledgerFile)))
        .split(sep)
        .join('/') || '.',
    now: options.now ?? new Date(),
    ...(options.fullCoverage !== undefined ? { fullCoverage: options.fullCoverage } : {}),
    ...(options.grouping ? { grouping: options.grouping } : {}),
  });
  const markdownFile = join(out, `${REPORT_BASENAME}.md`);
  const htmlFile = join(out, `${REPORT_BASENAME}.html`);
  const jsonFile = join(out, `${REPORT_BASENAME}.json`);
  writeFileSync(markdownFile, renderLedgerMarkdown(model));
  writeFileSync(htmlFile, renderLedgerHtml(model));
  writeFileSync(jsonFile, JSON.stringify(model, null, 2) + '\n');
  return { model, markdownFile, htmlFile, jsonFile };
}
