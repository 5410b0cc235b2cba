/**
 * `tenantproof run`: the main job. Reads the config and flags, analyses the spec, opens the target,
 * provisions tenants, runs the campaign, and writes reports/<runId>/ (evidence, transcript,
 * counterexamples, JUnit, SARIF, manifest and signed attestation), then points reports/latest at it.
 * Exit codes: 0 clean, 1 leak, 2 usage or config error, 3 target unusable or inconclusive,
 * 130/143 interrupted by SIGINT/SIGTERM (the evidence for what ran is still written).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT } from './main.ts';
import type { Exchange, TenantLabel } from '../model/exchange.ts';
import { buildPlan } from '../model/plan.ts';
import { specValueSource } from '../model/spec-value-source.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { SpecError } from '../openapi/spec-error.ts';
import { ProvisioningError, provisionTenants, type TenantCredentials } from '../tenants/index.ts';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import { FingerprintScanner } from '../oracles/scan/fingerprint-scanner.ts';
import { runNegativeControl, type NegativeControlResult } from '../oracles/negative-control.ts';
import { TranscriptWriter, TRANSCRIPT_FILE } from '../evidence/index.ts';
import type { Evidence } from '../evidence/evidence-schema.ts';
import { loadSigningKey } from '../evidence/attestation.ts';
import { SigningKeyError } from '../evidence/errors.ts';
import { runCampaign, type CampaignResult, type ProvisionedTenant } from '../run/campaign.ts';
import { ConfigError, loadConfigFile, resolveConfig, type RunConfig, type UserConfig } from '../run/config.ts';
import { buildEvidence, type EvidenceContext } from '../run/build-evidence.ts';
import { runLiveNegativeControl } from '../run/live-negative-control.ts';
import { configDigest, shardFocus, shardSeed, type Shard } from '../run/shard.ts';
import { writeRunFolder } from '../run/write-run-folder.ts';
import { writeCounterexample } from '../run/counterexample-file.ts';
import { HttpClient } from '../run/http-client.ts';
import { progressReporter, type ProgressReporter } from '../run/progress.ts';
import { recordedCommandLine } from './command-line.ts';
import { pointLatest } from '../run/latest-link.ts';
import { openTarget, TargetError, type Target } from '../run/target.ts';

export const RUN_HELP = `Usage: tenantproof run [options]

Runs an isolation campaign and writes evidence to reports/<runId>/ (reports/latest points at it).

Target and spec:
  --spec FILE            OpenAPI 3.0/3.1 file (default specs/crm.openapi.yaml)
  --target T             embedded (the reference CRM in-process, default) or a base URL
  --fault NAME           switch on a fault in the embedded CRM (repeatable; see tenantproof crm --list-faults)
  --database-url URL     run the embedded CRM on PostgreSQL instead of PGlite
  --pool-size N          PostgreSQL pool size for the embedded CRM
Tenants:
  --provision P          crm-admin (default), file:PATH or module:PATH
  --admin-token T        admin token for crm-admin on a URL target (or CRM_ADMIN_TOKEN)
  --tenants N            tenants per run, at least 2 (default 4)
Campaign:
  --budget D             search time, e.g. 60s, 5m, 30m (default 60s)
  --shrink-budget D      time to shrink a failure (default 20s)
  --runs N               stop after N runs even if budget remains
  --seed N               fast-check seed (default random; printed, and in the evidence)
  --concurrency N        largest concurrent batch (default 4)
  --lanes N              independent searches side by side, each on fresh tenants (default 1;
                         needs crm-admin provisioning); more requests in flight
  --max-rps N            ceiling on requests per second (protects shared staging)
  --request-timeout D    per-request timeout (default 10s)
  --replays N            replays of the minimal counterexample (default 5)
  --shard i/n            run slice i of n of one campaign (own seed and operation focus per
                         shard; combine the n folders with \`tenantproof merge\`)
  --cleanup              after each run, delete what it created where the spec has a delete
                         operation (for shared staging)
Output:
  --out DIR              parent folder of run folders (default reports)
  --pdf                  also print report.pdf with headless Chromium (/usr/bin/chromium)
  --checkpoint-every D   re-seal the evidence as partial this often while running, so a killed
                         job still leaves a verifiable folder (default 15s; off to disable)
  --config FILE          settings file (default ./tenantproof.config.ts if present)
  --help                 this text

Exit codes: 0 clean, 1 leak found, 2 usage or config error, 3 target unusable or
inconclusive, 130/143 interrupted (evidence for what ran is still written).`;

const FLAGS = {
  config: { type: 'string' },
  spec: { type: 'string' },
  target: { type: 'string' },
  fault: { type: 'string', multiple: true },
  'database-url': { type: 'string' },
  'pool-size': { type: 'string' },
  provision: { type: 'string' },
  'admin-token': { type: 'string' },
  tenants: { type: 'string' },
  runs: { type: 'string' },
  budget: { type: 'string' },
  'shrink-budget': { type: 'string' },
  seed: { type: 'string' },
  concurrency: { type: 'string' },
  lanes: { type: 'string' },
  'max-rps': { type: 'string' },
  'request-timeout': { type: 'string' },
  replays: { type: 'string' },
  out: { type: 'string' },
  pdf: { type: 'boolean' },
  shard: { type: 'string' },
  cleanup: { type: 'boolean' },
  'checkpoint-every': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function toInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new ConfigError(`--${name} takes a whole number, not "${v}"`);
  return Number(v);
}

export function flagsToConfig(values: Record<string, string | string[] | boolean | undefined>): UserConfig {
  const s = (k: string): string | undefined => values[k] as string | undefined;
  const c: UserConfig = {};
  if (s('spec')) c.spec = s('spec')!;
  if (s('target')) c.target = s('target')!;
  if (values['fault']) c.faults = (values['fault'] as string[]).flatMap((f) => f.split(',')).filter(Boolean);
  if (s('database-url')) c.databaseUrl = s('database-url')!;
  if (s('provision')) c.provision = s('provision')!;
  if (s('admin-token')) c.adminToken = s('admin-token')!;
  if (s('budget')) c.budget = s('budget')!;
  if (s('shrink-budget')) c.shrinkBudget = s('shrink-budget')!;
  if (s('request-timeout')) c.requestTimeout = s('request-timeout')!;
  if (s('out')) c.out = s('out')!;
  if (values['pdf'] === true) c.pdf = true;
  if (values['cleanup'] === true) c.cleanup = true;
  if (s('shard')) c.shard = s('shard')!;
  if (s('checkpoint-every')) c.checkpointEvery = s('checkpoint-every')!;
  const ints: [string, keyof UserConfig][] = [
    ['pool-size', 'poolSize'],
    ['tenants', 'tenants'],
    ['runs', 'runs'],
    ['seed', 'seed'],
    ['concurrency', 'concurrency'],
    ['lanes', 'lanes'],
    ['max-rps', 'maxRps'],
    ['replays', 'replays'],
  ];
  for (const [flag, key] of ints) {
    const v = toInt(flag, s(flag));
    if (v !== undefined) (c as Record<string, unknown>)[key] = v;
  }
  return c;
}

export async function main(argv: string[]): Promise<number> {
  let config: RunConfig;
  try {
    const { values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true });
    if (values.help) {
      process.stdout.write(RUN_HELP + '\n');
      return EXIT.clean;
    }
    const file = values.config ?? (existsSync('tenantproof.config.ts') ? 'tenantproof.config.ts' : undefined);
    const fromFile = file ? await loadConfigFile(file) : {};
    config = resolveConfig(fromFile, flagsToConfig(values));
  } catch (err) {
    process.stderr.write(
      `tenantproof run: ${(err as Error).message}\n\nRun \`tenantproof run --help\` for the options.\n`,
    );
    return EXIT.usage;
  }
  return (await runWithConfig(config, recordedCommandLine(['run', ...argv]))).code;
}

function gitCommit(): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function runIdFor(seed: number, shard?: Shard): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return `${t}-s${seed}${shard ? `-shard${shard.index}of${shard.count}` : ''}-${randomBytes(2).toString('hex')}`;
}

export interface RunOptions {
  /** No progress lines and no summary on the terminal (errors are still told); for tenantproof/vitest. */
  quiet?: boolean;
}

