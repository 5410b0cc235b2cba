/**
 * The compliance controls a run speaks to, and what the run tests for each. Which oracles bear on a
 * control is each oracle's own declaration (`controls` in its registry entry), so it is derived, not
 * listed here. The status of each control in a given run is derived from findings, coverage and the
 * negative control by `buildControlMapping`.
 */
import type { OracleName } from '../model/exchange.ts';
import { CROSS_TENANT_PROBES, INJECTION_PROBES, type ProbeName } from '../model/probe.ts';
import { ORACLES, type OracleSet } from '../oracles/index.ts';

/**
 * A kind of finding: by the oracle that raised it, the probe it fired on, or both. A finding is of
 * the kind when it matches every part given.
 */
export interface FindingKind {
  oracles?: readonly OracleName[];
  probes?: readonly ProbeName[];
}

export interface ControlDefinition {
  framework: string;
  id: string;
  title: string;
  tested: string;
  /**
   * The kinds of finding that violate this control. A plain read of another tenant's record by id
   * violates the object-level controls (V8.2.2, API1, AC-3), not the tenant-override control
   * (V8.4.1) nor the shared-resource one (SC-4).
   */
  violatedBy: readonly FindingKind[];
}

const ANY: readonly FindingKind[] = [{}];
/** A tenant reaching another's record by its id, whichever oracle saw it. */
const OBJECT_LEVEL: FindingKind = { probes: [...CROSS_TENANT_PROBES, 'foreign-reference'] };
const OVERRIDES: FindingKind = { probes: INJECTION_PROBES };
const BULK: FindingKind = { probes: ['list-own', 'canary-search', 'aggregate-check', 'export-check'] };
/** One's own read answered with another tenant's data: only shared state (a cache, a pooled session) does that. */
const SHARED_STATE: readonly FindingKind[] = [
  { oracles: ['non-interference'] },
  { probes: ['interleaved'] },
  { oracles: ['foreign-data', 'model'], probes: ['own-call'] },
];

/** A control with the oracles of a registry that bear on it. */
export interface ControlWithOracles extends ControlDefinition {
  oracles: OracleName[];
}

/** The controls, each with the oracles that bear on it in `registry`. */
export function controlsWithOracles(registry: OracleSet = ORACLES): ControlWithOracles[] {
  return CONTROLS.map((c) => ({ ...c, oracles: registry.oraclesForControl(c.id) }));
}

export const CONTROLS: readonly ControlDefinition[] = [
  {
    framework: 'SOC 2',
    id: 'CC6.1',
    title: 'Logical access security software, infrastructure and architectures',
    tested:
      "Each tenant's API credential reaches only that tenant's records: reads, writes, lists, searches, exports and aggregates were checked for other tenants' data.",
    violatedBy: ANY,
  },
  {
    framework: 'ISO/IEC 27001:2022',
    id: 'A.8.3',
    title: 'Information access restriction',
    tested:
      "Access to records is restricted to the owning tenant; other tenants' ids are refused as if missing and their records stay unchanged.",
    violatedBy: [OBJECT_LEVEL, { oracles: ['existence'] }, OVERRIDES],
  },
  {
    framework: 'CSA CCM v4',
    id: 'IVS-06',
    title: 'Segmentation and segregation (multi-tenant environments)',
    tested:
      "Tenants running concurrently observe exactly what they observe alone, and no response to one tenant carries another tenant's values.",
    violatedBy: ANY,
  },
  {
    framework: 'OWASP ASVS 5.0',
    id: 'V8.2.2',
    title: 'Data-specific access restricted to consumers with explicit permission (IDOR/BOLA)',
    tested:
      "Object-level reads, updates and deletes naming another tenant's id were attempted and had to fail as a missing id would.",
    violatedBy: [OBJECT_LEVEL],
  },
  {
    framework: 'OWASP ASVS 5.0',
    id: 'V8.4.1',
    title: 'Multi-tenant applications use cross-tenant controls',
    tested:
      'Tenant overrides in headers, query and body were injected; isolation held across list, search, export, aggregate and the audit log.',
    violatedBy: [OVERRIDES, BULK, { oracles: ['audit'] }, { probes: ['foreign-cursor', 'foreign-idempotency-key'] }],
  },
  {
    framework: 'OWASP API Security Top 10 2023',
    id: 'API1:2023',
    title: 'Broken Object Level Authorization',
    tested: "Every operation taking an object id was probed with other tenants' ids.",
    violatedBy: [OBJECT_LEVEL],
  },
  {
    framework: 'OWASP API Security Top 10 2023',
    id: 'API3:2023',
    title: 'Broken Object Property Level Authorization',
    tested:
      "Responses were scanned for other tenants' property values, and `tenantId` mass assignment was attempted on create.",
    violatedBy: [{ probes: ['body-injection'] }, { oracles: ['foreign-data'], probes: ['own-call', 'list-own'] }],
  },
  {
    framework: 'OWASP API Security Top 10 2023',
    id: 'API5:2023',
    title: 'Broken Function Level Authorization',
    tested:
      'Bulk functions (export, aggregate, search) and tenant-selection headers were exercised as an ordinary tenant.',
    violatedBy: [
      {
        probes: [
          'canary-search',
          'aggregate-check',
          'export-check',
          'header-injection',
          'query-injection',
          'path-injection',
        ],
      },
    ],
  },
  {
    framework: 'NIST SP 800-53 Rev. 5',
    id: 'AC-3',
    title: 'Access enforcement',
    tested: 'Access decisions on objects were enforced per tenant for read, update and delete.',
    violatedBy: [OBJECT_LEVEL, OVERRIDES],
  },
  {
    framework: 'NIST SP 800-53 Rev. 5',
    id: 'AC-4',
    title: 'Information flow enforcement',
    tested:
      "No information flowed from one tenant's records to another tenant's responses, including through aggregates, exports, caches and pagination.",
    violatedBy: [{ oracles: ['foreign-data', 'model', 'existence', 'non-interference'] }, OBJECT_LEVEL],
  },
  {
    framework: 'NIST SP 800-53 Rev. 5',
    id: 'SC-4',
    title: 'Information in shared system resources',
    tested:
      "Shared resources (connection pools, caches, request context) did not carry one tenant's data into another tenant's requests under concurrency.",
    violatedBy: SHARED_STATE,
  },
];

