/**
 * `tenantproof run`: reads the settings (flags over `tenantproof.config.ts` over the defaults of the
 * settings table) and runs one job (harness/run/job.ts). Errors reach the user through cli/main.ts.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';
import { ConfigError, loadConfigFile, resolveConfig } from '../run/config.ts';
import { runJob } from '../run/job.ts';
import { flagsToUserConfig, settingFlags, settingsHelp } from '../run/settings.ts';
import { recordedCommandLine } from './command-line.ts';

export const RUN_HELP = `Usage: tenantproof run [options]

Runs an isolation campaign and writes evidence to reports/<runId>/ (reports/latest points at it).

${settingsHelp()}
Other:
  --config FILE          settings file (default ./tenantproof.config.ts if present)
  --help                 this text

Every option can also be set in tenantproof.config.ts (defineConfig); flags win.

${exitCodesHelp('run')}`;

const FLAGS = { ...settingFlags(), config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export async function main(argv: string[]): Promise<number> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true }));
  } catch (err) {
    throw new ConfigError((err as Error).message, { hint: 'run `tenantproof run --help` for the options' });
  }
  if (values['help']) {
    process.stdout.write(RUN_HELP + '\n');
    return EXIT.clean;
  }
  const given = values['config'] as string | undefined;
  const file = given ?? (existsSync('tenantproof.config.ts') ? 'tenantproof.config.ts' : undefined);
  const fromFile = file ? await loadConfigFile(file) : {};
  const config = resolveConfig(fromFile, flagsToUserConfig(values), file);
  return (await runJob(config, recordedCommandLine(['run', ...argv]))).code;
}
