/** Which answers no oracle can use, and why: the counts behind an "unusable target" verdict. */
import type { Exchange } from '../model/exchange.ts';
import { unreadableBody } from '../model/readable-body.ts';

/**
 * Why no oracle can use an answer, or undefined when one can: a transport error (its code), a body
 * cut at the size cap, a body that does not parse as what it claims, or a redirect (never followed:
 * the credentials stay with the target).
 */
export function unusableCause(ex: Exchange): string | undefined {
  if (ex.error) return ex.error.code === 'ABORTED' ? undefined : ex.error.code;
  const r = ex.response;
  if (!r) return undefined;
  if (r.truncated) return 'truncated';
  if (unreadableBody(r)) return 'unparseable body';
  if (r.status >= 300 && r.status < 400 && r.status !== 304) return `redirect ${r.status}`;
  return undefined;
}
