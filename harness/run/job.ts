/**
 * One `tenantproof run` job, after its settings are resolved:
 *
 *   prepareJob → tenants → runCampaign (sealed at checkpoints) → negative control → run folder
 *
 * It writes reports/<runId>/ (evidence, transcript, counterexamples, JUnit, SARIF, report, manifest,
 * signed attestation) and points reports/latest at it. Problems before the campaign are thrown as
 * TenantproofErrors (the CLI reports them); a provisioning failure during the campaign ends it with
 * that error's exit code.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { InternalError } from '../errors.ts';
import { EXIT, exitCodeForSignal, exitCodeForVerdict, type ExitCode } from '../exit-codes.ts';
import { TranscriptWriter, TRANSCRIPT_FILE } from '../evidence/index.ts';
import type { Evidence } from '../evidence/evidence-schema.ts';
import { systemClock, type Clock } from '../evidence/clock.ts';
import type { Exchange } from '../model/exchange.ts';
import { specValueSource } from '../model/spec-value-source.ts';
import { parseTenantField } from '../openapi/tenant-fields.ts';
import type { NegativeControlResult } from '../oracles/negative-control.ts';
import { ProvisioningError } from '../tenants/index.ts';
import { buildEvidence, type EvidenceContext } from './build-evidence.ts';
import { runCampaign } from './campaign.ts';
import type { CampaignFinding, CampaignOptions, CampaignProgress, CampaignResult } from './campaign-types.ts';
import { CheckpointSealer } from './checkpoint-sealer.ts';
import { writeCounterexample } from './counterexample-file.ts';
import { HttpClient } from './http-client.ts';
import { prepareJob, type JobSetup } from './job-setup.ts';
import { jobProvisioner, type JobProvisioner } from './job-provisioner.ts';
import { pointLatest } from './latest-link.ts';
import { runLiveNegativeControl } from './live-negative-control.ts';
import { progressReporter, type ProgressReporter } from './progress.ts';
import { canCarry, recordedNegativeControl } from './recorded-negative-control.ts';
import { printSummary } from './run-summary.ts';
import { campaignScope } from '../model/scope.ts';
import { coverageSummary } from './coverage-summary.ts';
import type { RunConfig } from './settings.ts';
import { SignalGuard } from './signals.ts';
import { WallLimit } from './wall-limit.ts';
import { writeRunFolder } from './write-run-folder.ts';
import { cleanupPool } from './pool-cleanup.ts';
import { startStatsLines, statsInterval } from './stats-line.ts';
import { defaultPoolTenants, TenantPool } from './tenant-pool.ts';

/** Tenants a run provisions when the config does not say. */
export const DEFAULT_TENANTS = 4;

export interface RunOptions {
  /** No progress lines and no summary on the terminal (errors are still told); for tenantproof/vitest. */
  quiet?: boolean;
  /**
   * The time the run records: its id, start and end (so `assessedAt` and `validUntil`), the
   * transcript's `at`, checkpoint times, the report's age. Default: the system clock. Budgets and
   * deadlines never read it. Tests set it to build and sign a run dated in the past through the real
   * code path (see evidence/clock.ts); no flag or environment variable sets it.
   */
  clock?: Clock;
}

export interface RunOutcome {
  code: ExitCode;
  /** The run folder, when one was written. */
  dir?: string;
  evidence?: Evidence;
}

/** Where a run that stopped on a bug of tenantproof keeps the stack trace (sealed with the rest). */
export const INTERNAL_ERROR_LOG = 'internal-error.log';

const SKIPPED_CONTROL: Record<string, string> = {
  interrupted: 'the run was stopped before the negative control',
  'target-unusable': 'the target was unusable, so the negative control did not run',
};

