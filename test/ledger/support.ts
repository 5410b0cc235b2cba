/**
 * A chain of five nightly runs of the embedded CRM, through the real CLI, signed with one vendor key
 * made by `tenantproof keys generate`: clean at v1; the `get-unscoped` fault at v2 and v3; clean at
 * v4; `get-unscoped` again at v5. Each run has its own seed (so the ledger must recognise the same
 * defect across seeds, tenants and ids) and is kept short: a few fast-check runs, a clean verdict
 * at a lowered coverage gate, and the leaky runs stop at their first finding.
 *
 * `buildNightlyChain(dir)` writes the key pair, the five run folders and `chain.json` (what was
 * built) into `dir`, and reuses them when `dir` already holds a complete chain whose folders all
 * still verify, so other tests (a buyer's pack) can share one chain. It builds into a fresh sibling
 * folder and renames it into place, so two callers never see half a chain.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readEvidenceFile } from '../../harness/evidence/evidence-file.ts';
import type { Evidence } from '../../harness/evidence/evidence-schema.ts';
import { verifyRunDir } from '../../harness/evidence/verify.ts';
import { REPO_ROOT, runCli, type CliResult } from '../support/cli.ts';

export const NIGHTLY_CHAIN_DIR = path.join(REPO_ROOT, '.tmp', 'fixtures', 'nightly-chain');

export interface NightlyRun {
  version: string;
  fault?: string;
  seed: number;
  dir: string;
  runId: string;
  startedAt: string;
}

export interface NightlyChain {
  dir: string;
  privateKeyFile: string;
  publicKeyFile: string;
  keyId: string;
  runs: NightlyRun[];
}

/**
 * The clean nights' seeds are ones whose first three fast-check runs reach getCustomer with a
 * foreign id (what the leaky nights find), so the clean runs cover what the incident is about.
 */
const PLAN: ReadonlyArray<{ version: string; fault?: string; seed: number }> = [
  { version: 'v1', seed: 7 },
  { version: 'v2', fault: 'get-unscoped', seed: 102 },
  { version: 'v3', fault: 'get-unscoped', seed: 103 },
  { version: 'v4', seed: 11 },
  { version: 'v5', fault: 'get-unscoped', seed: 105 },
];

/** The flags of one short nightly run. */
function runArgs(night: (typeof PLAN)[number], out: string): string[] {
  return [
    'run',
    '--seed',
    String(night.seed),
    '--budget',
    '120s',
    '--out',
    out,
    '--replays',
    '1',
    '--replay-settle',
    '1ms',
    '--shrink-budget',
    '2s',
    '--checkpoint-every',
    'off',
    ...(night.fault
      ? ['--fault', night.fault, '--runs', '40', '--stop-on-first']
      : // Three fast-check runs probe most operations; the coverage gate is lowered so that is CLEAN.
        ['--runs', '3', '--min-coverage', '0.5']),
  ];
}

/** The environment every command of the chain runs with: the vendor key, nothing else inherited that matters. */
export function chainEnv(
  chain: Pick<NightlyChain, 'privateKeyFile'>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    TENANTPROOF_SIGNING_KEY: readFileSync(chain.privateKeyFile, 'utf8'),
    TENANTPROOF_TARGET_VERSION: '',
    TENANTPROOF_TRUSTED_KEYS: '',
    ...extra,
  };
}

