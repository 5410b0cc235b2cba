/**
 * The result's `observations`: what the run saw, each made by TEST, collected when the run (or, in
 * a merged folder, the run it came from) ended, its subject the API under test, its evidence a
 * back-matter resource. One observation per:
 *
 * - operation × oracle of the coverage (how many exchanges the oracle judged, per relation), plus
 *   one for the coverage statement (share of tenant-owned operations probed, the gate, what was not
 *   probed and why);
 * - the negative control (its outcome, and per oracle whether a planted value made it fire);
 * - control of the control mapping, every framework (`control-objective`): its status in this run,
 *   the oracles that bear on it, the findings that violate it. Controls of frameworks other than
 *   NIST SP 800-53 are not OSCAL catalog controls, so they are named only here, by props
 *   (`framework-control`, class = the framework as a token, in tenantproof's namespace), never as
 *   control ids;
 * - entry of evidence.json `observations` (what limits what the run can prove);
 * - finding: finding-observations.ts.
 */
import { EVIDENCE_FILE } from '../evidence-schema.ts';
import { TRANSCRIPT_FILE } from '../transcript.ts';
import {
  fileEvidence,
  frameworkControlProp,
  observation,
  operationLabel,
  type Observation,
  type ObservationContext,
} from './observation.ts';
import { NIST_800_53, oscalControlId, prop, tokenOf } from './vocabulary.ts';

