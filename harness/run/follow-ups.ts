/**
 * The I/O port an oracle gathers through, for one step: follow-up requests the rule needs (the
 * probe's twin on a missing id, the victim's re-reads before and after, a re-read of what an
 * override created). Each follow-up is built by model/follow-up-steps.ts, sent at most once per
 * step, and judged like any exchange when it is sent.
 */
import type { FingerprintRegistry } from '../generate/fingerprints.ts';
import type { Exchange, TenantLabel } from '../model/exchange.ts';
import {
  createdRecordRereadStep,
  freshValueTwinStep,
  missingTwinStep,
  rereadStep,
  withoutOverrideStep,
} from '../model/follow-up-steps.ts';
import { judgeContext } from './judge-context.ts';
import type { CampaignPlan } from '../model/plan.ts';
import type { Step } from '../model/step.ts';
import { tenantsTouchedBy, type World } from '../model/world.ts';
import type { OraclePort } from '../oracles/oracle.ts';
import type { FingerprintScanner } from '../oracles/scan/fingerprint-scanner.ts';

/** Sends a follow-up step and judges its exchange; undefined when it could not be sent. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type SendFollowUp = (step: Step) => Promise<Exchange | undefined>;

export interface RunFacts {
  world: World;
  plan: CampaignPlan;
  registry: FingerprintRegistry;
  scanner: FingerprintScanner;
}

export class FollowUps implements OraclePort {
  readonly world: World;
  readonly plan: CampaignPlan;
  readonly registry: FingerprintRegistry;
  readonly scanner: FingerprintScanner;
  private readonly memo = new Map<string, Promise<Exchange | undefined>>();
  private before: Exchange | undefined;
  /**
   * Writes touching the victim (its own, or other probes aimed at it) expected once the probe is
   * sent, and whether one was already in flight when it began.
   */
  private readonly victimWritesAtStart: number;
  private victimWasBusy: boolean;
  /**
   * The sender's own writes, and writes touching its records, expected once the probe is sent: a
   * twin compared with the probe must see the sender's context unchanged.
   */
  private readonly attackerWritesAtStart: { sent: number; touching: number } | undefined;
  private attackerWasBusy: boolean;
  /** The sender's writes among this port's own follow-ups (a create's fresh-value twin, say): expected. */
  private readonly followUpWrites = { sent: 0, touching: 0 };

  constructor(
    facts: RunFacts,
    /** The step the follow-ups are for (none at a checkpoint, which has no follow-ups). */
    private readonly step: Step | undefined,
    private readonly sendFollowUp: SendFollowUp,
  ) {
    this.world = facts.world;
    this.plan = facts.plan;
    this.registry = facts.registry;
    this.scanner = facts.scanner;
    const victim = step?.victim ? facts.world.tenant(step.victim) : undefined;
    // The probe itself, when it is a write aimed at the victim, is expected; any other is not.
    const own = step?.victim && tenantsTouchedBy(step, step.method).includes(step.victim) ? 1 : 0;
    this.victimWritesAtStart = (victim?.writesStarted ?? 0) + own;
    this.victimWasBusy = (victim?.writesInFlight ?? 0) > 0;
    const attacker = step ? facts.world.tenant(step.tenant) : undefined;
    const isWrite = step !== undefined && !READS.has(step.method.toUpperCase());
    this.attackerWritesAtStart = attacker && {
      sent: attacker.writes + (isWrite && step.relation !== 'setup' ? 1 : 0),
      touching: attacker.writesStarted + (step && tenantsTouchedBy(step, step.method).includes(step.tenant) ? 1 : 0),
    };
    this.attackerWasBusy = (attacker?.writesInFlight ?? 0) > 0;
  }

  /** Takes the victim's re-read before the probe is sent. */
  async takeVictimBefore(): Promise<void> {
    if (this.step?.victim && this.step.recordFrom !== undefined) this.before = await this.victimReread(this.step);
  }

  victimBefore(): Exchange | undefined {
    return this.before;
  }

  victimAfter(): Promise<Exchange | undefined> {
    const step = this.step;
    return this.once('victim-after', () =>
      step?.victim && step.recordFrom !== undefined ? this.victimReread(step) : Promise.resolve(undefined),
    );
  }

  victimBusy(): boolean {
    const victim = this.step?.victim ? this.world.tenant(this.step.victim) : undefined;
    if (!victim) return false;
    this.victimWasBusy ||= victim.writesStarted !== this.victimWritesAtStart || victim.writesInFlight > 0;
    return this.victimWasBusy;
  }

  attackerBusy(): boolean {
    const attacker = this.step ? this.world.tenant(this.step.tenant) : undefined;
    const start = this.attackerWritesAtStart;
    if (!attacker || !start) return false;
    this.attackerWasBusy ||=
      attacker.writes !== start.sent + this.followUpWrites.sent ||
      attacker.writesStarted !== start.touching + this.followUpWrites.touching ||
      attacker.writesInFlight > 0;
    return this.attackerWasBusy;
  }

  missingTwin(): Promise<Exchange | undefined> {
    const step = this.step;
    return this.once('missing-twin', () => {
      // Only a probe that got an answer has one to compare with.
      const answered = step !== undefined && (this.world.responses.get(step.index)?.status ?? 0) > 0;
      const twin = answered ? missingTwinStep(this.plan, this.world, step) : undefined;
      return twin ? this.send(twin) : Promise.resolve(undefined);
    });
  }

  freshValueTwin(): Promise<Exchange | undefined> {
    const step = this.step;
    return this.once('fresh-twin', () => {
      const twin = step ? freshValueTwinStep(step) : undefined;
      return twin ? this.send(twin) : Promise.resolve(undefined);
    });
  }

  withoutOverrideTwin(): Promise<Exchange | undefined> {
    const step = this.step;
    return this.once('without-override', () => {
      const twin = step ? withoutOverrideStep(this.plan, step) : undefined;
      return twin ? this.send(twin) : Promise.resolve(undefined);
    });
  }

  victimValues(exchange: Exchange): string[] {
    return judgeContext(this.world, this.scanner).victimValues(exchange);
  }

  rereadCreated(tenant: TenantLabel, relation: 'own' | 'setup'): Promise<Exchange | undefined> {
    const step = this.step;
    return this.once(`created:${tenant}:${relation}`, () => {
      const reread = step ? createdRecordRereadStep(this.plan, this.world, step, tenant, relation) : undefined;
      return reread ? this.send(reread) : Promise.resolve(undefined);
    });
  }

  private victimReread(step: Step): Promise<Exchange | undefined> {
    const reread = rereadStep(this.plan, this.world, step, step.victim!, 'setup');
    return reread ? this.send(reread) : Promise.resolve(undefined);
  }

  /** Sends a follow-up, counting it when it is a write of the sender's (so it is not taken for another). */
  private send(step: Step): Promise<Exchange | undefined> {
    const sender = this.step?.tenant;
    if (
      sender !== undefined &&
      step.tenant === sender &&
      !READS.has(step.method.toUpperCase()) &&
      step.relation !== 'setup'
    )
      this.followUpWrites.sent++;
    if (sender !== undefined && tenantsTouchedBy(step, step.method).includes(sender)) this.followUpWrites.touching++;
    return this.sendFollowUp(step);
  }

  private once(key: string, make: () => Promise<Exchange | undefined>): Promise<Exchange | undefined> {
    let p = this.memo.get(key);
    if (!p) this.memo.set(key, (p = make()));
    return p;
  }
}
