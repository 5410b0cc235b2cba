/**
 * `tenantproof export-test DIR --out FOLDER [--force]`: writes each finding of a run folder as a
 * standalone vitest regression test into the user's own repository (the logic is
 * harness/run/export-test-files.ts). The run folder is only read; it must verify, and nothing is
 * written into it or any other sealed folder.
 * Exit codes: 0 written (or already there), 2 usage error or refused.
 */
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';
import { exportTests } from '../run/export-test-files.ts';
import { helpHint, parseCommandArgs } from './command-args.ts';

const HELP = `Usage: tenantproof export-test DIR --out FOLDER [--force]

Turns each finding of a run folder (DIR: reports/<runId>, or reports/latest) into a standalone
vitest regression test in your own repository: FOLDER/tenantproof-<runId>-<n>.test.ts, one for
each counterexamples/<n>.json. A test imports only vitest, axios and node:fs, compiles under a
strict tsconfig, and is found by vitest's default include when run from your repository's root.
It fails while the leak is present and passes once it is fixed:

  TENANTPROOF_TARGET=http://127.0.0.1:3000 TENANTPROOF_ADMIN_TOKEN=... npx vitest run FOLDER

TENANTPROOF_TARGET is the API's base URL (without it the tests are skipped). Tenants come from
the reference CRM's admin endpoint (POST /v1/tenants with TENANTPROOF_ADMIN_TOKEN) or, for another
API, from TENANTPROOF_CREDENTIALS=creds.json:
[{ "label": "T1", "headers": { "authorization": "Bearer ..." }, "id": "..." }, ...].

DIR is only read, never written: it must verify (what \`tenantproof verify\` checks), and FOLDER
may not lie inside it or any other sealed run folder. Exporting again writes the same files.

Options:
  --out FOLDER   where to write the tests (created if missing), e.g. test/isolation/
  --force        replace a test file that exists with different content
  --help         this text

${exitCodesHelp('export-test')}`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('export-test', {
    args: argv,
    options: { out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.clean;
  }
  const dir = positionals[0];
  if (!dir || positionals.length > 1)
    throw new UsageError('give exactly one run folder.', {
      hint: helpHint('export-test'),
    });
  if (!values.out)
    throw new UsageError('give --out FOLDER, the folder of your repository the tests go to.', {
      hint: `e.g. tenantproof export-test ${dir} --out test/isolation/`,
    });
  const result = exportTests({ dir, out: values.out, force: values.force ?? false });
  const shown = (file: string): string => path.relative(process.cwd(), file) || '.';
  const width = Math.max(...result.tests.map((t) => t.status.length));
  for (const t of result.tests)
    process.stdout.write(`${t.status.padEnd(width)}  ${shown(t.file)}  (${t.counterexample}: ${t.finding})\n`);
  const written = result.tests.filter((t) => t.status !== 'unchanged').length;
  process.stdout.write(
    `${written} of ${result.tests.length} test file${result.tests.length === 1 ? '' : 's'} written to ${shown(result.out)}; ` +
      `run them from your repository's root:\n` +
      `  TENANTPROOF_TARGET=http://127.0.0.1:3000 TENANTPROOF_ADMIN_TOKEN=... npx vitest run ${shown(result.out)}\n`,
  );
  return EXIT.clean;
}