/** `commandLine` goes into the evidence as is: it must already be free of secrets (see recordedCommandLine). */
export async function runJob(config: RunConfig, commandLine: string, options: RunOptions = {}): Promise<RunOutcome> {
  // The wall limit counts from here: opening the target and parsing the spec are part of the run.
  const wall = new WallLimit(config.budget, config.shrinkBudget);
  // Signals are handled from the first line on (the run's id and target, printed before the target
  // starts): a SIGINT while the embedded CRM boots ends the run as interrupted, like any other.
  const signals = new SignalGuard().install();
  const clock = options.clock ?? systemClock;
  let setup: JobSetup;
  try {
    setup = await prepareJob(
      config,
      options.quiet ? undefined : (message) => process.stderr.write(`tenantproof: ${message}\n`),
      clock,
    );
  } catch (err) {
    wall.dispose();
    signals.uninstall();
    throw err;
  }
  const transcript = new TranscriptWriter(path.join(setup.dir, TRANSCRIPT_FILE), {
    secrets: setup.adminToken ? [setup.adminToken] : [],
    now: clock,
  });
  const tenants = jobProvisioner(config, {
    baseUrl: setup.target.url,
    runId: setup.runId,
    transcript,
    ...(setup.adminToken ? { adminToken: setup.adminToken } : {}),
  });
  const job = new Job(config, setup, transcript, tenants, commandLine, options, wall, signals);
  return job.run();
}

class Job {
  private readonly lineOf = new Map<number, number>();
  /** A signal (SIGINT/SIGTERM) or the wall limit: whichever comes first stops the run. */
  private readonly stop: AbortSignal;
  private readonly sealer: CheckpointSealer;
  private readonly progress: ProgressReporter;
  private readonly client: HttpClient;
  private snapshot: (() => CampaignResult) | undefined;
  private carrier: Exchange | undefined;
  private tenantCount: number;
  private tenantIdsKnown = false;
  private seq = 0;
  private readonly clock: Clock;
  /** The long-lived tenants of the search runs (none when the settings or the provisioning rule them out). */
  private pool: TenantPool | undefined;
  private lastProgress: CampaignProgress | undefined;

  constructor(
    private readonly config: RunConfig,
    private readonly s: JobSetup,
    private readonly transcript: TranscriptWriter,
    private readonly tenants: JobProvisioner,
    private readonly commandLine: string,
    private readonly options: RunOptions,
    private readonly wall: WallLimit,
    /** Installed by runJob before the target starts; uninstalled when the run ends. */
    private readonly signals: SignalGuard,
  ) {
    this.stop = AbortSignal.any([this.signals.signal, wall.signal]);
    this.clock = options.clock ?? systemClock;
    this.tenantCount = config.tenants ?? DEFAULT_TENANTS;
    this.sealer = new CheckpointSealer(
      () => this.sealCheckpoint(),
      (m) => this.warn(m),
    );
    this.progress = options.quiet
      ? { update: () => {}, done: () => {} }
      : progressReporter(process.stderr, config.budget);
    this.client = new HttpClient({
      baseURL: s.target.url,
      timeoutMs: config.requestTimeout,
      maxBodyBytes: config.maxResponseSize,
      maxThrottleRetries: 5,
      // A server's Retry-After is honoured up to two minutes (requests never wait past the phase's deadline).
      maxRetryAfterMs: 120_000,
      ...(config.maxRps ? { maxRps: config.maxRps } : {}),
    });
  }

