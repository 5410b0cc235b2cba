/**
 * One timed start of the CLI for bench/startup.ts: spawn `node <bin> …args`, timestamp every output
 * line (wall clock, `performance.now()` from just before `spawn` to the 'data' event that completed
 * the line), note when each awaited line appears, send SIGINT once the last one has (for commands
 * that do not end by themselves), and wait for 'exit'. No fixed sleeps: everything waits on events;
 * the only timer is a safety net that SIGKILLs a child that hangs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';

export interface Mark {
  id: string;
  /** Matches a complete output line (without its newline) from either stream. */
  match: (line: string, stream: 'stdout' | 'stderr') => boolean;
}

export interface ProbeSpec {
  bin: string;
  cwd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Awaited lines, in any order; each is timed at its first match. */
  marks: Mark[];
  /** `sigint`: send SIGINT once every mark has been seen, then wait for exit. `exit`: wait for the command to end. */
  stop: 'exit' | 'sigint';
  /** Safety net only: SIGKILL after this long (the probe then fails). */
  timeoutMs: number;
}

export interface Probe {
  /** Milliseconds from spawn to each mark's line. */
  marks: Record<string, number>;
  firstLine: { text: string; stream: 'stdout' | 'stderr'; ms: number } | null;
  /** Milliseconds from spawn to the 'exit' event. */
  exitMs: number;
  /** Milliseconds from spawn to the SIGINT, when one was sent. */
  sigintMs: number | null;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** 1-minute load average just before the spawn. */
  load1: number;
}

/** Children still running, so that an interrupted benchmark can end them. */
export const liveChildren = new Set<ChildProcess>();

export function probe(spec: ProbeSpec): Promise<Probe> {
  const load1 = Math.round(loadavg()[0]! * 100) / 100;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [spec.bin, ...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    liveChildren.add(child);
    const marks: Record<string, number> = {};
    let firstLine: Probe['firstLine'] = null;
    let sigintMs: number | null = null;
    let exitMs = 0;
    let code: number | null = null;
    let signal: NodeJS.Signals | null = null;
    let timedOut = false;
    const text = { stdout: '', stderr: '' };
    const pending = { stdout: '', stderr: '' };

    const onLine = (line: string, stream: 'stdout' | 'stderr', ms: number): void => {
      if (firstLine === null) firstLine = { text: line, stream, ms };
      for (const m of spec.marks) if (!(m.id in marks) && m.match(line, stream)) marks[m.id] = ms;
      if (
        spec.stop === 'sigint' &&
        sigintMs === null &&
        spec.marks.every((m) => m.id in marks) &&
        child.exitCode === null &&
        child.signalCode === null
      ) {
        sigintMs = performance.now() - t0;
        child.kill('SIGINT');
      }
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.on('data', (d: Buffer) => {
        const ms = performance.now() - t0;
        const chunk = d.toString();
        text[stream] += chunk;
        const parts = (pending[stream] + chunk).split('\n');
        pending[stream] = parts.pop()!;
        for (const line of parts) onLine(line.replace(/\r$/, ''), stream, ms);
      });
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, spec.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      reject(error);
    });
    child.once('exit', (c, s) => {
      exitMs = performance.now() - t0;
      code = c;
      signal = s;
    });
    child.once('close', () => {
      clearTimeout(timer);
      liveChildren.delete(child);
      // A last line without a newline still counts (its time is the exit's).
      for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) onLine(pending[stream], stream, exitMs);
      resolve({
        marks,
        firstLine,
        exitMs,
        sigintMs,
        code,
        signal,
        timedOut,
        stdout: text.stdout,
        stderr: text.stderr,
        load1,
      });
    });
  });
}
