/**
 * Shared plumbing of the harness benchmarks (detect, speed, scale): the environment record every
 * output carries, argument helpers, statistics, running the real CLI in a child process with its
 * resource usage, and reading a run folder's evidence.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(REPO_ROOT, 'bin', 'tenantproof.mjs');
/** Preloaded into CLI children (`node --import`): writes the child's own rusage when it exits. */
export const RUSAGE_HOOK = path.join(REPO_ROOT, 'bench', 'support', 'rusage-hook.mjs');

export interface Environment {
  node: string;
  platform: string;
  osRelease: string;
  cpus: number;
  cpuModel: string;
  totalMemMB: number;
  loadavg: number[];
  gitCommit: string | null;
  /** Uncommitted changes in harness/, crm/ or bench/ when measured (the figures then describe the working tree). */
  gitDirty: boolean | null;
  date: string;
  command: string;
}

/** Load average rounded for printing next to every figure. */
export function load(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

export function loadText(): string {
  return `load ${load().join(' ')}`;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/** The command as a user would type it: `npm run bench:detect -- …` when started by npm, else `tsx bench/x.ts …`. */
export function commandLine(): string {
  const args = process.argv.slice(2);
  const event = process.env['npm_lifecycle_event'];
  const quoted = args.map((a) => (/[\s"'$`\\]/.test(a) ? JSON.stringify(a) : a));
  if (event && event.startsWith('bench')) return `npm run ${event}${quoted.length ? ` -- ${quoted.join(' ')}` : ''}`;
  const script = path.relative(REPO_ROOT, process.argv[1] ?? '');
  return `npx tsx ${script}${quoted.length ? ` ${quoted.join(' ')}` : ''}`;
}

export function environment(): Environment {
  const status = git(['status', '--porcelain', '--', 'harness', 'crm', 'bench', 'bin']);
  return {
    node: process.version,
    platform: platform(),
    osRelease: release(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemMB: Math.round(totalmem() / 1024 / 1024),
    loadavg: load(),
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status.length > 0,
    date: new Date().toISOString(),
    command: commandLine(),
  };
}

/** `1-5` or `1,2,5` or `3`. */
export function parseSeeds(text: string): number[] {
  const out: number[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (m) for (let s = Number(m[1]); s <= Number(m[2]); s++) out.push(s);
    else if (/^\d+$/.test(part)) out.push(Number(part));
    else throw new Error(`bad seed list "${text}" (use 1-5 or 1,2,3)`);
  }
  return out;
}

export function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `60s`, `2m`, `1500ms` or a bare number of seconds → milliseconds. */
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`bad duration "${text}"`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function round(x: number | null | undefined, digits = 2): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function outputDir(quick: boolean): string {
  const dir = path.join(REPO_ROOT, 'reports', 'bench', ...(quick ? ['quick'] : []));
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function writeJson(file: string, value: unknown, quiet = false): void {
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
  if (!quiet) process.stdout.write(`wrote ${path.relative(REPO_ROOT, file)}\n`);
}

export function writeText(file: string, text: string, quiet = false): void {
  writeFileSync(file, text);
  if (!quiet) process.stdout.write(`wrote ${path.relative(REPO_ROOT, file)}\n`);
}

/** What the rusage hook writes (see rusage-hook.mjs). */
export interface ChildUsage {
  userCpuMs: number;
  systemCpuMs: number;
  maxRssMB: number;
  heapUsedMB: number;
  /** `Date.now()` and `process.hrtime` (µs) read together at startup, to map wall clock onto CPU-profile time. */
  clockPair: { wallMs: number; monoUs: number };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  usage?: ChildUsage;
}

export interface CliOptions {
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Write the child's rusage to this file (via the preload hook) and return it. */
  usageFile?: string;
  /** Safety net only (never an assertion): kill the child after this long. */
  killAfterMs?: number;
  /** Another checkout's `bin/tenantproof.mjs` (default: this repository's). */
  bin?: string;
}

/** Runs `node bin/tenantproof.mjs …args` as a user would. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const nodeArgs = [...(options.nodeArgs ?? []), ...(options.usageFile ? ['--import', RUSAGE_HOOK] : [])];
  // Another checkout's CLI (a before profile) runs from its own folder.
  const bin = options.bin ?? BIN;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, bin, ...args], {
      cwd: options.bin ? path.dirname(path.dirname(options.bin)) : REPO_ROOT,
      env: {
        ...process.env,
        CI: 'true',
        ...(options.usageFile ? { BENCH_RUSAGE_FILE: options.usageFile } : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 15 * 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: CliRun = { code, signal, stdout, stderr, wallMs: performance.now() - started };
      if (options.usageFile && existsSync(options.usageFile))
        result.usage = JSON.parse(readFileSync(options.usageFile, 'utf8')) as ChildUsage;
      resolve(result);
    });
  });
}

export function tail(run: { stdout: string; stderr: string }, lines = 12): string {
  return `${run.stdout}\n${run.stderr}`
    .trim()
    .split('\n')
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join('\n');
}

/** The newest run folder under an `--out` folder (there is one per CLI run in the benchmarks). */
export function latestRunDir(out: string): string | undefined {
  if (!existsSync(out)) return undefined;
  const runs = readdirSync(out, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'latest')
    .map((d) => d.name)
    .sort();
  const latest = runs.at(-1);
  return latest ? path.join(out, latest) : undefined;
}

/** The parts of evidence.json the benchmarks read (see harness/evidence/evidence-schema.ts). */
export interface EvidenceLite {
  verdict: string;
  method: {
    seed: number;
    requestCount: number;
    interleavedBatchCount: number;
    startedAt: string;
    endedAt: string;
    concurrency?: number;
    tenants: string[];
    tool?: { gitCommit: string | null };
    firstDetection?: { requests: number; elapsedMs: number };
  };
  findings: {
    oracle: string;
    operationId: string;
    exchanges: number[];
    transcriptLines: number[];
    repro: { steps: unknown[] };
    reproduction: { reproduced: number; attempts: number };
  }[];
  negativeControl: { outcome: string };
}

export function readEvidence(runDir: string | undefined): EvidenceLite | undefined {
  if (!runDir) return undefined;
  try {
    return JSON.parse(readFileSync(path.join(runDir, 'evidence.json'), 'utf8')) as EvidenceLite;
  } catch {
    return undefined;
  }
}

/** One transcript line, as far as the benchmarks need it. */
export interface TranscriptExchangeLine {
  line: number;
  at: string;
  type: 'exchange' | 'note';
  exchange?: {
    seq: number;
    tenant: string;
    relation: string;
    operationId: string;
    batch?: number;
    request: { method: string; path: string; headers: Record<string, string>; bodyText?: string };
    response?: { status: number; headers: Record<string, string>; bodyText: string; durationMs: number };
    error?: { code: string };
  };
}

/** Streams transcript.ndjson line by line (it can be large) and calls `fn` for each parsed line. */
export function forEachTranscriptLine(runDir: string, fn: (line: TranscriptExchangeLine) => void): void {
  const buf = readFileSync(path.join(runDir, 'transcript.ndjson'));
  let start = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, start)) {
    fn(JSON.parse(buf.subarray(start, i).toString('utf8')) as TranscriptExchangeLine);
    start = i + 1;
  }
}

export function fmt(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return x.toFixed(digits).replace(/\.0+$/, '');
}

/** The compiled CLI the benchmarks that run `bin/tenantproof.mjs` measure. */
export const DIST_ENTRY = path.join(REPO_ROOT, 'dist', 'harness', 'cli', 'main.js');

/**
 * When dist/ was last built (tsc's build info is rewritten by every build), and the source files
 * under `dirs` changed since: the figures then describe an older build.
 */
export function distFreshness(dirs: readonly string[]): { builtMs: number; newer: string[] } {
  const buildInfo = path.join(REPO_ROOT, 'dist', '.tsbuildinfo');
  const builtMs = statSync(existsSync(buildInfo) ? buildInfo : DIST_ENTRY).mtimeMs;
  const newer: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && statSync(file).mtimeMs > builtMs)
        newer.push(path.relative(REPO_ROOT, file));
    }
  };
  for (const dir of dirs) if (existsSync(path.join(REPO_ROOT, dir))) walk(path.join(REPO_ROOT, dir));
  return { builtMs, newer: newer.sort() };
}
