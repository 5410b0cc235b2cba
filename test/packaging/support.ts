/** Child processes for the packaging test: run to completion (no timers), in a clean environment. */
import { spawn } from 'node:child_process';

export interface RunResult {
  command: string;
  cwd: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of the user's shell, without what the test runner adds: npm's script variables
 * (`npm run test:e2e` sets npm_config_*, which would reconfigure the consumer's npm), NODE_OPTIONS
 * (a TypeScript loader there would hide a package that only works through one), vitest's variables
 * and colours. The npm cache and user config are kept: the offline installs read that cache.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !/^npm_config_(cache|userconfig|globalconfig|registry)$/i.test(key)) continue;
    if (/^(NODE_OPTIONS|NODE_ENV|INIT_CWD|FORCE_COLOR|VITEST.*|TEST)$/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', CI: 'true' };
}

/** Runs `file args` in `cwd` and waits for it to exit, however long that takes. */
export function run(file: string, args: string[], cwd: string): Promise<RunResult> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => reject(new Error(`cannot start ${command} in ${cwd}: ${error.message}`)));
    child.on('close', (code, signal) => resolve({ command, cwd, code, signal, stdout, stderr }));
  });
}

/** What a failed assertion on a child process shows: the command, its exit and its output. */
export function explain(r: RunResult): string {
  const tail = (text: string): string => (text.length > 6000 ? `…${text.slice(-6000)}` : text);
  return (
    `\`${r.command}\` in ${r.cwd} exited with ${r.signal ?? r.code}\n` +
    `--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`
  );
}

/** Runs a command that must succeed; throws with its output otherwise. */
export async function runOk(file: string, args: string[], cwd: string): Promise<RunResult> {
  const r = await run(file, args, cwd);
  if (r.code !== 0) throw new Error(explain(r));
  return r;
}

/** The last line of stdout that parses as JSON (what the consumer programs print). */
export function lastJson(r: RunResult): unknown {
  const lines = r.stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      // not JSON: keep looking
    }
  }
  throw new Error(`no JSON line in the output of ${explain(r)}`);
}
