/**
 * `tenantproof inspect [--spec FILE] [--overlay FILE] [--json]`: what tenantproof infers from an OpenAPI spec.
 * Exit 0 on success, 2 on a bad flag or a spec that cannot be used (message names the location).
 */
import { defaultSpecPath } from '../tool-version.ts';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { formatInspectReport } from './format-inspect.ts';
import { buildInspectReport } from './inspect-report.ts';
import { describeError, TenantproofError } from '../errors.ts';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';

export const DEFAULT_SPEC = defaultSpecPath();

const HELP = `Usage: tenantproof inspect [--spec FILE] [--overlay FILE] [--json]

Shows what tenantproof infers from an OpenAPI 3.0/3.1 spec: resources with their producers and
consumers, the tenant-owned operations, the probes and oracles for each operation, and the
operations it could not classify, with the reason.

Options:
  --spec FILE      the spec (YAML or JSON); default: specs/crm.openapi.yaml of this repository
                   (a bare positional FILE works too)
  --overlay FILE   an overlay (OpenAPI Overlay 1.0) applied on top of the spec first: x-tenantproof-*
                   hints without editing the spec (harness/openapi/README.md)
  --json           print a stable JSON report (schema: inspectReportSchema in harness/openapi)
  --help           show this text

${exitCodesHelp('inspect')}`;

export interface InspectIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: InspectIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

export async function main(argv: string[], io: InspectIo = processIo): Promise<number> {
  let values: { spec?: string; overlay?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        spec: { type: 'string' },
        overlay: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.stderr(`tenantproof inspect: ${(err as Error).message}\n\n${HELP}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(HELP + '\n');
    return EXIT.clean;
  }
  if (positionals.length > 1 || (positionals.length === 1 && values.spec)) {
    io.stderr(
      `tenantproof inspect: give one spec (got ${[values.spec, ...positionals].filter(Boolean).join(', ')})\n\n${HELP}\n`,
    );
    return EXIT.usage;
  }
  const specPath = resolve(values.spec ?? positionals[0] ?? DEFAULT_SPEC);
  try {
    const model = await analyzeSpecFile(specPath, values.overlay !== undefined ? { overlay: values.overlay } : {});
    // Relative to the working directory, so the JSON does not depend on where the repo is cloned.
    const shown = relative(process.cwd(), specPath) || specPath;
    const report = buildInspectReport(model, shown);
    io.stdout(values.json ? JSON.stringify(report, null, 2) + '\n' : formatInspectReport(report));
    return EXIT.clean;
  } catch (err) {
    // This command writes to `io` (tests capture it), so it reports its own errors as cli/main would.
    if (!(err instanceof TenantproofError)) throw err;
    io.stderr(`tenantproof inspect: ${describeError(err)}\n`);
    return err.exitCode;
  }
}