  async run(): Promise<RunOutcome> {
    let result: CampaignResult | undefined;
    let control: NegativeControlResult | undefined;
    let failure: ProvisioningError | undefined;
    let crash: unknown;
    this.sealer.start(this.config.checkpointEvery);
    try {
      // Fail fast, with a clear message, on bad credentials; a credentials file sets the tenant count.
      const first = await this.tenants.provision(this.tenantCount, 0);
      this.tenantCount = first.length;
      this.tenantIdsKnown = first.every((t) => t.tenantId !== undefined);
      const every = statsInterval();
      const stopStats = every ? startStatsLines(every, () => this.lastProgress) : undefined;
      try {
        result = await this.campaign();
      } finally {
        stopStats?.();
      }
      await this.sealer.stop();
      if (result.status === 'clean' || result.status === 'findings') control = await this.negativeControl();
    } catch (e) {
      if (e instanceof ProvisioningError) failure = e;
      else crash = e;
    } finally {
      await this.sealer.stop();
      this.progress.done();
      this.signals.uninstall();
      this.wall.dispose();
      this.transcript.close();
      this.client.close();
      await this.s.target.close();
    }
    if (crash !== undefined) await this.sealAfterCrash(crash);
    if (failure && result) {
      // The campaign finished; the negative control could not get its tenants.
      control = { outcome: 'skipped', detail: `tenant provisioning failed: ${failure.message}`, oracles: [] };
    } else if (failure || !result) {
      // Provisioning failed. Evidence is never deleted: once the campaign began, what it recorded
      // is sealed as an inconclusive run that says why. Only a folder that holds nothing (the first
      // tenants could not be made, and no request went out) is removed, and the error says why.
      if (!this.snapshot) {
        if (this.transcript.lineCount === 0) rmSync(this.s.dir, { recursive: true, force: true });
        throw failure;
      }
      const reason = `tenant provisioning failed during the campaign: ${failure?.message ?? 'unknown error'}`;
      this.warn(reason);
      result = { ...this.snapshot(), status: 'target-unusable', reason };
    }
    return this.finish(
      result,
      control ?? { outcome: 'skipped', detail: SKIPPED_CONTROL[result.status] ?? '', oracles: [] },
    );
  }

  /**
   * A bug of tenantproof's own stopped the run. What ran is still sealed, as partial, with the stack
   * in `internal-error.log` inside the folder; the error then goes on to the CLI (exit 4, one line).
   */
  private async sealAfterCrash(crash: unknown): Promise<never> {
    const message = crash instanceof Error ? crash.message : String(crash);
    const first = message.split('\n')[0] ?? '';
    if (!this.snapshot) throw crash;
    const reason = `internal error of tenantproof: ${first}`;
    const stack = crash instanceof Error ? (crash.stack ?? message) : message;
    try {
      await writeRunFolder({
        ...this.folder(),
        result: { ...this.snapshot(), status: 'interrupted', reason },
        evidence: {
          ...this.evidenceContext({ outcome: 'skipped', detail: 'the run stopped on an internal error', oracles: [] }),
          partialReason: reason,
        },
        final: true,
        exitCode: EXIT.internal,
        extraFiles: { [INTERNAL_ERROR_LOG]: `${this.clock().toISOString()} ${stack}\n` },
      });
    } catch (sealError) {
      this.warn(`the evidence could not be sealed after the internal error: ${(sealError as Error).message}`);
      throw crash;
    }
    throw new InternalError(`${first} (evidence for what ran, and the stack in ${INTERNAL_ERROR_LOG}: ${this.s.dir})`, {
      cause: crash,
    });
  }

  private async campaign(): Promise<CampaignResult> {
    const { config } = this;
    const slots = config.poolTenants ?? defaultPoolTenants(this.tenantCount, this.tenants.fresh);
    if (slots > 0 && this.tenants.fresh)
      this.pool = new TenantPool({ slots, tenants: this.tenantCount, lifetime: config.poolLifetime });
    const options = this.campaignOptions();
    const result = await runCampaign(options);
    if (!config.cleanup || !this.pool || this.pool.live().length === 0) return result;
    // Pool tenants still serving keep their data through the campaign: --cleanup deletes it now.
    const c = await cleanupPool(this.pool, { ...options, onExchange: (ex) => this.record(ex) }, () => ++this.seq);
    const before = result.cleanup ?? { deleted: 0, failed: 0, undeletable: 0 };
    return {
      ...result,
      cleanup: {
        deleted: before.deleted + c.deleted,
        failed: before.failed + c.failed,
        undeletable: before.undeletable + c.undeletable,
      },
    };
  }

