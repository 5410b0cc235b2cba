/**
 * The next page of a list or search, as a step built from the page before and its answer: the
 * same request with the cursor taken from that answer (a reference `{ $from, path }` to it, so a
 * counterexample replays the walk on fresh tenants), or the offset or page number moved on by what
 * came back. Styles follow openapi/pagination.ts; a cursor list with no next-cursor field but a
 * "has more" flag pages by the last item's id (`starting_after`).
 */
import { itemsOf } from './extract-ids.ts';
import { getPath } from './json-path.ts';
import type { CampaignPlan } from './plan.ts';
import type { Step } from './step.ts';

/** What the previous page's request got back. */
export interface PageAnswer {
  status: number;
  json?: unknown;
}

export interface NextPage {
  step: Step;
  /** What moves the walk on (the cursor, the offset, the page number), to stop a walk that loops. */
  token: string;
}

/** The step for the page after `previous`, or undefined when `previous` was the last page (or failed). */
export function nextPageStep(plan: CampaignPlan, previous: Step, answer: PageAnswer | undefined): NextPage | undefined {
  const op = plan.byId.get(previous.operationId)?.op;
  const p = op?.pagination;
  if (!op || !p?.param || !answer || answer.status < 200 || answer.status >= 300) return undefined;
  const json = answer.json;
  if (p.hasMoreField && getPath(json, p.hasMoreField) === false) return undefined;
  const items = itemsOf(json, op.itemsField);
  const count = Array.isArray(items) ? items.length : 0;
  const next = (value: Step['query'][string], token: string): NextPage => ({
    step: { ...structuredClone(previous), index: -1, query: { ...structuredClone(previous.query), [p.param!]: value } },
    token,
  });
  if (p.style === 'cursor') {
    if (p.nextField) {
      const cursor = getPath(json, p.nextField);
      if ((typeof cursor !== 'string' && typeof cursor !== 'number') || cursor === '') return undefined;
      return next({ $from: previous.index, path: p.nextField }, String(cursor));
    }
    // No next-cursor field: the last item's id is the cursor, while the answer says there is more.
    if (!p.hasMoreField || getPath(json, p.hasMoreField) !== true || count === 0) return undefined;
    const idField = plan.resources.get(op.resource ?? '')?.idField ?? 'id';
    const path = [op.itemsField, String(count - 1), idField].filter((s) => s !== undefined && s !== '').join('.');
    const last = getPath(json, path);
    if ((typeof last !== 'string' && typeof last !== 'number') || last === '') return undefined;
    return next({ $from: previous.index, path }, String(last));
  }
  if (p.style === 'offset' || p.style === 'page') {
    // No cursor: read on while full pages come back.
    const sent = p.limitParam !== undefined ? Number(previous.query[p.limitParam]) : NaN;
    if (count === 0 || (Number.isFinite(sent) && count < sent)) return undefined;
    const raw = previous.query[p.param];
    const current = typeof raw === 'number' ? raw : p.style === 'page' ? 1 : 0;
    const moved = p.style === 'offset' ? current + count : current + 1;
    return next(moved, String(moved));
  }
  return undefined;
}
