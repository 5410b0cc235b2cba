/**
 * What an oracle is: a registered plug-in with a name, a proof rule, the weaknesses (CWE) and
 * controls it bears on, the probes it judges, and two functions.
 *
 * - `gather(moment, port, state)` collects what the rule needs about one moment of a run: an
 *   exchange just sent (with, through the port, follow-ups such as the same request on a missing
 *   id, or the victim's re-read), or a quiescent checkpoint. It returns the inputs it judged, each
 *   with the operation and relation it covers (the coverage matrix counts them).
 * - `judge(inputs, ctx)` is the pure rule: inputs in, findings out. No I/O, no clock, no randomness.
 *
 * The executor calls, for each exchange, only the oracles whose `probes` include the exchange's
 * probe; at checkpoints, those with `checkpoint: true`. `inspect`, SARIF rules, the control mapping
 * and the report's oracle table are all derived from the registry (index.ts). Adding an oracle is
 * its own file plus one line there.
 */
import type { CoverageRelation, Exchange, Finding, Observation, OracleName, TenantLabel } from '../model/exchange.ts';
import type { FingerprintRegistry } from '../generate/fingerprints.ts';
import type { CampaignPlan } from '../model/plan.ts';
import type { ProbeName } from '../model/probe.ts';
import type { Step } from '../model/step.ts';
import type { World } from '../model/world.ts';

import type { FingerprintScanner } from './scan/fingerprint-scanner.ts';
import type { CheckpointView } from '../model/checkpoint-view.ts';

/** CWE ids an oracle's findings are instances of (taxa are listed in evidence/sarif.ts). */
export type CweId = '639' | '200' | '915' | '203';

/** Control ids of evidence/controls.ts (`CC6.1`, `V8.2.2`, `AC-3`, …). */
export type ControlId = string;

/** One exchange of a run, with the step that made it. */
export interface ExchangeMoment {
  kind: 'exchange';
  step: Step;
  exchange: Exchange;
  probe: ProbeName;
  /** Sent inside a concurrent batch. */
  concurrent: boolean;
  /** The sender's own successful writes before this step was sent. */
  ownWritesBefore: number;
}

/** A quiescent point: every tenant's full view, read with nothing else in flight. */
export interface CheckpointMoment {
  kind: 'checkpoint';
  view: CheckpointView;
}

export type Moment = ExchangeMoment | CheckpointMoment;

/** What an oracle may ask of the run while gathering (follow-ups are sent at most once per step). */
export interface OraclePort {
  readonly world: World;
  readonly plan: CampaignPlan;
  readonly registry: FingerprintRegistry;
  readonly scanner: FingerprintScanner;
  /** The same request as the probe, naming an id that exists nowhere (as the attacker). */
  missingTwin(): Promise<Exchange | undefined>;
  /** The same create as a unique-value probe, with a fresh value in place of the victim's. */
  freshValueTwin(): Promise<Exchange | undefined>;
  /** The same request as an injection probe, without the override. */
  withoutOverrideTwin(): Promise<Exchange | undefined>;
  /** Values in an answer owned by its victim that its sender neither sent nor knew. */
  victimValues(exchange: Exchange): string[];
  /** The victim's re-read of the probed record, sent just before the probe (when an oracle asked for it). */
  victimBefore(): Exchange | undefined;
  /** The victim's re-read of the probed record, after the probe. */
  victimAfter(): Promise<Exchange | undefined>;
  /**
   * Whether any write that may touch the victim's records, other than the probe (the victim's own,
   * or another tenant's probe aimed at it), ran between its re-reads: a change is then not provably the attacker's.
   */
  victimBusy(): boolean;
  /**
   * Whether the sender wrote anything else (or another tenant's write touching the sender's
   * records ran) between the probe and its twin: the two then did not ask in the same context (its
   * own delete of the parent, say), and a difference between them is not the victim's.
   */
  attackerBusy(): boolean;
  /** `tenant` re-reads the record the current step created (for the injection oracle). */
  rereadCreated(tenant: TenantLabel, relation: 'own' | 'setup'): Promise<Exchange | undefined>;
}

