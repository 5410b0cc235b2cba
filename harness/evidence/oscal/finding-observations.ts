/**
 * One observation per finding (type `finding`): its kind, oracle, operation, probe, relation
 * (the pseudonymous attacker and victim labels), proof, confirmation, the SHA-256 of its evidence
 * record, transcript line numbers, and links to the transcript and counterexample resources. Never
 * the victim's data: no summary, repro, excerpt, id or value (they stay in the signed folder).
 */
import { createHash } from 'node:crypto';
import { EVIDENCE_FILE, type Evidence, type EvidenceFinding } from '../evidence-schema.ts';
import { TRANSCRIPT_FILE } from '../transcript.ts';
import { fileEvidence, observation, operationLabel, type Observation, type ObservationContext } from './observation.ts';
import { prop } from './vocabulary.ts';

/** Sorted-key JSON, so equal records hash alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The kinds a finding's evidence record names (`kind`, and the kinds of its hits), never the values. */
export function evidenceKinds(record: Record<string, unknown>): string[] {
  const kinds = new Set<string>();
  if (typeof record['kind'] === 'string') kinds.add(record['kind']);
  const hits = record['hits'];
  if (Array.isArray(hits))
    for (const h of hits) {
      const k = (h as { kind?: unknown } | null)?.kind;
      if (typeof k === 'string') kinds.add(k);
    }
  return [...kinds].sort();
}

/** SHA-256 of a finding's evidence record (sorted-key JSON): binds the observation to it without repeating it. */
export function evidenceRecordSha256(record: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

const PROOF_TEXT: Record<NonNullable<EvidenceFinding['proof']>, string> = {
  'victim-data': "values the victim owns came back in the attacker's answer",
  'victim-state-change': "the victim's own re-read shows the attacker's write took effect",
  difference: 'the answer differs from a twin request naming an id that exists nowhere',
};

/** When a finding was collected: the end of its own run (a merged folder's shard), else of the run. */
function collectedOf(evidence: Evidence, f: EvidenceFinding): string {
  const shard = f.origin ? evidence.method.merged?.shards.find((s) => s.runId === f.origin!.runId) : undefined;
  return shard?.endedAt ?? evidence.method.endedAt;
}

export function findingDescription(evidence: Evidence, f: EvidenceFinding): string {
  return (
    `The ${f.oracle} oracle raised a ${f.severity} finding on ${operationLabel(evidence, f.operationId)}` +
    `${f.probe ? `, probe ${f.probe}` : ''}: a request of tenant ${f.attacker}` +
    `${f.victim ? ` concerning tenant ${f.victim}'s records` : ''} broke tenant isolation.` +
    `${f.proof ? ` Proof: ${PROOF_TEXT[f.proof]}.` : ''}` +
    ` Confirmation: ${f.confirmation ?? 'self-proving'}; reproduced ${f.reproduction.reproduced} of ${f.reproduction.attempts} replay(s).`
  );
}

export function findingObservations(ctx: ObservationContext): Map<string, Observation> {
  const out = new Map<string, Observation>();
  for (const f of ctx.evidence.findings) {
    const transcript = f.transcript ?? TRANSCRIPT_FILE;
    const lines = f.transcriptLines.length > 0 ? ` lines ${f.transcriptLines.join(', ')}` : '';
    out.set(
      f.id,
      observation(ctx, `observation/finding/${f.id}`, {
        title: `${f.id}: ${f.oracle} on ${f.operationId}`,
        description: findingDescription(ctx.evidence, f),
        props: [
          prop('observation-kind', 'finding'),
          prop('finding-id', f.id),
          prop('oracle', f.oracle),
          prop('operation-id', f.operationId),
          ...(f.probe ? [prop('probe', f.probe)] : []),
          prop('severity', f.severity),
          ...(f.proof ? [prop('proof', f.proof)] : []),
          prop('confirmation', f.confirmation ?? 'self-proving'),
          prop('attacker', f.attacker),
          ...(f.victim ? [prop('victim', f.victim)] : []),
          ...evidenceKinds(f.evidence).map((k) => prop('evidence-kind', k)),
          prop('evidence-record-sha256', evidenceRecordSha256(f.evidence)),
          prop('reproduced', f.reproduction.reproduced),
          prop('attempts', f.reproduction.attempts),
          ...f.transcriptLines.map((l) => prop('transcript-line', l)),
          ...(f.origin ? [prop('origin-run-id', f.origin.runId), prop('origin-finding-id', f.origin.id)] : []),
        ],
        types: ['finding'],
        'relevant-evidence': [
          ...fileEvidence(ctx, transcript, `the redacted exchanges of ${f.id} (${transcript}${lines})`),
          ...(f.counterexample
            ? fileEvidence(
                ctx,
                f.counterexample,
                `the minimal counterexample of ${f.id}, replayable with tenantproof replay`,
              )
            : []),
          ...fileEvidence(
            ctx,
            EVIDENCE_FILE,
            `${EVIDENCE_FILE} findings (${f.id}); its evidence record has the SHA-256 in the prop evidence-record-sha256`,
          ),
        ],
        collected: collectedOf(ctx.evidence, f),
      }),
    );
  }
  return out;
}
