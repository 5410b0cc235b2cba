/**
 * A command's flags and positionals, read strictly with `node:util`'s `parseArgs`: an unknown or
 * malformed flag is a UsageError (exit 2) whose hint points at the command's `--help`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.ts';

/** `run \`tenantproof <command> --help\` for the options`: the hint of every usage error of a command. */
export function helpHint(command: string): string {
  return `run \`tenantproof ${command} --help\` for the options`;
}

export function parseCommandArgs<T extends ParseArgsConfig>(
  command: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message, { hint: helpHint(command) });
  }
}
