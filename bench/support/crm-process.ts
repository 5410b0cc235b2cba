/**
 * The reference CRM in its own process (`tenantproof crm --port 0`), so that a benchmark can load
 * it from outside and measure the harness's process apart from the target's. The CRM prints its URL
 * on the first line and `admin token: …` on the second. Its per-tenant rate limit is lifted
 * (CRM_RATE_LIMIT), since the benchmarks measure the target's capacity, not its throttle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BIN, REPO_ROOT } from './common.ts';

export interface CrmProcess {
  url: string;
  adminToken: string;
  pid: number;
  /** User + system CPU seconds the CRM process has used so far (from /proc; null where unavailable). */
  cpuSeconds(): number | null;
  /** Peak resident set size so far, in MB (VmHWM; null where unavailable). */
  maxRssMB(): number | null;
  close(): Promise<void>;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state is [0], utime is field 14 overall → index 11 here, stime 12.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

function procMaxRssMB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function startCrmProcess(options: { faults?: string[]; startTimeoutMs?: number } = {}): Promise<CrmProcess> {
  const adminToken = `tpa_bench_${randomBytes(12).toString('hex')}`;
  const args = [BIN, 'crm', '--port', '0', ...(options.faults ?? []).flatMap((f) => ['--fault', f])];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, CRM_ADMIN_TOKEN: adminToken, CRM_RATE_LIMIT: '1000000:1000000', CRM_FAULTS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CRM did not start within ${options.startTimeoutMs ?? 120_000} ms:\n${output}\n${stderr}`));
    }, options.startTimeoutMs ?? 120_000);
    const early = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`the CRM exited with ${code} before starting:\n${output}\n${stderr}`));
    };
    child.once('exit', early);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const lines = output.split('\n');
      const url = lines[0]?.trim();
      const token = /^admin token: (\S+)/m.exec(output)?.[1];
      if (url?.startsWith('http') && token) {
        clearTimeout(timer);
        child.removeListener('exit', early);
        const pid = child.pid!;
        resolve({
          url,
          adminToken: token,
          pid,
          cpuSeconds: () => procCpuSeconds(pid),
          maxRssMB: () => procMaxRssMB(pid),
          close: async () => {
            if (child.exitCode === null) {
              child.kill('SIGTERM');
              const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
              await exited;
              clearTimeout(killer);
            }
          },
        });
      }
    });
  });
}
