/** The HTML and PDF report of a run. */
export { renderReportHtml, REPORT_HTML_FILE, REPORT_PDF_FILE, REPORT_CSP, type RenderOptions } from './render-html.ts';
export { renderReportPdf } from './pdf.ts';
export { writeReportFiles, citedExchanges, type WriteReportOptions, type WriteReportResult } from './write-report.ts';
export { launchChromium, chromiumAvailable, CHROMIUM_PATH, CHROMIUM_ARGS } from './chromium.ts';
export { ChromiumUnavailableError, ReportInputError } from './errors.ts';
export { esc } from './escape.ts';