export interface RunOutcome {
  /** The process exit code the run stands for (see EXIT). */
  code: number;
  /** The run folder, when one was written. */
  dir?: string;
  evidence?: Evidence;
}

/** `commandLine` goes into the evidence as is: it must already be free of secrets (see recordedCommandLine). */
export async function runWithConfig(
  config: RunConfig,
  commandLine: string,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const err = (m: string): void => {
    process.stderr.write(`tenantproof run: ${m}\n`);
  };
  // 1. The spec.
  let model;
  try {
    model = await analyzeSpecFile(config.spec);
  } catch (e) {
    if (e instanceof SpecError) {
      err(e.message);
      return { code: EXIT.usage };
    }
    throw e;
  }
  const plan = buildPlan(model);
  if (plan.inScope.length === 0) {
    err(
      `nothing in ${config.spec} can be tested: ${plan.outOfScope.map((o) => `${o.operationId} (${o.reason})`).join('; ') || 'no operations'}. \`tenantproof inspect\` shows why.`,
    );
    return { code: EXIT.usage };
  }
  const specSha256 = createHash('sha256').update(readFileSync(config.spec)).digest('hex');

  // 2. Signing key (fail before any traffic if TENANTPROOF_SIGNING_KEY is malformed).
  let key;
  try {
    key = loadSigningKey();
  } catch (e) {
    if (e instanceof SigningKeyError) {
      err(e.message);
      return { code: EXIT.usage };
    }
    throw e;
  }

  // 3. The target.
  let target: Target;
  try {
    target = await openTarget({
      target: config.target,
      faults: config.faults,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.poolSize ? { poolSize: config.poolSize } : {}),
      timeoutMs: config.requestTimeoutMs,
    });
  } catch (e) {
    if (e instanceof TargetError) {
      err(e.message);
      return { code: e.kind === 'usage' ? EXIT.usage : EXIT.targetUnusable };
    }
    throw e;
  }

  // 4. Sharding: this job's seed and operation focus; the digest every shard of the campaign shares.
  const baseSeed = config.seed;
  const seed = config.shard ? shardSeed(baseSeed, config.shard) : baseSeed;
  const focus = config.shard
    ? shardFocus(
        plan.inScope.map((p) => p.op.operationId),
        config.shard,
      )
    : undefined;
  const targetRef: Evidence['scope']['target'] =
    target.kind === 'embedded'
      ? { kind: 'embedded', url: target.url, faults: target.faults }
      : { kind: 'url', url: stripCredentials(target.url) };
  const digest = configDigest({
    spec: specSha256,
    target:
      target.kind === 'embedded'
        ? {
            kind: 'embedded',
            faults: [...target.faults].sort(),
            database: config.databaseUrl ? 'postgresql' : 'pglite',
          }
        : { kind: 'url', url: targetRef.url },
    provision: config.provision.split(':')[0],
    tenants: config.tenants,
    budgetMs: config.budgetMs,
    shrinkBudgetMs: config.shrinkBudgetMs,
    runs: config.runs ?? null,
    maxCommands: config.maxCommands,
    concurrency: config.concurrency,
    lanes: config.lanes,
    replays: config.replays,
    baseSeed,
    shards: config.shard?.count ?? 1,
    tool: toolVersion(),
  });

  const runId = runIdFor(seed, config.shard);
  const dir = path.resolve(config.out, runId);
  mkdirSync(path.join(dir, 'counterexamples'), { recursive: true });
  const adminToken = config.adminToken ?? target.adminToken ?? process.env['CRM_ADMIN_TOKEN'];
  const transcript = new TranscriptWriter(path.join(dir, TRANSCRIPT_FILE), { secrets: adminToken ? [adminToken] : [] });
  const lineOf = new Map<number, number>();
  let carrier: Exchange | undefined;

  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled) {
      process.stderr.write(
        '\ntenantproof: second signal, exiting now; the transcript is complete up to here, and the last checkpoint is sealed.\n',
      );
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    signalled = sig;
    process.stderr.write(
      `\ntenantproof: ${sig} received; finishing the evidence for what ran (again to quit at once).\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const fresh = config.provision === 'crm-admin';
  let cached: ProvisionedTenant[] | undefined;
  const provision = async (count: number, run: number): Promise<ProvisionedTenant[]> => {
    if (!fresh && cached) return cached;
    const fromFile = config.provision.startsWith('file:');
    const creds: TenantCredentials[] = await provisionTenants(config.provision, {
      ...(fromFile && !config.tenantsGiven ? {} : { count }),
      baseUrl: target.url,
      ...(adminToken ? { adminToken } : {}),
      runTag: `${runId}-r${run}`,
      timeoutMs: config.requestTimeoutMs,
    });
    for (const c of creds) for (const s of c.secrets) transcript.addSecret(s);
    const tenants = creds.map((c) => ({ label: c.label, headers: { ...c.headers }, tenantId: c.id }));
    cached = tenants;
    return tenants;
  };

  const labels = (): TenantLabel[] => Array.from({ length: config.tenants }, (_, i) => `T${i + 1}`);
  const evidenceContext = (negativeControl: NegativeControlResult, counterexampleFile?: string): EvidenceContext => ({
    runId,
    model,
    plan,
    specFile: config.spec,
    specSha256,
    target: targetRef,
    tool: { version: toolVersion(), gitCommit: gitCommit() },
    budgetMs: config.budgetMs,
    ...(config.runs ? { maxRuns: config.runs } : {}),
    tenants: labels(),
    concurrency: config.concurrency,
    lanes: config.lanes,
    ...(config.shard ? { shard: { ...config.shard, baseSeed, focus: focus ?? [] } } : {}),
    configDigest: digest,
    ...(signalled ? { partialReason: `stopped by ${signalled}` } : {}),
    negativeControl,
    transcriptLineOf: (s) => lineOf.get(s),
    ...(counterexampleFile ? { counterexampleFile } : {}),
    signing: { algorithm: 'ed25519', keyFingerprint: key.fingerprint, keyOrigin: key.origin },
  });
  const warn = (m: string): void => {
    process.stderr.write(`tenantproof: ${m}\n`);
  };

  // Checkpoints: while the campaign runs, the folder is re-sealed every few seconds as a partial
  // run, so a CI job killed at any moment (even by SIGKILL) leaves verifiable evidence.
  let snapshot: (() => CampaignResult) | undefined;
  let checkpointing: Promise<unknown> | undefined;
  let checkpoints = 0;
  const checkpoint = (): void => {
    if (!snapshot || checkpointing) return;
    const result = {
      ...snapshot(),
      reason: `the run did not finish; this checkpoint was sealed at ${new Date().toISOString()}`,
    };
    const pending: NegativeControlResult = {
      outcome: 'skipped',
      detail: 'the negative control runs after the campaign; this checkpoint was sealed before it',
      oracles: [],
    };
    checkpointing = writeRunFolder({
      dir,
      key,
      result,
      evidence: { ...evidenceContext(pending), partialReason: result.reason },
      commandLine,
      spec: { file: config.spec, sha256: specSha256 },
      transcript,
      final: false,
      warn,
    })
      .then(() => checkpoints++)
      .catch((e: unknown) => warn(`checkpoint could not be sealed: ${(e as Error).message}`))
      .finally(() => {
        checkpointing = undefined;
      });
  };
  const timer = config.checkpointEveryMs > 0 ? setInterval(checkpoint, config.checkpointEveryMs) : undefined;
  timer?.unref();

  const progress: ProgressReporter = options.quiet
    ? { update: () => {}, done: () => {} }
    : progressReporter(process.stderr, config.budgetMs);
  const client = new HttpClient({
    baseURL: target.url,
    timeoutMs: config.requestTimeoutMs,
    maxBodyBytes: 8 * 1024 * 1024,
    maxThrottleRetries: 5,
    maxRetryAfterMs: 30_000,
    ...(config.maxRps ? { maxRps: config.maxRps } : {}),
  });
  const values = specValueSource(model, runId);
  let seq = 0;
  let result: CampaignResult | undefined;
  let negativeControl: NegativeControlResult | undefined;
  let exit: number = EXIT.clean;
  try {
    process.stderr.write(
      `tenantproof: run ${runId}, seed ${seed}${config.shard ? ` (shard ${config.shard.index}/${config.shard.count} of base seed ${baseSeed})` : ''}, target ${target.kind === 'embedded' ? `embedded CRM${target.faults.length ? ` with ${target.faults.join(', ')}` : ''}` : target.url}, ${plan.inScope.length} operations, budget ${config.budgetMs / 1000}s\n`,
    );
    // Fail fast, with a clear message, on bad credentials; a credentials file sets the tenant count.
    config = { ...config, tenants: (await provision(config.tenants, 0)).length };
    result = await runCampaign({
      plan,
      values,
      client,
      provision,
      freshTenants: fresh,
      tenants: config.tenants,
      seed,
      budgetMs: config.budgetMs,
      shrinkBudgetMs: config.shrinkBudgetMs,
      ...(config.runs ? { maxRuns: config.runs } : {}),
      maxCommands: config.maxCommands,
      maxBatch: config.concurrency,
      lanes: config.lanes,
      pageSize: 2,
      replays: config.replays,
      signal: controller.signal,
      ...(focus ? { focus: new Set(focus) } : {}),
      cleanup: config.cleanup,
      onSnapshot: (s) => {
        snapshot = s;
      },
      onExchange: (ex) => {
        seq = Math.max(seq, ex.seq);
        lineOf.set(ex.seq, transcript.appendExchange(ex));
        if (
          !carrier &&
          ex.relation === 'own' &&
          ex.request.method === 'GET' &&
          ex.response?.status === 200 &&
          ex.response.json !== undefined
        )
          carrier = ex;
      },
      onProgress: (p) => progress.update(p),
    });
    if (timer) clearInterval(timer);
    // The negative control, on live traffic, when the target is still usable and the run was not stopped.
    if (result.status === 'clean' || result.status === 'leak') {
      transcript.appendNote('negative control: begin (responses altered in-process carry x-tenantproof-planted)');
      negativeControl = await runLiveNegativeControl({
        plan,
        values,
        client,
        tenants: (await provision(2, -1)).slice(0, 2),
        freshTenants: fresh,
        seed,
        signal: controller.signal,
        nextSeq: () => ++seq,
        onExchange: (ex) => {
          lineOf.set(ex.seq, transcript.appendExchange(ex));
        },
      });
      transcript.appendNote(`negative control: end, ${negativeControl.outcome}`);
      if (negativeControl.outcome === 'skipped')
        negativeControl = {
          ...negativeControlFor(carrier, labels()),
          detail: `${negativeControl.detail ?? ''}; planted into a copy of a recorded response instead`.replace(
            /^; /,
            '',
          ),
        };
    }
  } catch (e) {
    progress.done();
    if (e instanceof ProvisioningError) {
      err(`provisioning failed: ${e.message}`);
      exit = e.kind === 'config' ? EXIT.usage : EXIT.targetUnusable;
    } else {
      if (timer) clearInterval(timer);
      await checkpointing;
      transcript.close();
      await target.close();
      throw e;
    }
  } finally {
    if (timer) clearInterval(timer);
    progress.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await checkpointing;
  transcript.close();
  client.close();
  await target.close();
  if (!result) {
    rmSync(dir, { recursive: true, force: true });
    return { code: exit };
  }
  negativeControl ??= {
    outcome: 'skipped',
    detail:
      result.status === 'interrupted'
        ? 'the run was stopped before the negative control'
        : 'the target was unusable, so the negative control did not run',
    oracles: [],
  };

  let counterexampleFile: string | undefined;
  if (result.counterexample) {
    writeCounterexample(path.join(dir, 'counterexamples'), 1, {
      runId,
      oracle: result.counterexample.oracle,
      specFile: config.spec,
      specSha256,
      target:
        target.kind === 'embedded' ? { kind: 'embedded', faults: target.faults } : { kind: 'url', url: target.url },
      provision: config.provision,
      tenants: config.tenants,
      seed: result.fcSeed ?? result.seed,
      ...(result.fcPath ? { fcPath: result.fcPath } : {}),
      commands: result.counterexample.commands,
      steps: result.counterexample.steps,
      findings: result.counterexample.findings,
      ...(result.reproduction ? { reproduction: result.reproduction } : {}),
    });
    counterexampleFile = 'counterexamples/1.json';
  }
  const preliminary = buildEvidence(result, evidenceContext(negativeControl, counterexampleFile));
  const code = exitCodeFor(preliminary.verdict, result, signalled);
  const evidence = await writeRunFolder({
    dir,
    key,
    result,
    evidence: evidenceContext(negativeControl, counterexampleFile),
    commandLine,
    spec: { file: config.spec, sha256: specSha256 },
    transcript,
    final: true,
    exitCode: code,
    pdf: config.pdf,
    warn,
  });
  pointLatest(path.resolve(config.out), runId);
  if (!options.quiet) printSummary(evidence, result, dir, code, checkpoints, fresh);
  return { code, dir, evidence };
}

function negativeControlFor(carrier: Exchange | undefined, labels: TenantLabel[]): NegativeControlResult {
  if (!carrier)
    return { outcome: 'skipped', detail: 'no response suitable to carry a planted value was recorded', oracles: [] };
  const registry = new FingerprintRegistry();
  const other = labels.find((l) => l !== carrier.tenant) ?? 'T2';
  const value = `tp${other}negctl${randomBytes(5).toString('hex')}`;
  registry.register(value, other, 'canary', 'negative-control');
  return runNegativeControl({
    scanner: new FingerprintScanner(registry),
    ownerOf: (v) => registry.ownerOf(v),
    carrier,
    planted: { value, owner: other },
  });
}

function exitCodeFor(verdict: string, result: CampaignResult, signalled: NodeJS.Signals | undefined): number {
  if (verdict === 'leak') return EXIT.leak;
  if (signalled) return signalled === 'SIGINT' ? 130 : 143;
  if (verdict === 'inconclusive' || result.status === 'target-unusable') return EXIT.targetUnusable;
  return EXIT.clean;
}

function stripCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function printSummary(
  evidence: Evidence,
  result: CampaignResult,
  dir: string,
  code: number,
  checkpoints: number,
  fresh: boolean,
): void {
  const out = process.stdout;
  const verdict = {
    clean: 'CLEAN: no isolation leak found',
    leak: 'LEAK: isolation broken',
    inconclusive: 'INCONCLUSIVE: the run cannot support a verdict',
  }[evidence.verdict];
  out.write(`\n${verdict}\n`);
  out.write(
    `  ${result.runs} runs, ${result.requests} requests, ${result.batches} concurrent batches, seed ${result.seed}${evidence.method.partial ? ` (partial: ${evidence.method.partialReason})` : ''}\n`,
  );
  if (result.reason && result.reason !== evidence.method.partialReason) out.write(`  ${result.reason}\n`);
  for (const f of evidence.findings) {
    out.write(`  [${f.oracle}] ${f.severity} ${f.operationId}: ${f.summary}\n`);
  }
  if (result.counterexample) {
    const r = result.reproduction;
    out.write(
      `  minimal repro: ${result.counterexample.steps.length} step(s); reproduced ${r?.reproduced ?? 0}/${r?.attempts ?? 0} ${fresh ? 'on fresh tenants' : 'on the same tenants (file: or module: provisioning reuses them, so earlier data persists)'}\n`,
    );
    out.write(
      `  replay: npx tenantproof replay ${path.relative(process.cwd(), path.join(dir, 'counterexamples', '1.json'))}\n`,
    );
  }
  out.write(
    `  negative control: ${evidence.negativeControl.outcome}${evidence.negativeControl.detail ? ` (${evidence.negativeControl.detail})` : ''}\n`,
  );
  if (result.cleanup)
    out.write(
      `  cleanup: ${result.cleanup.deleted} records deleted, ${result.cleanup.failed} refused, ${result.cleanup.undeletable} without a delete operation\n`,
    );
  if (checkpoints > 0) out.write(`  ${checkpoints} checkpoint seal(s) written while running\n`);
  out.write(
    `  evidence: ${path.relative(process.cwd(), dir)}/ (verify with \`npx tenantproof verify ${path.relative(process.cwd(), dir)}\`)\n`,
  );
  out.write(`  exit code ${code}\n`);
}
