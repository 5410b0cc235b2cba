/**
 * The reference CRM as a real child process (`node bin/tenantproof.mjs crm …`, which runs dist/):
 * for tests that need several server processes, or a process to kill -9.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BIN } from './cli.ts';

export interface CrmProcess {
  url: string;
  adminToken: string;
  pid: number;
  /** Resolves when the process has exited, with its code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** SIGKILL, then wait for the exit. */
  crash(): Promise<void>;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

export class CrmProcessError extends Error {
  override name = 'CrmProcessError';
}

/** Starts `tenantproof crm ARGS` on a free port and resolves once it prints its URL. */
export async function startCrmProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CrmProcess> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'crm', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CRM_FAULTS: '', ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  const second = await lines.next();
  const url = first.done ? '' : String(first.value);
  const tokenLine = second.done ? '' : String(second.value);
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) {
    const { code } = await exited;
    throw new CrmProcessError(`tenantproof crm exited (${code}) before printing its URL:\n${stderr}`);
  }
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    url,
    adminToken: tokenLine.replace(/^admin token: /, ''),
    pid: child.pid!,
    exited,
    stderr: () => stderr,
    crash: () => stopWith('SIGKILL'),
    stop: () => stopWith('SIGTERM'),
  };
}
