/** RFC 9457 problem details as the CRM sends them (`application/problem+json`). */
import type { components } from '../generated/types.ts';

export type ProblemDetails = components['schemas']['Problem'];

/** Parses a body as a problem document, or returns undefined if it is not one. */
export function parseProblem(text: string): ProblemDetails | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.title !== 'string' || typeof v.status !== 'number') return undefined;
  return {
    ...v,
    type: typeof v.type === 'string' ? v.type : 'about:blank',
    title: v.title,
    status: v.status,
    requestId: typeof v.requestId === 'string' ? v.requestId : '',
  } as ProblemDetails;
}
