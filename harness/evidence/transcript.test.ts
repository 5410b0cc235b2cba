import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex, ZERO_HASH } from './hash.ts';
import { TranscriptClosedError } from './errors.ts';
import { readTranscript, TranscriptWriter, verifyTranscript } from './transcript.ts';
import { ADMIN_TOKEN, API_KEY_T1, API_KEY_T2, exchanges, tmpDir } from './evidence-fixtures.test-support.ts';

function write(secrets: string[] = [ADMIN_TOKEN]) {
  const file = join(tmpDir(), 'transcript.ndjson');
  const t = new TranscriptWriter(file, { secrets });
  const lines = exchanges().map((e) => t.appendExchange(e));
  return { file, t, lines };
}

describe('transcript', () => {
  it('writes one chained line per exchange, flushed as it goes', () => {
    const { file, t, lines } = write();
    expect(lines).toEqual([1, 2, 3]);
    // Readable before close: each line is already on disk.
    const raw = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(raw).toHaveLength(3);
    const parsed = raw.map((l) => JSON.parse(l) as { line: number; prev: string });
    expect(parsed[0]!.prev).toBe(ZERO_HASH);
    expect(parsed[1]!.prev).toBe(sha256Hex(raw[0]!));
    expect(parsed[2]!.prev).toBe(sha256Hex(raw[1]!));
    t.close();
    expect(() => t.appendNote('late')).toThrow(TranscriptClosedError);
    expect(verifyTranscript(file)).toEqual({ ok: true, lines: 3 });
  });

  it('redacts credentials with a keyed hash, including an apiKey first seen in a body', () => {
    const { file, t } = write();
    t.close();
    const text = readFileSync(file, 'utf8');
    for (const secret of [API_KEY_T1, API_KEY_T2, ADMIN_TOKEN, 'abcdef123456']) expect(text).not.toContain(secret);
    const lines = readTranscript(file);
    const l1 = lines[0]!;
    const l3 = lines[2]!;
    if (l1.type !== 'exchange' || l3.type !== 'exchange') throw new Error('expected exchanges');
    expect(l1.exchange.request.headers['x-admin-token']).toMatch(/^hmac-sha256:[0-9a-f]{16}$/);
    const keyTag = (JSON.parse(l1.exchange.response!.bodyText) as { apiKey: string }).apiKey;
    expect(l1.exchange.response).not.toHaveProperty('json');
    expect(keyTag).toMatch(/^hmac-sha256:[0-9a-f]{16}$/);
    // The same key in a later Authorization header hashes to the same tag, so a reviewer can correlate.
    expect(l3.exchange.request.headers['authorization']).toBe(`Bearer ${keyTag}`);
    expect(l3.exchange.request.headers['cookie']).toMatch(
      /^sid=hmac-sha256:[0-9a-f]{16}; theme=hmac-sha256:[0-9a-f]{16}$/,
    );
    expect(l1.exchange.response!.headers['set-cookie']).toMatch(/^sid=hmac-sha256:[0-9a-f]{16}; Path=\/; HttpOnly$/);
    // Non-secret data stays readable.
    expect(l3.exchange.response!.bodyText).toContain('Beta tpT2x0001');
  });

  it('learns secret-named query parameters from URLs', () => {
    const file = join(tmpDir(), 'transcript.ndjson');
    const t = new TranscriptWriter(file);
    const [first] = exchanges();
    t.appendExchange({
      ...first!,
      request: {
        ...first!.request,
        url: 'http://h/v1/x?api_key=qsecret123456&page=2',
        path: '/v1/x?api_key=qsecret123456&page=2',
      },
    });
    t.close();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('qsecret123456');
    expect(text).toContain('page=2');
  });

  it('uses a per-run key: the same secret hashes differently in two runs', () => {
    const a = write();
    const b = write();
    a.t.close();
    b.t.close();
    const tagA = (readTranscript(a.file)[0] as { exchange: { request: { headers: Record<string, string> } } }).exchange
      .request.headers['x-admin-token'];
    const tagB = (readTranscript(b.file)[0] as { exchange: { request: { headers: Record<string, string> } } }).exchange
      .request.headers['x-admin-token'];
    expect(tagA).not.toBe(tagB);
  });

  it('reports the first broken line on edit, deletion, reordering and truncation', () => {
    const { file, t } = write();
    t.appendNote('end');
    t.close();
    const good = readFileSync(file, 'utf8');
    const lines = good.split('\n').filter(Boolean);

    writeFileSync(file, good.replace('Beta tpT2x0001', 'Beta tpT2x0002'));
    expect(verifyTranscript(file)).toMatchObject({ ok: false, firstBroken: { line: 3 } });

    writeFileSync(file, [lines[0], lines[2], lines[3]].join('\n') + '\n');
    expect(verifyTranscript(file)).toMatchObject({ ok: false, firstBroken: { line: 2 } });

    writeFileSync(file, [lines[0], lines[2], lines[1], lines[3]].join('\n') + '\n');
    expect(verifyTranscript(file).firstBroken?.line).toBe(2);

    writeFileSync(file, good.slice(0, -5));
    expect(verifyTranscript(file)).toMatchObject({
      ok: false,
      firstBroken: { line: 4, reason: expect.stringContaining('incomplete') },
    });

    writeFileSync(file, good);
    expect(verifyTranscript(file).ok).toBe(true);
  });

  it('continues the chain when reopened (a resumed run)', () => {
    const { file, t } = write();
    t.close();
    const again = new TranscriptWriter(file);
    expect(again.appendNote('resumed')).toBe(4);
    again.close();
    expect(verifyTranscript(file)).toEqual({ ok: true, lines: 4 });
  });

  it('no configured or learned secret survives anywhere in a line (property)', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9_-]{12,32}$/);
    const filler = fc.string({ maxLength: 20 }).map((x) => x.replace(/[A-Za-z0-9_-]/g, ' '));
    fc.assert(
      fc.property(secret, secret, filler, filler, (configured, learned, a, b) => {
        fc.pre(!configured.includes(learned) && !learned.includes(configured));
        const file = join(tmpDir(), 'transcript.ndjson');
        const t = new TranscriptWriter(file, { secrets: [configured] });
        const [first] = exchanges();
        const body = { nested: { apiKey: learned }, note: `${a}${configured}${b}` };
        t.appendExchange({
          ...first!,
          request: {
            ...first!.request,
            url: `http://h/x/${configured}`,
            path: `/x/${configured}`,
            headers: { 'x-api-key': configured, authorization: `Bearer ${learned}` },
            bodyText: `${a}${learned}${b}`,
          },
          response: {
            status: 200,
            headers: { 'x-echo': `${a}${configured}` },
            bodyText: JSON.stringify(body),
            json: body,
            durationMs: 1,
          },
          error: { code: 'E', message: `${learned} ${configured}` },
        });
        t.close();
        const text = readFileSync(file, 'utf8');
        expect(text.includes(configured)).toBe(false);
        expect(text.includes(learned)).toBe(false);
      }),
      { seed: 777, numRuns: 100 },
    );
  });
  it('keeps a running digest of what it wrote, equal to the file, and continues it when reopened', () => {
    const { file, t } = write();
    t.appendNote('a note');
    const whole = readFileSync(file);
    expect(t.digest()).toEqual({ sha256: createHash('sha256').update(whole).digest('hex'), size: whole.length });
    t.close();
    const again = new TranscriptWriter(file);
    again.appendNote('after resume');
    const grown = readFileSync(file);
    expect(again.digest()).toEqual({ sha256: createHash('sha256').update(grown).digest('hex'), size: grown.length });
    again.close();
  });

  it('reads back only the exchanges asked for, redacted as written, with their line numbers', () => {
    const { file, t } = write();
    t.appendNote('between');
    const back = t.readExchanges([3, 2, 42, 2]);
    expect([...back.keys()]).toEqual([3, 2]);
    const onDisk = readTranscript(file).filter((l) => l.type === 'exchange');
    for (const seq of [2, 3]) {
      const line = onDisk.find((l) => l.type === 'exchange' && l.exchange.seq === seq)!;
      expect(back.get(seq)).toEqual({ ...(line.type === 'exchange' ? line.exchange : {}), transcriptLine: line.line });
    }
    expect(JSON.stringify([...back.values()])).not.toContain(API_KEY_T2);
    t.close();
  });
});
