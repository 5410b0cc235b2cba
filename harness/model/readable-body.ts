/**
 * Whether an answer's body can be read as what it claims to be. A body that is labelled JSON, or
 * looks like JSON, but does not parse (cut short, or broken by the server) says nothing reliable:
 * no oracle compares it, and the world cannot learn from it. NDJSON is read line by line, and a
 * body cut at the harness's size limit was never whole.
 */
import type { RecordedResponse } from './exchange.ts';

export function unreadableBody(response: RecordedResponse): boolean {
  if (response.truncated) return true;
  if (response.json !== undefined || response.bodyText.trim() === '') return false;
  const type = response.headers['content-type'] ?? '';
  if (/ndjson|jsonl|json-seq/i.test(type)) return false;
  if (!/json/i.test(type) && !/^\s*[[{]/.test(response.bodyText)) return false;
  // Not parsed when recorded (or read back from a transcript, which keeps only the text): try.
  try {
    JSON.parse(response.bodyText);
    return false;
  } catch {
    return true;
  }
}
