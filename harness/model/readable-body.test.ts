import { describe, expect, it } from 'vitest';
import type { RecordedResponse } from './exchange.ts';
import { unreadableBody } from './readable-body.ts';

const res = (bodyText: string, type: string, extra: Partial<RecordedResponse> = {}): RecordedResponse => ({
  status: 200,
  headers: { 'content-type': type },
  bodyText,
  durationMs: 1,
  ...extra,
});

describe('unreadableBody', () => {
  it('reads JSON whatever its label, and reads empty and plain-text bodies', () => {
    expect(unreadableBody(res('{"id":"a"}', 'application/json', { json: { id: 'a' } }))).toBe(false);
    // Labelled text/html, but whole JSON (a mislabelled answer): readable, parsed on demand.
    expect(unreadableBody(res('{"id":"a"}', 'text/html; charset=utf-8'))).toBe(false);
    expect(unreadableBody(res('', 'application/json'))).toBe(false);
    expect(unreadableBody(res('<p>hello</p>', 'text/html'))).toBe(false);
    expect(unreadableBody(res('id,name\n1,a\n', 'text/csv'))).toBe(false);
  });

  it('refuses JSON cut short or broken, by label or by its look', () => {
    expect(unreadableBody(res('{"id":"a","na', 'application/json'))).toBe(true);
    expect(unreadableBody(res('{"id":"a","na', 'text/html'))).toBe(true);
    expect(unreadableBody(res('[{"id":1},', 'text/plain'))).toBe(true);
    expect(unreadableBody(res('not json at all', 'application/problem+json'))).toBe(true);
  });

  it('leaves NDJSON to its line reader, and refuses a body cut at the size limit', () => {
    expect(unreadableBody(res('{"id":1}\n{"id":2}\n', 'application/x-ndjson'))).toBe(false);
    expect(unreadableBody(res('{"id":1}', 'application/json', { json: { id: 1 }, truncated: true }))).toBe(true);
  });
});