/** What a judge may consult: ownership and what each tenant already knew. */
export interface JudgeContext {
  scanner: FingerprintScanner;
  /** Values in an answer owned by the exchange's victim that its sender neither sent nor knew. */
  victimValues(exchange: Exchange): string[];
  /** Values in an answer owned by `owner` that the exchange's sender neither sent nor knew. */
  ownedValues(exchange: Exchange, owner: TenantLabel): string[];
  /** Owner of an id of `resource` in the model (when given), else of any registered fingerprint. */
  ownerOf(value: string, resource?: string): TenantLabel | undefined;
  /** Whether `tenant` itself sent `value` (or a string containing it) earlier in the run. */
  knownTo(tenant: TenantLabel, value: string): boolean;
}

/** One input the oracle judged, and the coverage cell it counts in. */
export interface Judged<I> {
  operationId: string;
  relation: CoverageRelation;
  input: I;
}

export interface OracleDefinition<I, S> {
  name: OracleName;
  title: string;
  /** The proof rule: what must be shown before this oracle may raise a finding. */
  rule: string;
  cwes: readonly CweId[];
  controls: readonly ControlId[];
  /** The probes it judges (see model/probe.ts). */
  probes: readonly ProbeName[];
  /** It judges quiescent checkpoints too. */
  checkpoint?: boolean;
  /** It decides whether the world may learn from a response: it runs before learning, with no follow-ups. */
  gate?: boolean;
  /** Probes before which it needs the victim's re-read of the probed record (taken before sending). */
  needsVictimBefore?: readonly ProbeName[];
  /** Per-run state (created when a run starts). */
  init: () => S;
  gather(moment: Moment, port: OraclePort, state: S): Promise<readonly Judged<I>[]> | readonly Judged<I>[];
  judge(inputs: readonly I[], ctx: JudgeContext): JudgeResult;
}

/** Findings, and optionally observations (what limits a run's proof; never part of the verdict). */
export type JudgeResult = Finding[] | { findings: Finding[]; observations: Observation[] };

/** An oracle bound to one run: gather and judge in one call, its state held inside. */
export interface BoundOracle {
  readonly oracle: Oracle;
  examine(
    moment: Moment,
    port: OraclePort,
    ctx: JudgeContext,
  ): Promise<{ judged: Judged<unknown>[]; findings: Finding[]; observations: Observation[] }>;
}

/** A registered oracle, its input and state types erased behind `bind`. */
export interface Oracle {
  readonly name: OracleName;
  readonly title: string;
  readonly rule: string;
  readonly cwes: readonly CweId[];
  readonly controls: readonly ControlId[];
  readonly probes: readonly ProbeName[];
  readonly checkpoint: boolean;
  readonly gate: boolean;
  readonly needsVictimBefore: readonly ProbeName[];
  /** Starts this oracle for one run. */
  bind(): BoundOracle;
}

export function defineOracle<I, S = undefined>(d: OracleDefinition<I, S>): Oracle {
  const oracle: Oracle = {
    name: d.name,
    title: d.title,
    rule: d.rule,
    cwes: d.cwes,
    controls: d.controls,
    probes: d.probes,
    checkpoint: d.checkpoint ?? false,
    gate: d.gate ?? false,
    needsVictimBefore: d.needsVictimBefore ?? [],
    bind() {
      const state = d.init();
      return {
        oracle,
        async examine(moment, port, ctx) {
          const judged = [...(await d.gather(moment, port, state))];
          const inputs = judged.map((j) => j.input);
          const result = judged.length > 0 ? d.judge(inputs, ctx) : [];
          return Array.isArray(result)
            ? { judged, findings: result, observations: [] }
            : { judged, findings: result.findings, observations: result.observations };
        },
      };
    },
  };
  return oracle;
}

/** No per-run state. */
export const stateless = (): undefined => undefined;