export function coverageObservations(ctx: ObservationContext): Observation[] {
  const groups = new Map<string, { operationId: string; oracle: string; byRelation: Map<string, number> }>();
  for (const c of ctx.evidence.coverage.cells) {
    const key = `${c.operationId}\u0000${c.oracle}`;
    const g = groups.get(key) ?? { operationId: c.operationId, oracle: c.oracle, byRelation: new Map() };
    g.byRelation.set(c.relation, (g.byRelation.get(c.relation) ?? 0) + c.count);
    groups.set(key, g);
  }
  const cells = [...groups.values()].map((g) => {
    const total = [...g.byRelation.values()].reduce((a, b) => a + b, 0);
    const relations = [...g.byRelation.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    return observation(ctx, `observation/coverage/${g.operationId}/${g.oracle}`, {
      title: `Coverage: ${g.operationId} × ${g.oracle}`,
      description: `The ${g.oracle} oracle judged ${total} exchange(s) or observation(s) of ${operationLabel(ctx.evidence, g.operationId)}: ${relations.map(([r, n]) => `${r} ${n}`).join(', ')}.`,
      props: [
        prop('observation-kind', 'coverage'),
        prop('operation-id', g.operationId),
        prop('oracle', g.oracle),
        ...relations.map(([r, n]) => prop('judged', n, { class: tokenOf(r) })),
      ],
      'relevant-evidence': fileEvidence(ctx, EVIDENCE_FILE, `${EVIDENCE_FILE} coverage.cells`),
    });
  });
  const s = ctx.evidence.coverage.summary;
  if (!s) return cells;
  const pct = (r: number) => `${Math.round(r * 100)}%`;
  const summary = observation(ctx, 'observation/coverage-summary', {
    title: `Coverage: ${s.probed} of ${s.tenantOwned} tenant-owned operations probed cross-tenant (${pct(s.ratio)})`,
    description:
      `${s.probed} of the spec's ${s.tenantOwned} tenant-owned operations were probed cross-tenant (at least one judged request named another tenant): ` +
      `${pct(s.ratio)}, against a --min-coverage gate of ${pct(s.minimum)}, which a CLEAN verdict needs.`,
    props: [
      prop('observation-kind', 'coverage-summary'),
      prop('tenant-owned-operations', s.tenantOwned),
      prop('probed-operations', s.probed),
      prop('coverage-ratio', s.ratio),
      prop('coverage-minimum', s.minimum),
      ...s.notProbed.map((n) => prop('not-probed', n.operationId)),
    ],
    'relevant-evidence': fileEvidence(ctx, EVIDENCE_FILE, `${EVIDENCE_FILE} coverage.summary`),
    ...(s.notProbed.length > 0
      ? {
          remarks: `Not probed:\n\n${s.notProbed.map((n) => `- ${n.operationId}: ${n.reason}${n.fix ? ` (fix: ${n.fix})` : ''}`).join('\n')}`,
        }
      : {}),
  });
  return [...cells, summary];
}

export function negativeControlObservation(ctx: ObservationContext): Observation {
  const nc = ctx.evidence.negativeControl;
  return observation(ctx, 'observation/negative-control', {
    title: `Negative control: ${nc.outcome}`,
    description:
      `A known cross-tenant value was planted where the oracles must see it, to show that they fire in this run: ${nc.outcome}.` +
      (nc.oracles.length > 0
        ? ` ${nc.oracles.map((o) => `${o.oracle}: ${o.outcome} (planted ${o.planted ? 'yes' : 'no'}, fired ${o.fired ? 'yes' : 'no'})`).join('; ')}.`
        : ''),
    props: [
      prop('observation-kind', 'negative-control'),
      prop('outcome', nc.outcome),
      ...nc.oracles.map((o) => prop('oracle-outcome', o.outcome, { class: tokenOf(o.oracle) })),
    ],
    'relevant-evidence': [
      ...fileEvidence(ctx, EVIDENCE_FILE, `${EVIDENCE_FILE} negativeControl`),
      ...fileEvidence(ctx, TRANSCRIPT_FILE, 'the planted answers, marked x-tenantproof-planted in the transcript'),
    ],
    ...(nc.detail ? { remarks: nc.detail } : {}),
  });
}

export function controlObservations(ctx: ObservationContext): Observation[] {
  return ctx.evidence.controlMapping.map((c) =>
    observation(ctx, `observation/control/${c.framework}/${c.id}`, {
      title: `${c.framework} ${c.id} (${c.title}): ${c.status}`,
      description: `${c.tested} Status in this run: ${c.status}${c.findings && c.findings.length > 0 ? `, violated by ${c.findings.join(', ')}` : ''}.`,
      props: [
        prop('observation-kind', 'control-status'),
        frameworkControlProp(c.framework, c.id),
        ...(c.framework === NIST_800_53 ? [prop('control-id', oscalControlId(c.id))] : []),
        prop('control-status', c.status),
        ...c.oracles.map((o) => prop('oracle', o)),
        ...(c.findings ?? []).map((f) => prop('finding-id', f)),
      ],
      types: ['control-objective'],
      'relevant-evidence': fileEvidence(ctx, EVIDENCE_FILE, `${EVIDENCE_FILE} controlMapping`),
    }),
  );
}

export function runObservations(ctx: ObservationContext): Observation[] {
  return (ctx.evidence.observations ?? []).map((o, i) =>
    observation(ctx, `observation/run/${i}`, {
      title: `${o.oracle}: ${o.kind} on ${o.operationId}`,
      description: `${o.count} time(s), the ${o.oracle === 'target' ? 'target' : `${o.oracle} oracle`} observed ${o.kind} on ${operationLabel(ctx.evidence, o.operationId)}; it limits what the run can prove or says how the target conformed, and is no part of the verdict (${EVIDENCE_FILE} observations[${i}] has the detail).`,
      props: [
        prop('observation-kind', 'run-observation'),
        prop('oracle', o.oracle),
        prop('kind', o.kind),
        prop('operation-id', o.operationId),
        prop('count', o.count),
        ...(o.transcriptLines ?? []).slice(0, 20).map((l) => prop('transcript-line', l)),
      ],
      'relevant-evidence': fileEvidence(ctx, EVIDENCE_FILE, `${EVIDENCE_FILE} observations[${i}]`),
    }),
  );
}