/**
 * `tested-not-violated`: tested, and no finding of a kind that violates it (evidence written before
 * it existed says `supported` for the same).
 */
export type ControlStatus = 'tested-not-violated' | 'violated' | 'not-tested' | 'inconclusive';

/** A finding as the control mapping reads it. */
export interface MappedFinding {
  id?: string | undefined;
  oracle: OracleName;
  probe?: string | undefined;
}

/**
 * Whether `finding` is of one of `kinds`. A finding from evidence that did not record its probe
 * counts for every probe its oracle judges.
 */
export function isOfKind(
  finding: MappedFinding,
  kinds: readonly FindingKind[],
  registry: OracleSet = ORACLES,
): boolean {
  const probes: readonly string[] =
    finding.probe !== undefined
      ? [finding.probe]
      : (registry.oracles.find((o) => o.name === finding.oracle)?.probes ?? []);
  return kinds.some(
    (k) =>
      (k.oracles === undefined || k.oracles.includes(finding.oracle)) &&
      (k.probes === undefined || probes.some((p) => k.probes!.includes(p as ProbeName))),
  );
}

/**
 * A control is violated if a finding of a kind that violates it was raised (by any oracle); not-tested
 * if none of its oracles judged anything; inconclusive if the negative control failed for one of its
 * oracles; else tested-not-violated.
 */
export function controlStatus(
  def: ControlWithOracles,
  facts: {
    findings: readonly MappedFinding[];
    judgedByOracle: ReadonlyMap<OracleName, number>;
    negativeControlFailed: ReadonlySet<OracleName>;
  },
  registry: OracleSet = ORACLES,
): ControlStatus {
  if (facts.findings.some((f) => isOfKind(f, def.violatedBy, registry))) return 'violated';
  if (def.oracles.every((o) => (facts.judgedByOracle.get(o) ?? 0) === 0)) return 'not-tested';
  if (def.oracles.some((o) => facts.negativeControlFailed.has(o))) return 'inconclusive';
  return 'tested-not-violated';
}

/** Inputs `buildControlMapping` reads; structurally compatible with the evidence document's parts. */
export interface ControlFacts {
  findings: ReadonlyArray<MappedFinding & { confirmation?: string | undefined }>;
  coverage: ReadonlyArray<{ oracle: OracleName; count: number }>;
  negativeControl: { oracles: ReadonlyArray<{ oracle: OracleName; outcome: string }> };
}

