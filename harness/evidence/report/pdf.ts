/**
 * `renderReportPdf(htmlFile, pdfFile)`: prints the HTML report to an A4 PDF with headless Chromium.
 * Every request other than the report file itself is aborted (the report needs none; this is
 * defence in depth on top of its CSP).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, CHROMIUM_PATH } from './chromium.ts';

export async function renderReportPdf(
  htmlFile: string,
  pdfFile: string,
  options: { executablePath?: string } = {},
): Promise<void> {
  const browser = await launchChromium(options.executablePath ?? CHROMIUM_PATH);
  try {
    const page = await browser.newPage();
    const url = pathToFileURL(resolve(htmlFile)).href;
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeFileSync(pdfFile, pdf);
  } finally {
    await browser.close();
  }
}
