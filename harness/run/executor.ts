/**
 * Runs steps against the target, as a pipeline:
 *
 *   resolve → send → judge with the gate oracles → world.learn → judge with the other oracles → record
 *
 * The oracles called are those whose `probes` include the step's probe (harness/oracles/index.ts);
 * they gather follow-ups (a twin on a missing id, the victim's re-reads) through a FollowUps port,
 * and each follow-up goes through the same pipeline. Findings are values, kept in `findings`; the
 * coverage matrix counts what each oracle judged. The same executor serves live runs and replays.
 */
import type { Exchange, Finding, Observation } from '../model/exchange.ts';
import { probeOf } from '../model/probe.ts';
import { tryResolveStep } from '../model/resolve-step.ts';
import type { Step } from '../model/step.ts';
import type { CheckpointView } from '../model/checkpoint-view.ts';
import type { BoundOracle, JudgeContext, Moment, OraclePort } from '../oracles/oracle.ts';
import type { Coverage } from './coverage.ts';
import { FollowUps, type RunFacts } from './follow-ups.ts';
import { judgeContext } from './judge-context.ts';
import type { Transport } from './http-client.ts';

export interface ExecutorOptions extends RunFacts {
  client: Transport;
  /**
   * Authentication headers per tenant, one entry per user (the first sends unless a step names
   * another); secret, never written anywhere.
   */
  credentials: Map<string, readonly { role: string; headers: Record<string, string> }[]>;
  /** The run's oracles, bound (each holds its per-run state). */
  oracles: readonly BoundOracle[];
  coverage: Coverage;
  /** Called for every exchange as soon as it completes (the transcript writer). */
  onExchange?: (exchange: Exchange) => void;
  signal?: AbortSignal;
  /** Sequence numbers shared across runs, so transcript lines stay unique. */
  nextSeq: () => number;
  /** The current phase's deadline (epoch ms): no waiting for a rate limit past it. */
  deadline?: () => number | undefined;
}

export type StepOutcome =
  | { kind: 'sent'; exchange: Exchange }
  /** A reference to an earlier response did not resolve (that step failed); nothing was sent. */
  | { kind: 'skipped'; reason: string }
  | { kind: 'stopped' };

export class Executor {
  readonly findings: Finding[] = [];
  /** What limits this run's proof (never part of the verdict). */
  readonly observations: Observation[] = [];
  readonly exchanges: Exchange[] = [];
  readonly ctx: JudgeContext;
  transportErrors = 0;
  serverErrors = 0;
  throttled = 0;

  constructor(private readonly o: ExecutorOptions) {
    this.ctx = judgeContext(o.world, o.scanner);
  }

  /** Runs one step through the pipeline, with the follow-ups its oracles ask for. */
  async run(step: Step, options: { concurrent?: boolean } = {}): Promise<StepOutcome> {
    const probe = probeOf(step);
    const oracles = this.o.oracles.filter((b) => b.oracle.probes.includes(probe));
    const port = new FollowUps(this.o, step, (s) => this.followUp(s));
    if (oracles.some((b) => b.oracle.needsVictimBefore.includes(probe))) await port.takeVictimBefore();
    const ownWritesBefore = this.o.world.tenant(step.tenant).writes;
    const outcome = await this.send(step);
    if (outcome.kind !== 'sent') return outcome;
    const concurrent = options.concurrent ?? false;
    const moment: Moment = { kind: 'exchange', step, exchange: outcome.exchange, probe, concurrent, ownWritesBefore };
    // Gates first: the world learns from a response only if they found no other tenant's data in it.
    const gates = oracles.filter((b) => b.oracle.gate);
    const raised = await this.examine(gates, moment, port);
    this.o.world.learn(step, outcome.exchange, raised === 0);
    await this.examine(
      oracles.filter((b) => !b.oracle.gate),
      moment,
      port,
    );
    return outcome;
  }

  /** Judges a quiescent checkpoint with the oracles that judge checkpoints. */
  async judgeCheckpoint(view: CheckpointView): Promise<void> {
    // A checkpoint is a view of what was already read: no follow-ups.
    const port = new FollowUps(this.o, undefined, async () => undefined);
    const oracles = this.o.oracles.filter((b) => b.oracle.checkpoint);
    await this.examine(oracles, { kind: 'checkpoint', view }, port);
  }

  private async followUp(step: Step): Promise<Exchange | undefined> {
    const outcome = await this.run(step);
    return outcome.kind === 'sent' ? outcome.exchange : undefined;
  }

  private async examine(oracles: readonly BoundOracle[], moment: Moment, port: OraclePort): Promise<number> {
    let raised = 0;
    for (const bound of oracles) {
      const { judged, findings, observations } = await bound.examine(moment, port, this.ctx);
      for (const j of judged) this.o.coverage.add(j.operationId, bound.oracle.name, j.relation);
      const probe = moment.kind === 'exchange' ? moment.probe : undefined;
      // Which user sent it, when tenants have several: the finding crosses tenants whatever the role.
      const role = moment.kind === 'exchange' ? moment.exchange.user : undefined;
      this.findings.push(
        ...findings.map((f) => {
          const withProbe = f.probe || !probe ? f : { ...f, probe };
          return role
            ? { ...withProbe, evidence: { ...withProbe.evidence, attackerRole: role, crosses: 'tenants' } }
            : withProbe;
        }),
      );
      this.observations.push(...observations);
      raised += findings.length;
    }
    return raised;
  }

  private async send(step: Step): Promise<StepOutcome> {
    if (this.o.signal?.aborted) return { kind: 'stopped' };
    const world = this.o.world;
    step.index = world.steps.length;
    world.steps.push(step);
    const resolved = tryResolveStep(step, world);
    if (!resolved.ok) return { kind: 'skipped', reason: resolved.reason };
    const request = resolved.request;
    world.noteSent(step, request.sentValues, request.method);
    const users = this.o.credentials.get(step.tenant) ?? [];
    const user = users[(step.user ?? 0) % Math.max(1, users.length)];
    const result = await this.o.client.send({
      method: request.method,
      path: request.path,
      headers: { ...request.headers, ...(user?.headers ?? {}) },
      ...(request.bodyText !== undefined ? { bodyText: request.bodyText } : {}),
      ...(this.o.signal ? { signal: this.o.signal } : {}),
      ...(this.o.deadline?.() !== undefined ? { deadline: this.o.deadline()! } : {}),
    });
    world.noteAnswered(step, request.method);
    this.throttled += result.throttled;
    const exchange: Exchange = {
      seq: this.o.nextSeq(),
      tenant: step.tenant,
      relation: step.relation,
      operationId: step.operationId,
      request: result.request,
      ...(step.victim ? { victim: step.victim } : {}),
      ...(step.batch !== undefined ? { batch: step.batch } : {}),
      ...(users.length > 1 && user ? { user: user.role } : {}),
      ...(result.response ? { response: result.response } : {}),
      ...(result.error ? { error: result.error } : {}),
    };
    if (result.error) this.transportErrors++;
    else if ((result.response?.status ?? 0) >= 500) this.serverErrors++;
    this.exchanges.push(exchange);
    const { status = 0, json, headers = {} } = result.response ?? {};
    world.responses.set(step.index, { status, json, headers });
    this.o.onExchange?.(exchange);
    return { kind: 'sent', exchange };
  }
}
