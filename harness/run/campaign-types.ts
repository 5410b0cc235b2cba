/** What a campaign takes and what it gives back (harness/run/campaign.ts runs it). */
import type { Exchange, Finding, OracleName } from '../model/exchange.ts';
import type { CampaignPlan } from '../model/plan.ts';
import type { Step } from '../model/step.ts';
import type { ValueSource } from '../model/value-source.ts';
import type { OracleSet } from '../oracles/index.ts';
import type { Coverage } from './coverage.ts';
import type { Transport } from './http-client.ts';
import type { CleanupCounts, ProvisionedTenant } from './run-context.ts';

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
  signal: AbortSignal;
  onExchange?: (exchange: Exchange) => void;
  onProgress?: (p: CampaignProgress) => void;
  /** A shard's operation focus (see shard.ts). */
  focus?: ReadonlySet<string>;
  /** Delete what each run created, after the run (`--cleanup`). */
  cleanup?: boolean;
  /** Independent searches run side by side (default 1); each gets `laneSeed(seed, lane)`. */
  lanes?: number;
  /** Receives a function that returns the result so far, for checkpoint seals while the campaign runs. */
  onSnapshot?: (snapshot: () => CampaignResult) => void;
  /** The oracles to run (default: the built-in registry). */
  oracles?: OracleSet;
}

export interface CampaignProgress {
  phase: 'search' | 'shrink' | 'replay';
  runs: number;
  requests: number;
  findings: number;
  batches: number;
}

export interface Counterexample {
  oracle: OracleName;
  /** The primary steps of the minimal failing run (follow-ups are re-derived on replay). */
  steps: Step[];
  findings: Finding[];
  commands: string[];
}

export type CampaignStatus = 'clean' | 'leak' | 'interrupted' | 'target-unusable';

export interface CampaignResult {
  status: CampaignStatus;
  /** Findings of the first failing run (full context). */
  firstFindings: Finding[];
  counterexample?: Counterexample;
  reproduction?: { reproduced: number; attempts: number };
  runs: number;
  requests: number;
  batches: number;
  coverage: Coverage;
  seed: number;
  fcPath?: string;
  /** The seed `fcPath` applies to (the failing lane's). */
  fcSeed?: number;
  /** Why the target was unusable or the run stopped early. */
  reason?: string;
  startedAt: Date;
  endedAt: Date;
  /** When the search phase first saw a finding: requests sent so far and time since the start. */
  firstDetection?: { requests: number; elapsedMs: number };
  /** What `--cleanup` deleted, summed over runs. */
  cleanup?: CleanupCounts;
}