  private campaignOptions(): CampaignOptions {
    const { config, s } = this;
    return {
      plan: s.plan,
      values: specValueSource(s.model, s.runId),
      client: this.client,
      provision: this.tenants.provision,
      freshTenants: this.tenants.fresh,
      tenants: this.tenantCount,
      seed: s.seed,
      budgetMs: config.budget,
      shrinkBudgetMs: config.shrinkBudget,
      ...(config.runs ? { maxRuns: config.runs } : {}),
      maxCommands: config.maxCommands,
      maxBatch: config.concurrency,
      lanes: config.lanes,
      pageSize: 2,
      replays: config.replays,
      replaySettleMs: config.replaySettle,
      signal: this.stop,
      ...(s.focus ? { focus: new Set(s.focus) } : {}),
      cleanup: config.cleanup,
      ...(this.pool ? { pool: this.pool } : {}),
      stopOnFirst: config.stopOnFirst,
      tenantFields: [
        ...config.tenantFields.flatMap(parseTenantField),
        ...this.tenants.claimNames().flatMap(parseTenantField),
        ...this.tenants.selectorHeaders().flatMap(parseTenantField),
      ],
      clock: this.clock,
      onSnapshot: (snapshot) => {
        this.snapshot = snapshot;
      },
      onExchange: (ex) => {
        this.record(ex);
        if (!this.carrier && canCarry(ex)) this.carrier = ex;
      },
      onProgress: (p) => {
        this.lastProgress = p;
        this.progress.update(p);
      },
    };
  }

  private record(ex: Exchange): void {
    this.seq = Math.max(this.seq, ex.seq);
    this.lineOf.set(ex.seq, this.transcript.appendExchange(ex));
  }

  /** The negative control on live traffic; on a copy of a recorded response when the API has nothing to plant into. */
  private async negativeControl(): Promise<NegativeControlResult> {
    const { s } = this;
    this.transcript.appendNote('negative control: begin (responses altered in-process carry x-tenantproof-planted)');
    const live = await runLiveNegativeControl({
      plan: s.plan,
      values: specValueSource(s.model, s.runId),
      client: this.client,
      tenants: (await this.tenants.provision(2, -1)).slice(0, 2),
      freshTenants: this.tenants.fresh,
      seed: s.seed,
      signal: this.stop,
      nextSeq: () => ++this.seq,
      onExchange: (ex) => this.record(ex),
    });
    this.transcript.appendNote(`negative control: end, ${live.outcome}`);
    if (live.outcome !== 'skipped') return live;
    const recorded = recordedNegativeControl(this.carrier, this.labels());
    const detail = `${live.detail ?? ''}; planted into a copy of a recorded response instead`.replace(/^; /, '');
    return { ...recorded, detail };
  }

  private labels(): string[] {
    return Array.from({ length: this.tenantCount }, (_, i) => `T${i + 1}`);
  }

  private evidenceContext(negativeControl: NegativeControlResult, counterexampleFiles?: string[]): EvidenceContext {
    const { config, s } = this;
    const signalled = this.signals.signalled;
    return {
      runId: s.runId,
      model: s.model,
      plan: s.plan,
      specFile: config.spec,
      ...(config.overlay !== undefined ? { specOverlay: config.overlay } : {}),
      specSha256: s.specSha256,
      target: s.targetRef,
      tool: s.tool,
      budgetMs: config.budget,
      ...(config.runs ? { maxRuns: config.runs } : {}),
      tenants: this.labels(),
      concurrency: config.concurrency,
      lanes: config.lanes,
      ...(config.shard ? { shard: { ...config.shard, baseSeed: config.seed, focus: s.focus ?? [] } } : {}),
      configDigest: s.digest,
      ...(signalled
        ? { partialReason: `stopped by ${signalled}` }
        : this.wall.reached
          ? { partialReason: this.wall.reason }
          : {}),
      negativeControl,
      transcriptLineOf: (seq) => this.lineOf.get(seq),
      ...(counterexampleFiles ? { counterexampleFiles } : {}),
      signing: { algorithm: 'ed25519', keyFingerprint: s.key.fingerprint, keyOrigin: s.key.origin },
      validFor: config.validFor,
    };
  }

