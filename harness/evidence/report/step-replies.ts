/**
 * What each repro step got back, for the sequence diagram's return arrows. Evidence written since
 * repro steps carry `response` says it for every step, as the minimal repro ran. Older evidence
 * does not: there the step the finding fired on is matched to the exchange the finding cites (same
 * tenant and method, the last such step), and the other steps say "status not recorded".
 */
import type { Exchange } from '../../model/exchange.ts';
import type { EvidenceFinding, ReproStep } from '../evidence-schema.ts';
import { firstHit, type HitContext } from '../findings.ts';

export type Excerpt = HitContext;

export interface StepReply {
  /** The return arrow's label: `200`, `no response: TIMEOUT` or `status not recorded`. */
  label: string;
  /** `data-status` of the reply: the status code, `error` or `none`. */
  status: string;
  /** The finding fired on this answer. */
  finding: boolean;
  /** The other tenant's bytes the answer carried (the finding's first hit). */
  excerpt?: Excerpt;
  /** Where the label comes from, for the tooltip. */
  source: string;
}

const NOT_RECORDED: StepReply = {
  label: 'status not recorded',
  status: 'none',
  finding: false,
  source: 'this evidence predates recorded responses',
};

function reply(status: number | undefined, error: string | undefined): Pick<StepReply, 'label' | 'status'> {
  if (status !== undefined) return { label: String(status), status: String(status) };
  if (error !== undefined) return { label: `no response: ${error}`, status: 'error' };
  return { label: 'status not recorded', status: 'none' };
}

/** Replies from the steps alone: what each recorded, else "status not recorded". */
export function recordedReplies(steps: readonly ReproStep[]): StepReply[] {
  return steps.map((s) => {
    const r = s.response;
    if (!r) return NOT_RECORDED;
    return {
      ...reply(r.status, r.error),
      finding: r.finding === true,
      ...(r.excerpt ? { excerpt: r.excerpt } : {}),
      source: 'recorded when the minimal repro ran',
    };
  });
}

/** Every step's reply; for old evidence, the step the finding fired on from the exchange it cites. */
export function stepReplies(f: EvidenceFinding, exchanges: ReadonlyMap<number, Exchange>): StepReply[] {
  const steps = f.repro.steps;
  const replies = recordedReplies(steps);
  if (steps.some((s) => s.response)) return replies;
  const cited = f.exchanges.map((seq) => exchanges.get(seq)).find((e): e is Exchange => e !== undefined);
  if (!cited) return replies;
  const at = steps.findLastIndex((s) => s.tenant === cited.tenant && s.method === cited.request.method);
  if (at < 0) return replies;
  const excerpt = firstHit(f.evidence);
  replies[at] = {
    ...reply(cited.response?.status, cited.error?.code),
    finding: true,
    ...(excerpt ? { excerpt } : {}),
    source: `from the exchange the finding cites${cited.transcriptLine !== undefined ? ` (transcript line ${cited.transcriptLine})` : ''}, as the finding first fired`,
  };
  return replies;
}
