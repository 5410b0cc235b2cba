/**
 * `tenantproof inspect [--spec FILE] [--json]`: what tenantproof infers from an OpenAPI spec.
 * Exit 0 on success, 2 on a bad flag or a spec that cannot be used (message names the location).
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { formatInspectReport } from '../openapi/format-inspect.ts';
import { buildInspectReport } from '../openapi/inspect-report.ts';
import { SpecError } from '../openapi/spec-error.ts';

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const DEFAULT_SPEC = resolve(REPO_ROOT, 'specs', 'crm.openapi.yaml');

const HELP = `Usage: tenantproof inspect [--spec FILE] [--json]

Shows what tenantproof infers from an OpenAPI 3.0/3.1 spec: resources with their producers and
consumers, the tenant-owned operations, the probes and oracles for each operation, and the
operations it could not classify, with the reason.

Options:
  --spec FILE   the spec (YAML or JSON); default: specs/crm.openapi.yaml of this repository
                (a bare positional FILE works too)
  --json        print a stable JSON report (schema: inspectReportSchema in harness/openapi)
  --help        show this text

Exit codes: 0 ok, 2 bad flags or an unusable spec (malformed, dangling $ref, not OpenAPI).`;

export interface InspectIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: InspectIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

export async function main(argv: string[], io: InspectIo = processIo): Promise<number> {
  let values: { spec?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { spec: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.stderr(`tenantproof inspect: ${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP + '\n');
    return 0;
  }
  if (positionals.length > 1 || (positionals.length === 1 && values.spec)) {
    io.stderr(
      `tenantproof inspect: give one spec (got ${[values.spec, ...positionals].filter(Boolean).join(', ')})\n\n${HELP}\n`,
    );
    return 2;
  }
  const specPath = resolve(values.spec ?? positionals[0] ?? DEFAULT_SPEC);
  try {
    const model = await analyzeSpecFile(specPath);
    // Relative to the working directory, so the JSON does not depend on where the repo is cloned.
    const shown = relative(process.cwd(), specPath) || specPath;
    const report = buildInspectReport(model, shown);
    io.stdout(values.json ? JSON.stringify(report, null, 2) + '\n' : formatInspectReport(report));
    return 0;
  } catch (err) {
    if (err instanceof SpecError) {
      io.stderr(`tenantproof inspect: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
