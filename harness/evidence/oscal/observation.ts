/**
 * One OSCAL observation, as every observation of the export is made: by TEST, by tenantproof (the
 * origin), of the API under test (the subject), collected when the run ended unless said otherwise,
 * its evidence a back-matter resource of the same document.
 */
import type { Evidence } from '../evidence-schema.ts';
import { listField, prop, resourceHref, tokenOf, type Origin, type Prop, type SubjectReference } from './vocabulary.ts';

export interface RelevantEvidence {
  href: string;
  description: string;
}

export interface Observation {
  uuid: string;
  title: string;
  description: string;
  props?: Prop[];
  methods: ['TEST'];
  types?: string[];
  origins: Origin[];
  subjects: SubjectReference[];
  'relevant-evidence'?: RelevantEvidence[];
  collected: string;
  remarks?: string;
}

export interface ObservationContext {
  evidence: Evidence;
  uuid: (elementPath: string) => string;
  origin: Origin;
  subject: SubjectReference;
  /** Back-matter resource UUID of each file, by path. */
  resources: ReadonlyMap<string, string>;
}

/** A reference to a file of the folder, when the folder has it. */
export function fileEvidence(ctx: ObservationContext, path: string, description: string): RelevantEvidence[] {
  const id = ctx.resources.get(path);
  return id ? [{ href: resourceHref(id), description }] : [];
}

export function observation(
  ctx: ObservationContext,
  elementPath: string,
  fields: Omit<Observation, 'uuid' | 'methods' | 'origins' | 'subjects' | 'collected'> & { collected?: string },
): Observation {
  // Keys in the order the OSCAL model lists them, so the document reads like the model.
  return {
    uuid: ctx.uuid(elementPath),
    title: fields.title,
    description: fields.description,
    ...listField('props', fields.props ?? []),
    methods: ['TEST'],
    ...listField('types', fields.types ?? []),
    origins: [ctx.origin],
    subjects: [ctx.subject],
    ...listField('relevant-evidence', fields['relevant-evidence'] ?? []),
    collected: fields.collected ?? ctx.evidence.method.endedAt,
    ...(fields.remarks ? { remarks: fields.remarks } : {}),
  };
}

export function operationLabel(evidence: Evidence, operationId: string): string {
  const op = evidence.scope.operations.inScope.find((o) => o.operationId === operationId);
  return op ? `${operationId} (${op.method} ${op.path})` : operationId;
}

/** The prop naming a control of the mapping: `SOC 2 CC6.1`, class `soc-2`. */
export function frameworkControlProp(framework: string, id: string): Prop {
  return prop('framework-control', `${framework} ${id}`, { class: tokenOf(framework) });
}