  private async sealCheckpoint(): Promise<void> {
    if (!this.snapshot) return;
    const reason = `the run did not finish; this checkpoint was sealed at ${this.clock().toISOString()}`;
    const pending: NegativeControlResult = {
      outcome: 'skipped',
      detail: 'the negative control runs after the campaign; this checkpoint was sealed before it',
      oracles: [],
    };
    await writeRunFolder({
      ...this.folder(),
      result: { ...this.snapshot(), reason },
      evidence: { ...this.evidenceContext(pending), partialReason: reason },
      final: false,
    });
  }

  private folder() {
    const { config, s } = this;
    return {
      dir: s.dir,
      key: s.key,
      commandLine: this.commandLine,
      spec: { file: config.spec, sha256: s.specSha256 },
      transcript: this.transcript,
      warn: (m: string) => this.warn(m),
      clock: this.clock,
    };
  }

  private warn(message: string): void {
    process.stderr.write(`tenantproof: ${message}\n`);
  }

  private async finish(result: CampaignResult, control: NegativeControlResult): Promise<RunOutcome> {
    const { config, s } = this;
    const counterexampleFiles = result.findings.map((f, i) => this.writeCounterexample(f, i + 1));
    const summary = coverageSummary(
      s.plan,
      campaignScope(s.model, s.plan),
      result.coverage.list(),
      { answers: result.answers, unusable: result.unusable, tenantIdsKnown: this.tenantIdsKnown },
      config.minCoverage,
    );
    const stats = this.client.throttle;
    const context = {
      ...this.evidenceContext(control, counterexampleFiles),
      coverageSummary: summary,
      throttling: { answers: stats.answers, throttled: stats.throttledAnswers },
    };
    const verdict = buildEvidence(result, context).verdict;
    const code = this.exitCode(verdict, result);
    const evidence = await writeRunFolder({
      ...this.folder(),
      result,
      evidence: context,
      final: true,
      exitCode: code,
      pdf: config.pdf,
    });
    // `latest` points at the newest run that reached a verdict (clean or leak) and finished.
    if (verdict !== 'inconclusive' && result.status !== 'interrupted' && result.status !== 'target-unusable')
      pointLatest(path.resolve(config.out), s.runId);
    if (!this.options.quiet)
      printSummary(evidence, result, {
        dir: s.dir,
        code,
        checkpoints: this.sealer.count,
        fresh: this.tenants.fresh,
        coverage: summary,
      });
    return { code, dir: s.dir, evidence };
  }

  /** A leak is a leak even when stopped; a stopped run is otherwise interrupted; an unusable target is inconclusive. */
  private exitCode(verdict: Evidence['verdict'], result: CampaignResult): ExitCode {
    if (verdict === 'leak') return exitCodeForVerdict('leak');
    if (this.signals.signalled) return exitCodeForSignal(this.signals.signalled);
    return exitCodeForVerdict(result.status === 'target-unusable' ? 'inconclusive' : verdict);
  }

  private writeCounterexample(f: CampaignFinding, n: number): string {
    const { config, s } = this;
    const ce = f.counterexample;
    writeCounterexample(path.join(s.dir, 'counterexamples'), n, {
      runId: s.runId,
      oracle: ce.oracle,
      ...(ce.key ? { key: ce.key } : {}),
      specFile: config.spec,
      ...(config.overlay !== undefined ? { specOverlay: config.overlay } : {}),
      specSha256: s.specSha256,
      target:
        s.target.kind === 'embedded'
          ? { kind: 'embedded', faults: s.target.faults }
          : { kind: 'url', url: s.target.url },
      provision: config.provision,
      tenants: this.tenantCount,
      seed: f.fcSeed,
      fcPath: f.fcPath,
      commands: ce.commands,
      steps: ce.steps,
      ...(ce.checkpoints?.length ? { checkpoints: ce.checkpoints } : {}),
      findings: ce.findings,
      reproduction: f.reproduction,
    });
    return `counterexamples/${n}.json`;
  }
}