export interface ControlMappingEntry extends ControlWithOracles {
  status: ControlStatus;
  /** Ids of the findings that violate it. */
  findings: string[];
}

export function buildControlMapping(facts: ControlFacts, registry: OracleSet = ORACLES): ControlMappingEntry[] {
  const judgedByOracle = new Map<OracleName, number>();
  for (const c of facts.coverage) judgedByOracle.set(c.oracle, (judgedByOracle.get(c.oracle) ?? 0) + c.count);
  const negativeControlFailed = new Set(
    facts.negativeControl.oracles.filter((o) => o.outcome === 'failed').map((o) => o.oracle),
  );
  return controlsWithOracles(registry).map((def) => ({
    ...def,
    status: controlStatus(def, { findings: facts.findings, judgedByOracle, negativeControlFailed }, registry),
    findings: facts.findings.filter((f) => isOfKind(f, def.violatedBy, registry)).flatMap((f) => (f.id ? [f.id] : [])),
  }));
}

/** The control mapping as evidence.json records it (without the rule's internals). */
export function evidenceControlMapping(facts: ControlFacts, registry: OracleSet = ORACLES) {
  return buildControlMapping(facts, registry).map((c) => ({
    framework: c.framework,
    id: c.id,
    title: c.title,
    tested: c.tested,
    oracles: [...c.oracles],
    status: c.status,
    findings: [...c.findings],
  }));
}

/**
 * The run's verdict: a leak if anything was found; inconclusive if the negative control did not pass
 * (the oracles were not shown to fire) or nothing was judged; clean otherwise.
 */
export function verdictOf(
  facts: ControlFacts & { negativeControl: { outcome: string } },
): 'clean' | 'leak' | 'inconclusive' {
  return verdictWithReason(facts).verdict;
}

/**
 * The run's verdict and, when it is inconclusive, why: a LEAK needs a confirmed finding (one whose
 * evidence proves itself, or that reproduced on replay); unconfirmed findings alone, a negative
 * control that did not pass, nothing judged, or coverage below the gate make it INCONCLUSIVE.
 */
export function verdictWithReason(
  facts: ControlFacts & {
    negativeControl: { outcome: string };
    /** Share of tenant-owned operations probed for isolation, and the gate (--min-coverage). */
    coverageGate?: { ratio: number; minimum: number; detail: string };
    /** Answers the target throttled (429), of all answers. */
    throttling?: { answers: number; throttled: number };
    /** Requests whose answer no oracle could read (timeouts, truncated bodies), of all requests, with the causes. */
    unusable?: { count: number; requests: number; causes: string };
  },
): { verdict: 'clean' | 'leak' | 'inconclusive'; reason?: string } {
  const confirmed = facts.findings.filter((f) => f.confirmation !== 'unconfirmed');
  if (confirmed.length > 0) return { verdict: 'leak' };
  if (facts.findings.length > 0)
    return {
      verdict: 'inconclusive',
      reason: `${facts.findings.length} unconfirmed finding(s): none proves itself (victim-owned data or a victim state change) and none reproduced on replay`,
    };
  const u = facts.unusable;
  if (u && u.requests > 0 && u.count / u.requests > 0.5)
    return {
      verdict: 'inconclusive',
      reason: `the target gave no usable answer to ${u.count} of ${u.requests} requests (${u.causes}): a verdict needs answers the oracles can read, in time (--request-timeout) and under --max-response-size; the observations say what the target sent instead`,
    };
  if (facts.negativeControl.outcome !== 'passed')
    return {
      verdict: 'inconclusive',
      reason: `the negative control ${facts.negativeControl.outcome}: the oracles were not shown to fire in this run`,
    };
  if (!facts.coverage.some((c) => c.count > 0)) return { verdict: 'inconclusive', reason: 'no oracle judged anything' };
  const t = facts.throttling;
  if (t && t.answers > 0 && t.throttled / t.answers > 0.5)
    return {
      verdict: 'inconclusive',
      reason: `the target throttled ${t.throttled} of ${t.answers} answers (429): too few answers to judge; lower --max-rps (e.g. 90/m) or raise the target's limit for the test`,
    };
  const gate = facts.coverageGate;
  if (gate && gate.ratio < gate.minimum)
    return {
      verdict: 'inconclusive',
      reason: `coverage ${Math.round(gate.ratio * 100)}% is below --min-coverage ${Math.round(gate.minimum * 100)}%: ${gate.detail}`,
    };
  return { verdict: 'clean' };
}
