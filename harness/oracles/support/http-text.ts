/**
 * The raw text of a response as the foreign-data oracle scans it, and small accessors over
 * exchanges that several oracles share.
 */
import type { Exchange, RecordedResponse } from '../../model/exchange.ts';
import { unreadableBody } from '../../model/readable-body.ts';

/** Where in an exchange a byte offset points. */
export type Part = 'status' | 'header' | 'body' | 'error';

/** `HTTP <status>` then one `name: value` line per header, as scanned (header names lower-case). */
export function renderHead(response: RecordedResponse): {
  text: string;
  headerAt: Array<{ name: string; start: number; valueStart: number; end: number }>;
} {
  let text = `HTTP ${response.status}\r\n`;
  const headerAt: Array<{ name: string; start: number; valueStart: number; end: number }> = [];
  for (const [name, value] of Object.entries(response.headers)) {
    const start = Buffer.byteLength(text);
    const line = `${name}: ${value}`;
    headerAt.push({
      name,
      start,
      valueStart: start + Buffer.byteLength(`${name}: `),
      end: start + Buffer.byteLength(line),
    });
    text += line + '\r\n';
  }
  return { text, headerAt };
}

const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-correlation-id'];

/** The target's request id for this exchange: a response header, or `requestId` in the body. */
export function requestIdOf(exchange: Exchange): string | undefined {
  const res = exchange.response;
  if (!res) return undefined;
  for (const h of REQUEST_ID_HEADERS) {
    const v = res.headers[h];
    if (v) return v;
  }
  const json = res.json;
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const v = (json as Record<string, unknown>)['requestId'] ?? (json as Record<string, unknown>)['request_id'];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * Whether an exchange can be an oracle observation at all: it got an answer, and the answer is not
 * throttling (429), a server failure (5xx) or a body that does not parse as what it claims (cut
 * short, broken JSON), none of which says anything about isolation.
 */
export function comparable(exchange: Exchange | undefined): boolean {
  const response = exchange?.response;
  if (!response) return false;
  return response.status !== 429 && response.status < 500 && !unreadableBody(response);
}

/** The response body as JSON: the parsed value if recorded, else a parse of the text, else undefined. */
export function bodyJson(response: RecordedResponse | undefined): unknown {
  if (!response) return undefined;
  if (response.json !== undefined) return response.json;
  try {
    return JSON.parse(response.bodyText) as unknown;
  } catch {
    return undefined;
  }
}

/** Short context around a byte range of a text, for a reviewer to see the offending bytes. */
export function excerpt(
  text: string,
  byteStart: number,
  byteEnd: number,
  context = 40,
): { before: string; match: string; after: string; charOffset: number } {
  const buf = Buffer.from(text, 'utf8');
  const before = buf.subarray(Math.max(0, byteStart - context), byteStart).toString('utf8');
  const match = buf.subarray(byteStart, byteEnd).toString('utf8');
  const after = buf.subarray(byteEnd, Math.min(buf.length, byteEnd + context)).toString('utf8');
  const charOffset = buf.subarray(0, byteStart).toString('utf8').length;
  return { before, match, after, charOffset };
}
