/**
 * How V8 compiles PGlite's WebAssembly (9 MB of PostgreSQL) in a process that is only the CRM.
 *
 * By default V8 compiles every function with its baseline compiler (Liftoff), then recompiles the
 * hot ones with its optimising compiler (TurboFan) on background threads while the server runs.
 * Those compilations allocate their working memory from the C heap of each background thread,
 * and glibc keeps it: measured under 32 requests in flight (bench/crm-memory.ts), TurboFan
 * tier-up cost ~110 MB of peak RSS, for a CPU per request within the noise of Liftoff's (the
 * CRM's time goes mostly to JavaScript). So `tenantproof crm` keeps PGlite on Liftoff
 * (`--liftoff-only`); CRM_PGLITE_TURBOFAN=1 lets V8 tier up as usual.
 *
 * A V8 flag is process-wide and must be set before the module is compiled, so only the
 * command's entry point (`cli.ts`) calls this, before it starts anything; a program that embeds
 * `startCrm()` keeps V8's defaults.
 */
import { setFlagsFromString } from 'node:v8';

export function keepPgliteOnBaselineCompiler(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['CRM_PGLITE_TURBOFAN'] === '1') return false;
  setFlagsFromString('--liftoff-only');
  return true;
}
