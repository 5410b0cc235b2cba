/**
 * The result's `findings` and `risks`: one of each per finding of the run, never carrying the
 * victim's data (see observations.ts for what the finding's observation holds).
 *
 * A finding's `target` is a control objective of the NIST SP 800-53 Rev. 5 catalog, the one
 * framework of the control mapping whose ids are OSCAL control ids: the objective (`ac-3_obj`) of
 * the first NIST control the mapping says the finding violates, `not-satisfied`, reason `fail` for
 * a confirmed finding and `other` for an unconfirmed one (it cannot carry a LEAK verdict). Every
 * control it violates, of every framework, is a `framework-control` prop of the finding. A finding
 * no NIST control covers (an audit-log finding, say) targets the method's own objective,
 * `tenant-isolation` (assessment-plan.ts), rather than a NIST control the mapping does not name.
 *
 * A risk's status is `open` for a confirmed finding and `investigating` for an unconfirmed one; its
 * severity and confirmation are facets in tenantproof's namespace, and the oracle's CWE weaknesses
 * its threat ids.
 */
import type { Evidence, EvidenceFinding } from '../evidence-schema.ts';
import { ORACLES, type OracleSet } from '../../oracles/index.ts';
import { TENANT_ISOLATION_OBJECTIVE } from './assessment-plan.ts';
import { findingDescription } from './finding-observations.ts';
import { frameworkControlProp, type Observation } from './observation.ts';
import {
  NIST_800_53,
  objectiveIdOf,
  oscalControlId,
  prop,
  TENANTPROOF_NS,
  type Origin,
  type Prop,
} from './vocabulary.ts';

export interface Risk {
  uuid: string;
  title: string;
  description: string;
  statement: string;
  props: Prop[];
  status: 'open' | 'investigating';
  origins: Origin[];
  'threat-ids'?: Array<{ system: string; id: string; href: string }>;
  characterizations: Array<{ origin: Origin; facets: Array<{ name: string; system: string; value: string }> }>;
  'related-observations': Array<{ 'observation-uuid': string }>;
}

export interface Finding {
  uuid: string;
  title: string;
  description: string;
  props: Prop[];
  origins: Origin[];
  target: {
    type: 'objective-id';
    'target-id': string;
    props?: Prop[];
    status: { state: 'not-satisfied'; reason: 'fail' | 'other'; remarks?: string };
  };
  'related-observations': Array<{ 'observation-uuid': string }>;
  'related-risks': Array<{ 'risk-uuid': string }>;
}

const IMPACT: Record<NonNullable<EvidenceFinding['proof']> | 'unknown', string> = {
  'victim-data': 'read data another tenant owns',
  'victim-state-change': "change or delete another tenant's records",
  difference: 'learn whether a record of another tenant exists',
  unknown: "reach another tenant's data",
};

function confirmed(f: EvidenceFinding): boolean {
  return f.confirmation !== 'unconfirmed';
}

/** The controls of the mapping that name `f` among the findings violating them. */
function violatedControls(evidence: Evidence, f: EvidenceFinding) {
  return evidence.controlMapping.filter((c) => (c.findings ?? []).includes(f.id));
}

function endpoint(evidence: Evidence, operationId: string): string {
  const op = evidence.scope.operations.inScope.find((o) => o.operationId === operationId);
  return op ? `${op.method} ${op.path} (${operationId})` : operationId;
}

export function findingTitle(evidence: Evidence, f: EvidenceFinding, registry: OracleSet = ORACLES): string {
  const title = registry.get(f.oracle)?.title ?? evidence.method.oracleRules?.find((r) => r.name === f.oracle)?.title;
  return `${f.id}: ${title ?? f.oracle} on ${f.operationId}`;
}

export function riskOf(
  evidence: Evidence,
  f: EvidenceFinding,
  observation: Observation,
  ctx: { uuid: (elementPath: string) => string; origin: Origin; registry?: OracleSet },
): Risk {
  const registry = ctx.registry ?? ORACLES;
  const cwes = registry.get(f.oracle)?.cwes ?? ['639'];
  return {
    uuid: ctx.uuid(`risk/${f.id}`),
    title: `Tenant isolation broken: ${findingTitle(evidence, f, registry)}`,
    description: findingDescription(evidence, f),
    statement:
      `A tenant holding only its own credential can ${IMPACT[f.proof ?? 'unknown']} through ${endpoint(evidence, f.operationId)}. ` +
      (confirmed(f)
        ? `The finding is confirmed (${f.confirmation ?? 'self-proving'}).`
        : 'The finding is not confirmed: it neither proves itself nor reproduced on replay, so it needs investigation.'),
    props: [prop('finding-id', f.id), prop('severity', f.severity)],
    status: confirmed(f) ? 'open' : 'investigating',
    origins: [ctx.origin],
    'threat-ids': cwes.map((id) => ({
      system: 'https://cwe.mitre.org',
      id: `https://cwe.mitre.org/data/definitions/${id}.html`,
      href: `https://cwe.mitre.org/data/definitions/${id}.html`,
    })),
    characterizations: [
      {
        origin: ctx.origin,
        facets: [
          { name: 'severity', system: TENANTPROOF_NS, value: f.severity },
          { name: 'confirmation', system: TENANTPROOF_NS, value: f.confirmation ?? 'self-proving' },
        ],
      },
    ],
    'related-observations': [{ 'observation-uuid': observation.uuid }],
  };
}

export function findingOf(
  evidence: Evidence,
  f: EvidenceFinding,
  observation: Observation,
  risk: Risk,
  ctx: { uuid: (elementPath: string) => string; origin: Origin; registry?: OracleSet },
): Finding {
  const controls = violatedControls(evidence, f);
  const nist = controls.find((c) => c.framework === NIST_800_53);
  return {
    uuid: ctx.uuid(`finding/${f.id}`),
    title: findingTitle(evidence, f, ctx.registry),
    description: findingDescription(evidence, f),
    props: [
      prop('finding-id', f.id),
      prop('oracle', f.oracle),
      prop('operation-id', f.operationId),
      prop('severity', f.severity),
      prop('confirmation', f.confirmation ?? 'self-proving'),
      ...controls.map((c) => frameworkControlProp(c.framework, c.id)),
    ],
    origins: [ctx.origin],
    target: {
      type: 'objective-id',
      'target-id': nist ? objectiveIdOf(oscalControlId(nist.id)) : TENANT_ISOLATION_OBJECTIVE,
      ...(nist ? {} : { props: [prop('objective-source', 'tenantproof campaign method (import-ap)')] }),
      status: {
        state: 'not-satisfied',
        reason: confirmed(f) ? 'fail' : 'other',
        ...(confirmed(f) ? {} : { remarks: 'An unconfirmed finding: it cannot carry a LEAK verdict.' }),
      },
    },
    'related-observations': [{ 'observation-uuid': observation.uuid }],
    'related-risks': [{ 'risk-uuid': risk.uuid }],
  };
}
