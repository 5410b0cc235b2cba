/**
 * The result's `assessment-log`: one entry per run the evidence covers, with its start and end, seed,
 * requests and verdict, linked to that run's evidence.json. A merged folder logs each run it merged
 * (`shards/<runId>/evidence.json`); any other folder logs its own run.
 */
import { EVIDENCE_FILE, type Evidence } from '../evidence-schema.ts';
import { prop, resourceHref, type Link, type Prop } from './vocabulary.ts';

export interface LogEntry {
  uuid: string;
  title: string;
  description: string;
  start: string;
  end: string;
  props: Prop[];
  links?: Link[];
  remarks?: string;
}

export function assessmentLog(
  evidence: Evidence,
  uuid: (elementPath: string) => string,
  resources: ReadonlyMap<string, string>,
): LogEntry[] {
  const link = (path: string): { links?: Link[] } => {
    const id = resources.get(path);
    return id ? { links: [{ href: resourceHref(id), rel: 'evidence', text: path }] } : {};
  };
  const m = evidence.method;
  if (m.merged)
    return m.merged.shards.map((s) => ({
      uuid: uuid(`log/${s.runId}`),
      title: `Run ${s.runId}${s.index !== undefined ? ` (shard ${s.index}${m.merged?.shardCount ? ` of ${m.merged.shardCount}` : ''})` : ''}`,
      description: `tenantproof run, seed ${s.seed}: ${s.requestCount} requests, ${s.interleavedBatchCount} concurrent batches, ${s.findings} finding(s), negative control ${s.negativeControl}, verdict ${s.verdict}${s.partial ? ' (partial)' : ''}.`,
      start: s.startedAt,
      end: s.endedAt,
      props: [
        prop('run-id', s.runId),
        ...(s.index !== undefined ? [prop('shard-index', s.index)] : []),
        prop('seed', s.seed),
        prop('request-count', s.requestCount),
        prop('verdict', s.verdict),
        prop('partial', s.partial),
        prop('evidence-sha256', s.evidenceSha256),
      ],
      ...link(`${s.dir}/${EVIDENCE_FILE}`),
      ...(s.partialReason ? { remarks: s.partialReason } : {}),
    }));
  return [
    {
      uuid: uuid(`log/${evidence.runId}`),
      title: `Run ${evidence.runId}${m.shard ? ` (shard ${m.shard.index} of ${m.shard.count})` : ''}`,
      description: `tenantproof run, seed ${m.seed}: ${m.requestCount} requests, ${m.interleavedBatchCount} concurrent batches, ${evidence.findings.length} finding(s), negative control ${evidence.negativeControl.outcome}, verdict ${evidence.verdict}${m.partial ? ' (partial)' : ''}.`,
      start: m.startedAt,
      end: m.endedAt,
      props: [
        prop('run-id', evidence.runId),
        ...(m.shard ? [prop('shard-index', m.shard.index)] : []),
        prop('seed', m.seed),
        prop('request-count', m.requestCount),
        prop('verdict', evidence.verdict),
        prop('partial', m.partial),
      ],
      ...link(EVIDENCE_FILE),
      ...(m.partialReason ? { remarks: m.partialReason } : {}),
    },
  ];
}
