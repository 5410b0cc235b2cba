/**
 * `tenantproof run` against hostile targets: a correct API (Tracklet, examples/third-party) behind
 * a proxy that misbehaves on the wire in one way per case (test/support/hostile-proxy.ts). Each
 * case runs the real CLI in a child process and checks what the issue promises:
 *
 *   - the documented exit code (0 clean, 3 inconclusive: never 1, since nothing leaks; never 4);
 *   - wall time within budget + shrink budget + 60 s (the run's own wall limit enforces it);
 *   - peak RSS under 400 MB (read by the child itself at exit: bench/support/rusage-hook.mjs);
 *   - a run folder that `tenantproof verify` accepts;
 *   - no credential on disk in any encoding (exact, base64 and base64url with or without padding,
 *     percent-encoded, hex, JSON-escaped), for every credential the proxy saw go by;
 *   - the redirect is never followed (its trap server gets no request, so no credential leaves).
 *
 * Heavy (a campaign per case), so it runs from `.ci/run` as `npm run test:hostile`, not in `npm test`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThirdParty, type ThirdPartyServer } from '../../examples/third-party/server.ts';
import { BIN, REPO_ROOT, runCli } from '../support/cli.ts';
import { startHostileProxy, type HostileMode } from '../support/hostile-proxy.ts';

const BUDGET_S = 8;
const SHRINK_S = 10;
/** The promise: budget + shrink budget + 60 s. */
const WALL_LIMIT_MS = (BUDGET_S + SHRINK_S + 60) * 1000;
const RSS_LIMIT_MB = 400;

interface Case {
  mode: HostileMode;
  exit: 0 | 3;
  /** What the inconclusive verdict must name as its reason. */
  reason?: RegExp;
}

const CASES: Case[] = [
  { mode: 'slow-drip', exit: 3, reason: /no usable answer to \d+ of \d+ requests \(TIMEOUT×\d+\)/ },
  { mode: 'length-lie', exit: 3, reason: /no usable answer to \d+ of \d+ requests \(truncated×\d+\)/ },
  { mode: 'huge-body', exit: 3, reason: /no usable answer to \d+ of \d+ requests \(truncated×\d+\)/ },
  { mode: 'invalid-json', exit: 3, reason: /no usable answer to \d+ of \d+ requests \(unparseable body×\d+\)/ },
  { mode: 'mislabelled', exit: 0 },
  { mode: 'redirect', exit: 3, reason: /no usable answer to \d+ of \d+ requests \(redirect 307×\d+\)/ },
  { mode: 'echo-secrets', exit: 0 },
];

/** Every form a secret may take on disk; written out here, independently of the redactor's own list. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const b64 = bytes.toString('base64');
  const b64url = bytes.toString('base64url');
  const pct = encodeURIComponent(secret);
  return [
    secret,
    b64,
    b64.replace(/=+$/, ''),
    b64url,
    b64url.padEnd(Math.ceil(b64url.length / 4) * 4, '='),
    pct,
    pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    JSON.stringify(secret).slice(1, -1),
  ];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

interface Outcome {
  code: number | null;
  wallMs: number;
  rssMB: number;
  stderr: string;
  dir: string;
}

/** The CLI in a child that reports its own peak RSS at exit. */
function runCampaign(target: string, out: string): Promise<Outcome> {
  const rusage = path.join(out, '..', `${path.basename(out)}-rusage.json`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        path.join(REPO_ROOT, 'bench', 'support', 'rusage-hook.mjs'),
        BIN,
        'run',
        '--target',
        target,
        '--spec',
        'examples/third-party/openapi.yaml',
        '--provision',
        'module:examples/third-party/provision.ts',
        '--budget',
        `${BUDGET_S}s`,
        '--shrink-budget',
        `${SHRINK_S}s`,
        '--seed',
        '1',
        '--out',
        out,
      ],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, CI: 'true', BENCH_RUSAGE_FILE: rusage },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A safety net far past the promise, so a broken limit fails the wall assertion, not the runner.
    const timer = setTimeout(() => child.kill('SIGKILL'), WALL_LIMIT_MS * 3);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = Date.now() - started;
      const runs = readdirSync(out).filter((n) => n !== 'latest');
      const rssMB = (JSON.parse(readFileSync(rusage, 'utf8')) as { maxRssMB: number }).maxRssMB;
      resolve({ code, wallMs, rssMB, stderr, dir: path.join(out, runs[0] ?? '') });
    });
  });
}

let api: ThirdPartyServer;
let work: string;
beforeAll(async () => {
  api = await startThirdParty({});
  work = mkdtempSync(path.join(tmpdir(), 'tp-hostile-'));
});
afterAll(async () => {
  await api?.close();
});

describe.concurrent('tenantproof run against a hostile target', () => {
  it.each(CASES)('$mode: exit $exit, bounded, verifiable, no secret on disk', async ({ mode, exit, reason }) => {
    const proxy = await startHostileProxy(api.url, mode);
    try {
      const out = path.join(work, mode);
      const run = await runCampaign(proxy.url, out);
      const context = `${mode}: exit ${run.code}, ${Math.round(run.wallMs / 1000)} s, ${Math.round(run.rssMB)} MB\n${run.stderr.slice(-3000)}`;
      expect(run.code, context).toBe(exit);
      expect(run.wallMs, context).toBeLessThanOrEqual(WALL_LIMIT_MS);
      expect(run.rssMB, context).toBeLessThan(RSS_LIMIT_MB);

      const evidence = JSON.parse(readFileSync(path.join(run.dir, 'evidence.json'), 'utf8')) as {
        verdict: string;
        verdictReason?: string;
        findings: unknown[];
      };
      expect(evidence.verdict).toBe(exit === 0 ? 'clean' : 'inconclusive');
      if (reason) expect(evidence.verdictReason).toMatch(reason);

      const verify = await runCli(['verify', run.dir]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);

      // The proxy saw every credential the harness sent; none may be on disk in any form.
      expect(proxy.secrets.size).toBeGreaterThan(0);
      const forms = [...proxy.secrets].filter((s) => s.length >= 8).flatMap(encodings);
      const onDisk: string[] = [];
      for (const file of filesUnder(run.dir)) {
        const text = readFileSync(file).toString('latin1');
        for (const form of forms) if (text.includes(form)) onDisk.push(`${path.relative(run.dir, file)}: ${form}`);
      }
      expect(onDisk).toEqual([]);

      if (mode === 'redirect') expect(proxy.trapped).toBe(0);
      // The echoes were recorded (redacted), not dropped: the header names are in the transcript.
      if (mode === 'echo-secrets')
        expect(readFileSync(path.join(run.dir, 'transcript.ndjson'), 'utf8')).toContain('x-debug-token-hex');
      // The misbehaviour really happened (a proxy that altered nothing proves nothing).
      expect(proxy.altered).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });
});
