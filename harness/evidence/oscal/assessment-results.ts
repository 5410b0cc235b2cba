/**
 * `buildAssessmentResults`: a sealed run folder's evidence as one NIST OSCAL 1.1.2 Assessment
 * Results document. Pure: the folder's evidence and file digests in (oscal-input.ts), the document
 * out; no clock, no randomness. Every UUID is a version 5 UUID named by the run id and the element's
 * path (uuid.ts), and every timestamp comes from the evidence (UTC, with `Z`), `metadata.last-modified`
 * included (the run's end): the same folder always exports to the same bytes.
 *
 * The document holds one result:
 * - `reviewed-controls`: the NIST SP 800-53 Rev. 5 controls of the control mapping as
 *   `include-controls` (`AC-3` → control-id `ac-3`). The other frameworks' controls (SOC 2 CC6.1,
 *   ISO/IEC 27001 A.8.3, CSA CCM, OWASP ASVS and API Top 10) are no OSCAL catalog's controls: forcing
 *   their ids into control-ids would name controls no catalog resolves. They are `framework-control`
 *   props (tenantproof's namespace, class = framework) of the reviewed controls, of their control
 *   observations and of the findings that violate them.
 * - `local-definitions`: the API under test (the subject) and tenantproof (the origin) as
 *   components (components.ts).
 * - `observations`, `findings`, `risks`: observations.ts, finding-observations.ts, findings.ts.
 * - `assessment-log`: one entry per run (assessment-log.ts).
 * `import-ap` names the back-matter resource describing the campaign method (assessment-plan.ts);
 * `back-matter` lists every file of the folder with its SHA-256 (back-matter.ts).
 */
import type { Evidence } from '../evidence-schema.ts';
import { EVIDENCE_FILE } from '../evidence-schema.ts';
import type { OracleSet } from '../../oracles/index.ts';
import { assessmentLog, type LogEntry } from './assessment-log.ts';
import { assessmentPlanResource, importAp } from './assessment-plan.ts';
import { fileResources, type Resource } from './back-matter.ts';
import { parties, type Parties } from './components.ts';
import { findingOf, riskOf, type Finding, type Risk } from './findings.ts';
import { findingObservations } from './finding-observations.ts';
import { frameworkControlProp, type Observation, type ObservationContext } from './observation.ts';
import {
  controlObservations,
  coverageObservations,
  negativeControlObservation,
  runObservations,
} from './observations.ts';
import type { OscalInput } from './oscal-input.ts';
import { runUuids } from './uuid.ts';
import {
  listField,
  NIST_800_53,
  OSCAL_VERSION,
  oscalControlId,
  prop,
  TENANTPROOF_UUID_NAMESPACE,
  type Prop,
} from './vocabulary.ts';

export interface ReviewedControls {
  description: string;
  props?: Prop[];
  'control-selections': Array<{ description: string; 'include-controls'?: Array<{ 'control-id': string }> }>;
}

export interface AssessmentResult {
  uuid: string;
  title: string;
  description: string;
  start: string;
  end: string;
  props: Prop[];
  'local-definitions': Parties['localDefinitions'];
  'reviewed-controls': ReviewedControls;
  'assessment-log': { entries: LogEntry[] };
  observations: Observation[];
  risks?: Risk[];
  findings?: Finding[];
  remarks?: string;
}

export interface AssessmentResultsDocument {
  'assessment-results': {
    uuid: string;
    metadata: {
      title: string;
      'last-modified': string;
      version: string;
      'oscal-version': string;
      props: Prop[];
      remarks: string;
    };
    'import-ap': { href: string; remarks: string };
    results: [AssessmentResult];
    'back-matter': { resources: Resource[] };
  };
}

export interface BuildOptions {
  /** The oracle registry titles and CWE weaknesses come from (default: the built-in one). */
  oracles?: OracleSet;
}

export function reviewedControls(evidence: Evidence): ReviewedControls {
  const nist = evidence.controlMapping.filter((c) => c.framework === NIST_800_53);
  const others = evidence.controlMapping.filter((c) => c.framework !== NIST_800_53);
  const ids = [...new Set(nist.map((c) => oscalControlId(c.id)))];
  return {
    description:
      "The controls of tenantproof's control mapping that this campaign tests for tenant isolation. NIST SP 800-53 Rev. 5 controls are selected by their catalog control-id; the controls of other frameworks are framework-control props (tenantproof namespace). Each control's status in this run is a control-objective observation.",
    ...listField(
      'props',
      others.map((c) => frameworkControlProp(c.framework, c.id)),
    ),
    'control-selections': [
      ids.length > 0
        ? {
            description: `${NIST_800_53} controls the campaign's oracles bear on.`,
            'include-controls': ids.map((id) => ({ 'control-id': id })),
          }
        : { description: `The control mapping of this run names no ${NIST_800_53} control.` },
    ],
  };
}

