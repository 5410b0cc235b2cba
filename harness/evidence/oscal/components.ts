/**
 * Who was assessed and what assessed it, as the result's `local-definitions`: the API under test as
 * a `service` component (the subject of every observation), and tenantproof as a `software`
 * component used by the one assessment platform (the origin of every observation, finding and risk).
 */
import type { Evidence } from '../evidence-schema.ts';
import { prop, type Origin, type Prop, type SubjectReference } from './vocabulary.ts';

interface Component {
  uuid: string;
  type: string;
  title: string;
  description: string;
  props: Prop[];
  status: { state: 'operational' };
}

export interface Parties {
  localDefinitions: {
    components: Component[];
    'assessment-assets': {
      components: Component[];
      'assessment-platforms': Array<{
        uuid: string;
        title: string;
        'uses-components': Array<{ 'component-uuid': string }>;
      }>;
    };
  };
  /** The origin of everything tenantproof observed or found. */
  origin: Origin;
  /** The API under test, as a subject reference. */
  subject: SubjectReference;
}

export function parties(evidence: Evidence, uuid: (elementPath: string) => string): Parties {
  const { spec, target, operations } = evidence.scope;
  const tool = evidence.method.tool;
  const api: Component = {
    uuid: uuid('component/target'),
    type: 'service',
    title: `${spec.title} ${spec.version}`,
    description: `The multi-tenant API under test, as its OpenAPI contract (SHA-256 ${spec.sha256}) describes it: ${operations.inScope.length} operations in scope, ${operations.outOfScope.length} out of scope (evidence.json \`scope.operations\` says why).`,
    props: [
      prop('spec-sha256', spec.sha256),
      prop('target-kind', target.kind),
      ...(target.kind === 'url' && target.url ? [prop('target-url', target.url)] : []),
      ...(target.faults ?? []).map((f) => prop('fault', f)),
    ],
    status: { state: 'operational' },
  };
  const software: Component = {
    uuid: uuid('component/tool'),
    type: 'software',
    title: `${tool.name} ${tool.version}`,
    description: 'The isolation harness that ran the campaign, judged the answers and sealed the evidence.',
    props: [prop('version', tool.version), ...(tool.gitCommit ? [prop('git-commit', tool.gitCommit)] : [])],
    status: { state: 'operational' },
  };
  const platform = uuid('assessment-platform/tool');
  return {
    localDefinitions: {
      components: [api],
      'assessment-assets': {
        components: [software],
        'assessment-platforms': [
          { uuid: platform, title: tool.name, 'uses-components': [{ 'component-uuid': software.uuid }] },
        ],
      },
    },
    origin: { actors: [{ type: 'tool', 'actor-uuid': software.uuid }] },
    subject: { 'subject-uuid': api.uuid, type: 'component', title: api.title },
  };
}
