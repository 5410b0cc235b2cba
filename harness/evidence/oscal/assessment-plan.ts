/**
 * `import-ap`: OSCAL Assessment Results must name the assessment plan they carry out. tenantproof
 * has no separate OSCAL assessment plan: what it planned and did is the campaign method that
 * evidence.json records (the spec it read and that spec's SHA-256, the campaign settings and their
 * digest, seed, budget, tenants, oracles and each oracle's proof rule). So `import-ap.href` is a
 * `#uuid` fragment pointing at a back-matter resource of this same document that describes that
 * method and links to evidence.json with its SHA-256. This keeps the document self-contained and
 * resolvable (no href to a plan that does not exist), and binds the "plan" to the signed bytes it
 * came from. A team that keeps its own OSCAL assessment plan can replace the href with its plan's
 * URL; nothing else in the document depends on it.
 *
 * The plan's one objective, `tenant-isolation` (no tenant's request reads, changes or learns of
 * another tenant's data), is the target of a finding that the control mapping ties to no NIST SP
 * 800-53 control (see findings.ts).
 */
import { EVIDENCE_FILE, type Evidence } from '../evidence-schema.ts';
import type { Resource } from './back-matter.ts';
import { pathHref, prop, resourceHref } from './vocabulary.ts';
import type { EvidenceFileDigest } from './oscal-input.ts';

/** The objective of the tenantproof method, for findings no NIST SP 800-53 control covers. */
export const TENANT_ISOLATION_OBJECTIVE = 'tenant-isolation';

export const ASSESSMENT_PLAN_PATH = 'resource/assessment-plan';

function budgetText(b: Evidence['method']['budget']): string {
  const parts = [b.ms !== undefined ? `${b.ms} ms` : undefined, b.runs !== undefined ? `${b.runs} runs` : undefined];
  return parts.filter(Boolean).join(', ') || 'none';
}

export function assessmentPlanResource(
  evidence: Evidence,
  evidenceFile: EvidenceFileDigest | undefined,
  uuid: (elementPath: string) => string,
): Resource {
  const { spec, target } = evidence.scope;
  const m = evidence.method;
  const rules = (m.oracleRules ?? []).map((r) => `- ${r.name} (${r.title}): ${r.rule}`);
  return {
    uuid: uuid(ASSESSMENT_PLAN_PATH),
    title: `tenantproof isolation campaign: the method these results carry out`,
    description:
      `${m.tool.name} ${m.tool.version} ran an isolation campaign against the API that ${spec.title} ${spec.version} ` +
      `describes (OpenAPI, SHA-256 ${spec.sha256}): ${m.tenants.length} tenants, each with its own credential and known ` +
      `only by a pseudonymous label, exercised the ${evidence.scope.operations.inScope.length} in-scope operations on ` +
      `their own data and on each other's, seed ${m.seed}, budget ${budgetText(m.budget)}. ` +
      `The oracles (${m.oracles.join(', ')}) judged every answer by their proof rules, and a negative control planted ` +
      `a known cross-tenant value to show that they fire. The objective, \`${TENANT_ISOLATION_OBJECTIVE}\`: no tenant's ` +
      `request reads, changes or learns of another tenant's data. The method is recorded in ${EVIDENCE_FILE} ` +
      `(\`method\`, \`scope\`); there is no separate OSCAL assessment plan.`,
    props: [
      prop('spec-title', spec.title),
      prop('spec-version', spec.version),
      prop('spec-sha256', spec.sha256),
      ...(spec.file ? [prop('spec-file', spec.file)] : []),
      ...(m.configDigest ? [prop('config-digest', m.configDigest)] : []),
      prop('tool', `${m.tool.name} ${m.tool.version}`),
      ...(m.tool.gitCommit ? [prop('tool-git-commit', m.tool.gitCommit)] : []),
      prop('seed', m.seed),
      ...(m.budget.ms !== undefined ? [prop('budget-ms', m.budget.ms)] : []),
      ...(m.budget.runs !== undefined ? [prop('budget-runs', m.budget.runs)] : []),
      prop('tenant-count', m.tenants.length),
      ...m.oracles.map((o) => prop('oracle', o)),
      prop('target-kind', target.kind),
      ...(target.faults ?? []).map((f) => prop('fault', f)),
      ...(m.shard ? [prop('shard-count', m.shard.count)] : []),
      ...(m.merged?.shardCount !== undefined ? [prop('shard-count', m.merged.shardCount)] : []),
    ],
    ...(evidenceFile
      ? {
          rlinks: [
            {
              href: pathHref(evidenceFile.path),
              'media-type': 'application/json',
              hashes: [{ algorithm: 'SHA-256' as const, value: evidenceFile.sha256 }],
            },
          ],
        }
      : {}),
    ...(rules.length > 0 ? { remarks: `The oracles' proof rules:\n\n${rules.join('\n')}` } : {}),
  };
}

export function importAp(plan: Resource): { href: string; remarks: string } {
  return {
    href: resourceHref(plan.uuid),
    remarks:
      'tenantproof keeps no separate OSCAL assessment plan: the plan is the campaign method recorded in evidence.json, described by the back-matter resource this href names.',
  };
}