/**
 * When the target was assessed and until when the signer vouches for the evidence (evidence.json
 * 1.1 `assessedAt`, `validUntil`; absent from 1.0 evidence). Typed structurally, so it reads both.
 */
function freshnessProps(e: { assessedAt?: string | undefined; validUntil?: string | undefined }): Prop[] {
  return [
    ...(e.assessedAt ? [prop('assessed-at', e.assessedAt)] : []),
    ...(e.validUntil ? [prop('valid-until', e.validUntil)] : []),
  ];
}

function verdictText(evidence: Evidence): string {
  const v = evidence.verdict.toUpperCase();
  return evidence.verdictReason ? `${v}: ${evidence.verdictReason}` : v;
}

export function buildAssessmentResults(input: OscalInput, options: BuildOptions = {}): AssessmentResultsDocument {
  const { evidence } = input;
  const uuid = runUuids(TENANTPROOF_UUID_NAMESPACE, evidence.runId);
  const { resources: files, byPath } = fileResources(input.files, uuid);
  const plan = assessmentPlanResource(
    evidence,
    input.files.find((f) => f.path === EVIDENCE_FILE),
    uuid,
  );
  const who = parties(evidence, uuid);
  const ctx: ObservationContext = { evidence, uuid, origin: who.origin, subject: who.subject, resources: byPath };
  const perFinding = findingObservations(ctx);
  const findingCtx = { uuid, origin: who.origin, ...(options.oracles ? { registry: options.oracles } : {}) };
  const risks = evidence.findings.map((f) => riskOf(evidence, f, perFinding.get(f.id)!, findingCtx));
  const findings = evidence.findings.map((f, i) =>
    findingOf(evidence, f, perFinding.get(f.id)!, risks[i]!, findingCtx),
  );
  const { spec } = evidence.scope;
  const m = evidence.method;

  const result: AssessmentResult = {
    uuid: uuid('result'),
    title: `Tenant isolation of ${spec.title} ${spec.version}: ${evidence.verdict.toUpperCase()}`,
    description:
      `tenantproof run ${evidence.runId}: ${m.requestCount} requests by ${m.tenants.length} tenants against ${spec.title} ${spec.version}, ` +
      `${evidence.findings.length} finding(s), negative control ${evidence.negativeControl.outcome}. Verdict ${verdictText(evidence)}.`,
    start: m.startedAt,
    end: m.endedAt,
    props: [
      prop('run-id', evidence.runId),
      prop('verdict', evidence.verdict),
      prop('partial', m.partial),
      ...(m.merged ? [prop('merged-run-count', m.merged.shards.length)] : []),
      ...freshnessProps(evidence),
    ],
    'local-definitions': who.localDefinitions,
    'reviewed-controls': reviewedControls(evidence),
    'assessment-log': { entries: assessmentLog(evidence, uuid, byPath) },
    observations: [
      ...coverageObservations(ctx),
      negativeControlObservation(ctx),
      ...controlObservations(ctx),
      ...runObservations(ctx),
      ...perFinding.values(),
    ],
    ...listField('risks', risks),
    ...listField('findings', findings),
    ...(m.partialReason ? { remarks: `Partial evidence: ${m.partialReason}` } : {}),
  };

  return {
    'assessment-results': {
      uuid: uuid('assessment-results'),
      metadata: {
        title: `Tenant isolation assessment results: ${spec.title} ${spec.version}, run ${evidence.runId}`,
        'last-modified': m.endedAt,
        version: evidence.runId,
        'oscal-version': OSCAL_VERSION,
        props: [
          prop('tool', `${m.tool.name} ${m.tool.version}`),
          prop('run-id', evidence.runId),
          prop('verdict', evidence.verdict),
          ...(input.seal.keyFingerprint ? [prop('signing-key-fingerprint', input.seal.keyFingerprint)] : []),
          prop('signing-key-pinned', input.seal.pinned),
        ],
        remarks:
          `Exported by \`tenantproof export oscal\` from the sealed run folder ${evidence.runId}, after it verified ` +
          `(manifest, signature, transcript chain, evidence schema). Every file of the folder is a back-matter resource with its SHA-256. ` +
          (input.seal.pinned
            ? 'The signing key was pinned by the reviewer: integrity and origin verified.'
            : "The signing key was the folder's own: integrity verified, origin not (pin the vendor's key with --public-key)."),
      },
      'import-ap': importAp(plan),
      results: [result],
      'back-matter': { resources: [plan, ...files] },
    },
  };
}
