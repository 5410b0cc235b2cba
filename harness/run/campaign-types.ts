/** What a campaign takes and what it gives back (harness/run/campaign.ts runs it). */
import type { Exchange, Finding, Observation, OracleName } from '../model/exchange.ts';
import type { CampaignPlan } from '../model/plan.ts';
import type { Step } from '../model/step.ts';
import type { ValueSource } from '../model/value-source.ts';
import type { OracleSet } from '../oracles/index.ts';
import type { Clock } from '../evidence/clock.ts';
import type { TenantField } from '../openapi/tenant-fields.ts';
import type { Coverage } from './coverage.ts';
import type { Transport } from './http-client.ts';
import type { CleanupCounts, ProvisionedTenant, StepResult } from './run-context.ts';
import type { PoolSummary, TenantPool } from './tenant-pool.ts';

/** Makes `count` tenants for run number `run`; fresh ones where the adapter can. */
export type Provisioner = (count: number, run: number) => Promise<ProvisionedTenant[]>;

export interface CampaignOptions {
  plan: CampaignPlan;
  values: ValueSource;
  client: Transport;
  provision: Provisioner;
  /** Whether each run gets tenants nobody used before (so exact model checks apply). */
  freshTenants: boolean;
  tenants: number;
  seed: number;
  /** Wall-clock budget for the search phase. */
  budgetMs: number;
  /** Wall-clock budget for shrinking a failure. */
  shrinkBudgetMs: number;
  /** Stop after this many runs even if budget remains. */
  maxRuns?: number;
  maxCommands: number;
  maxBatch: number;
  pageSize: number;
  replays: number;
  /** A pause before each finding's replays (ms), so short-lived shared state has expired; 0 for none. */
  replaySettleMs?: number;
  signal: AbortSignal;
  onExchange?: (exchange: Exchange) => void;
  onProgress?: (p: CampaignProgress) => void;
  /** A shard's operation focus (see shard.ts). */
  focus?: ReadonlySet<string>;
  /** Delete what each run created, after the run (`--cleanup`); a pool tenant's data when it retires. */
  cleanup?: boolean;
  /**
   * Long-lived tenants for the last labels of each search run (tenant-pool.ts); none without it.
   * The caller keeps it, to clean up after the campaign what its tenants still hold.
   */
  pool?: TenantPool;
  /** Independent searches run side by side (default 1); each gets `laneSeed(seed, lane)`. */
  lanes?: number;
  /** Receives a function that returns the result so far, for checkpoint seals while the campaign runs. */
  onSnapshot?: (snapshot: () => CampaignResult) => void;
  /** The oracles to run (default: the built-in registry). */
  oracles?: OracleSet;
  /** End the search at the first finding (default: search to the budget, collecting distinct findings). */
  stopOnFirst?: boolean;
  /**
   * Start the search with the directed sweep (directed-sweep.ts), one run that aims every probe at a
   * fresh record of each kind before random exploration (default true).
   */
  sweep?: boolean;
  /** Tenant fields to override beyond the spec's and the defaults (config, JWT claim names). */
  tenantFields?: readonly TenantField[];
  /**
   * The time `startedAt` and `endedAt` record (default: the system clock). Deadlines do not read it
   * (see evidence/clock.ts).
   */
  clock?: Clock;
}

export interface CampaignProgress {
  phase: 'search' | 'shrink' | 'replay';
  runs: number;
  requests: number;
  findings: number;
  batches: number;
  /** Fingerprints registered in the registries of the runs in progress. */
  fingerprints?: number;
  /** Fingerprints the pool's tenants carry from run to run (each run registers them first). */
  poolFingerprints?: number;
  /** The most live records of one resource a serving pool tenant holds. */
  poolRecords?: number;
}

export interface Counterexample {
  oracle: OracleName;
  /** The finding it reproduces: oracle|operationId|probe (see search.ts). */
  key?: string;
  /** The primary steps of the minimal failing run (follow-ups are re-derived on replay). */
  steps: Step[];
  /** What each step got back in that run, in the order of `steps` (absent when not recorded). */
  results?: StepResult[];
  /**
   * Mid-run checkpoints: a checkpoint ran before `steps[k]` for each k here (0 < k < steps.length).
   * A replay runs them there again, and one at the end as always.
   */
  checkpoints?: number[];
  findings: Finding[];
  commands: string[];
}

/** `findings`: the search found at least one (confirmed or not; the evidence's verdict says which). */
export type CampaignStatus = 'clean' | 'findings' | 'interrupted' | 'target-unusable';

/** How a finding is confirmed (README: verdict rules). */
export type Confirmation =
  /** Its evidence proves itself: victim-owned data, or a victim state change. */
  | 'self-proving'
  /** It reproduced at least once when replayed on fresh tenants. */
  | 'replay'
  /** Neither: it cannot carry a LEAK verdict alone. */
  | 'unconfirmed';

/** One distinct finding (by oracle, operation and probe kind), shrunk and replayed. */
export interface CampaignFinding {
  /** The finding as it first fired in the search: its operation is where it first fired. */
  finding: Finding;
  counterexample: Counterexample;
  reproduction: { reproduced: number; attempts: number };
  confirmation: Confirmation;
  /** fast-check's seed and path of the minimal counterexample. */
  fcSeed: number;
  fcPath: string;
  detectedAt: { requests: number; elapsedMs: number };
}

/** An observation, counted over the campaign. */
export interface ObservationCount extends Observation {
  count: number;
}

export interface CampaignResult {
  status: CampaignStatus;
  /** Distinct findings, in the order they first fired. */
  findings: CampaignFinding[];
  /** What limits the campaign's proof, and how the target conformed (never part of the verdict). */
  observations: ObservationCount[];
  runs: number;
  requests: number;
  batches: number;
  coverage: Coverage;
  /** Status codes of the tenants' own answers, per operation. */
  answers: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** Answers no oracle could read, per operation and cause (`TIMEOUT`, `truncated`, …). */
  unusable: ReadonlyMap<string, ReadonlyMap<string, number>>;
  seed: number;
  /** Why the target was unusable or the run stopped early. */
  reason?: string;
  startedAt: Date;
  endedAt: Date;
  /** When the search phase first saw a finding: requests sent so far and time since the start. */
  firstDetection?: { requests: number; elapsedMs: number };
  /** What `--cleanup` deleted, summed over runs. */
  cleanup?: CleanupCounts;
  /** The long-lived tenant pool: its tenants, their lifetimes, and the data they held. */
  pool?: PoolSummary;
}