const evidenceDir = (r: CliResult): string => {
  const m = /evidence: (.+?)\/ \(verify/.exec(r.stdout);
  if (!m) throw new Error(`run printed no evidence folder (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return path.resolve(REPO_ROOT, m[1]!);
};

function readChain(dir: string): NightlyChain | undefined {
  const file = path.join(dir, 'chain.json');
  if (!existsSync(file)) return undefined;
  const stored = JSON.parse(readFileSync(file, 'utf8')) as NightlyChain;
  const chain: NightlyChain = {
    ...stored,
    dir,
    privateKeyFile: path.join(dir, stored.privateKeyFile),
    publicKeyFile: path.join(dir, stored.publicKeyFile),
    runs: stored.runs.map((r) => ({ ...r, dir: path.join(dir, r.dir) })),
  };
  const complete =
    chain.runs.length === PLAN.length &&
    chain.runs.every(
      (r, i) => r.version === PLAN[i]!.version && r.seed === PLAN[i]!.seed && r.fault === PLAN[i]!.fault,
    ) &&
    existsSync(chain.privateKeyFile) &&
    chain.runs.every((r) => existsSync(r.dir) && verifyRunDir(r.dir).keyFingerprint === chain.keyId);
  return complete ? chain : undefined;
}

/**
 * Starts `args` and resolves once the run's campaign has begun (its first progress line, or its
 * exit), so the next night's run starts strictly later; `done` resolves with the result.
 */
function startRun(args: string[], env: Record<string, string>): { started: Promise<void>; done: Promise<CliResult> } {
  let began!: () => void;
  const started = new Promise<void>((resolve) => (began = resolve));
  const done = runCli(args, {
    env,
    onSpawn: (child) => {
      let seen = '';
      const watch = (d: Buffer): void => {
        seen += d.toString();
        if (/^tenantproof: search /m.test(seen)) began();
      };
      child.stdout?.on('data', watch);
      child.stderr?.on('data', watch);
    },
  });
  void done.then(
    () => began(),
    () => began(),
  );
  return { started, done };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Test files that share the chain run in parallel workers: the first takes `<dir>.lock` (holding
 * its pid) and builds; the others wait for the lock to go (a lock whose process died is stale and
 * taken over), then reuse what was built.
 */
export async function buildNightlyChain(dir: string = NIGHTLY_CHAIN_DIR): Promise<NightlyChain> {
  const existing = readChain(dir);
  if (existing) return existing;
  mkdirSync(path.dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (owner > 0 && !processAlive(owner)) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 500));
      const built = readChain(dir);
      if (built) return built;
    }
  }
  try {
    return readChain(dir) ?? (await buildChainNow(dir));
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function buildChainNow(dir: string): Promise<NightlyChain> {
  const build = mkdtempSync(`${dir}.building-`);
  try {
    const keys = await runCli(['keys', 'generate', '--out', path.join(build, 'keys')]);
    const keyId = /^key id: ([0-9a-f]{64})$/m.exec(keys.stdout)?.[1];
    if (keys.code !== 0 || !keyId)
      throw new Error(`keys generate failed (${keys.code}):\n${keys.stdout}\n${keys.stderr}`);
    const privateKeyFile = path.join(build, 'keys', 'tenantproof-signing-key.pem');
    const env = chainEnv({ privateKeyFile });

    // Nights overlap: each starts once the previous one's campaign has begun, so their start times
    // (what the ledger orders them by) are in night order while the tails of the runs overlap.
    const pending: Array<Promise<CliResult>> = [];
    for (const night of PLAN) {
      const { started, done } = startRun(runArgs(night, path.join(build, 'runs', night.version)), env);
      pending.push(done);
      await started;
    }
    const results = await Promise.all(pending);
    const runs: NightlyRun[] = results.map((r, i) => {
      const night = PLAN[i]!;
      const want = night.fault ? 1 : 0;
      if (r.code !== want)
        throw new Error(
          `${night.version} (${night.fault ?? 'clean'}) exited ${r.code}, expected ${want}:\n${r.stdout}\n${r.stderr}`,
        );
      const runDir = evidenceDir(r);
      const e: Evidence = readEvidenceFile(runDir);
      return {
        ...night,
        dir: path.relative(build, runDir),
        runId: e.runId,
        startedAt: e.method.startedAt,
      };
    });
    writeFileSync(
      path.join(build, 'chain.json'),
      JSON.stringify(
        {
          keyId,
          privateKeyFile: path.join('keys', 'tenantproof-signing-key.pem'),
          publicKeyFile: path.join('keys', 'tenantproof-public-key.pem'),
          runs,
        },
        null,
        2,
      ) + '\n',
    );
    // Another caller may have built the chain meanwhile: then use theirs.
    const theirs = readChain(dir);
    if (theirs) {
      rmSync(build, { recursive: true, force: true });
      return theirs;
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(build, dir);
  } catch (e) {
    rmSync(build, { recursive: true, force: true });
    throw e;
  }
  const built = readChain(dir);
  if (!built) throw new Error(`the nightly chain in ${dir} does not verify right after it was built`);
  return built;
}
