/**
 * `transcript.ndjson`: every exchange of a run, appended as it happens, one JSON object per line.
 *
 * - Each line is written with a synchronous `fs.writeSync` on an append-only descriptor, so a crash
 *   loses at most the line being written (optionally `fsync` per line for power loss).
 * - Secrets are redacted before anything is written (see `redact.ts`).
 * - A response body is written once, as `bodyText` (its parsed form is left out).
 * - Each line carries `line` (1-based) and `prev`, the SHA-256 (hex) of the previous line's bytes
 *   without its newline (64 zeros for the first line). Editing, inserting, reordering or deleting a
 *   line breaks the chain at the next line. (Removing the *last* line keeps the chain valid: the
 *   manifest and the attestation cover that.)
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, type Hash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import type { Exchange } from '../model/exchange.ts';
import { TranscriptClosedError } from './errors.ts';
import type { FileDigest } from './file-digest.ts';
import { sha256Hex, ZERO_HASH } from './hash.ts';
import { Redactor } from './redact.ts';

export const TRANSCRIPT_FILE = 'transcript.ndjson';

/** One-shot `crypto.hash` (Node 20.12+): half the cost of a Hash object per line; sha256Hex before. */
const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;

function lineHash(bytes: Uint8Array): string {
  return oneShotHash ? oneShotHash('sha256', bytes, 'hex') : sha256Hex(bytes);
}

/** What a line holds besides the chain fields. */
export type TranscriptEntry =
  { type: 'exchange'; exchange: Exchange } | { type: 'note'; note: string; data?: Record<string, unknown> };

export type TranscriptLine = { line: number; prev: string; at: string } & TranscriptEntry;

export interface TranscriptWriterOptions {
  /** Secrets to redact wherever they appear (API keys, admin token). More can be added later. */
  secrets?: Iterable<string>;
  /** HMAC key for redaction; random per run by default, and never written. */
  redactionKey?: Buffer;
  /** fsync after every line (slower; survives power loss, not just process crash). */
  fsync?: boolean;
  /** Clock, for tests. */
  now?: () => Date;
}

export class TranscriptWriter {
  private fd: number | undefined;
  private prev = ZERO_HASH;
  private count = 0;
  private bytes = 0;
  /** SHA-256 of every byte written so far: a checkpoint seal reads it instead of the file. */
  private readonly running: Hash = createHash('sha256');
  /** Where each exchange's line is, by seq: the lines findings cite are read back by offset. */
  private readonly where = new Map<number, { offset: number; length: number }>();
  readonly redactor: Redactor;
  private readonly fsync: boolean;
  private readonly now: () => Date;
  /** Where each line is encoded before it is written and hashed: reused, so a line allocates no buffer. */
  private scratch = Buffer.allocUnsafe(16 * 1024);

  /**
   * Opens `file` for appending. If it already holds lines (a resumed run), the chain continues from
   * its last complete line.
   */
  constructor(
    readonly file: string,
    options: TranscriptWriterOptions = {},
  ) {
    this.redactor = new Redactor({
      ...(options.redactionKey ? { key: options.redactionKey } : {}),
      secrets: options.secrets ?? [],
    });
    this.fsync = options.fsync ?? false;
    this.now = options.now ?? (() => new Date());
    if (existsSync(file)) {
      const existing = readFileSync(file);
      this.bytes = existing.length;
      this.running.update(existing);
      const lines = splitLines(existing);
      const last = lines.at(-1);
      if (last) {
        this.prev = sha256Hex(last);
        this.count = lines.length;
      }
    }
    this.fd = openSync(file, 'a');
  }

  addSecret(secret: string): void {
    this.redactor.addSecret(secret);
  }

  get lineCount(): number {
    return this.count;
  }

  /** Bytes in the file so far, always at a line boundary (for sealing a checkpoint over a prefix). */
  get byteLength(): number {
    return this.bytes;
  }

  /** SHA-256 and size of the bytes written so far (a complete-line prefix of the file). */
  digest(): FileDigest {
    return { sha256: this.running.copy().digest('hex'), size: this.bytes };
  }

  /** Appends an exchange (redacted) and returns its 1-based line number. */
  appendExchange(exchange: Exchange): number {
    const offset = this.bytes;
    const line = this.append({ type: 'exchange', exchange: this.redactExchange(exchange) });
    this.where.set(exchange.seq, { offset, length: this.bytes - offset - 1 });
    return line;
  }

  /**
   * The exchanges with these seqs, as written (redacted), with their line numbers; read back from
   * the file by offset, so the cost is that of the lines asked for, not of the transcript.
   */
  readExchanges(seqs: Iterable<number>): Map<number, Exchange> {
    const out = new Map<number, Exchange>();
    const fd = openSync(this.file, 'r');
    try {
      for (const seq of seqs) {
        const at = this.where.get(seq);
        if (!at || out.has(seq)) continue;
        const buf = Buffer.allocUnsafe(at.length);
        readSync(fd, buf, 0, at.length, at.offset);
        const l = JSON.parse(buf.toString('utf8')) as TranscriptLine;
        if (l.type === 'exchange') out.set(seq, { ...l.exchange, transcriptLine: l.line });
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }

  appendNote(note: string, data?: Record<string, unknown>): number {
    return this.append({
      type: 'note',
      note: this.redactor.redactString(note),
      ...(data ? { data: this.redactor.redactValue(data) as Record<string, unknown> } : {}),
    });
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private append(entry: TranscriptEntry): number {
    if (this.fd === undefined) throw new TranscriptClosedError(this.file);
    const line = this.count + 1;
    const text = JSON.stringify({ line, prev: this.prev, at: this.now().toISOString(), ...entry });
    // UTF-8 takes at most 3 bytes per UTF-16 code unit, plus the newline.
    if (this.scratch.length < text.length * 3 + 1) this.scratch = Buffer.allocUnsafe(text.length * 3 + 1);
    const size = this.scratch.write(text, 0, 'utf8');
    this.scratch[size] = 10;
    const bytes = this.scratch.subarray(0, size + 1);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    if (this.fsync) fsyncSync(this.fd);
    this.prev = lineHash(bytes.subarray(0, bytes.length - 1));
    this.running.update(bytes);
    this.count = line;
    this.bytes += bytes.length;
    return line;
  }

  private redactExchange(ex: Exchange): Exchange {
    const r = this.redactor;
    // Learn first, from every place a secret can arrive, so the same line is fully redacted.
    const reqHeaders = r.redactHeaders(ex.request.headers);
    const resHeaders = ex.response ? r.redactHeaders(ex.response.headers) : undefined;
    r.learnFromUrl(ex.request.url);
    r.learnFromText(ex.request.bodyText);
    if (ex.response) {
      if (ex.response.json !== undefined) r.learnFromJson(ex.response.json);
      else r.learnFromText(ex.response.bodyText);
    }
    const out: Exchange = {
      ...ex,
      request: {
        ...ex.request,
        url: r.redactString(ex.request.url),
        path: r.redactString(ex.request.path),
        headers: reqHeaders,
        ...(ex.request.bodyText !== undefined ? { bodyText: r.redactString(ex.request.bodyText) } : {}),
      },
    };
    if (ex.response) {
      // The body is written once, as the text that came over the wire: its parsed form (`json`)
      // would double the transcript, and a reader parses `bodyText` when it needs it.
      const { json: _parsed, ...response } = ex.response;
      out.response = { ...response, headers: resHeaders!, bodyText: r.redactString(ex.response.bodyText) };
    }
    if (ex.error) out.error = { code: ex.error.code, message: r.redactString(ex.error.message) };
    return out;
  }
}

/** Complete lines (without their newline); a trailing partial line is excluded. */
function splitLines(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, start)) {
    out.push(buf.subarray(start, i));
    start = i + 1;
  }
  return out;
}

export interface TranscriptProblem {
  /** 1-based physical line number in the file. */
  line: number;
  reason: string;
}

export interface TranscriptCheck {
  ok: boolean;
  lines: number;
  /** The first broken line, if any. */
  firstBroken?: TranscriptProblem;
}

/** Checks the chain of a transcript held in memory: numbering, `prev` hashes, JSON, final newline. */
export function verifyTranscriptBytes(buf: Buffer): TranscriptCheck {
  const lines = splitLines(buf);
  const trailing = buf.length > 0 && buf[buf.length - 1] !== 10;
  let prev = ZERO_HASH;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const n = i + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return { ok: false, lines: lines.length, firstBroken: { line: n, reason: 'not valid JSON' } };
    }
    if (!parsed || typeof parsed !== 'object')
      return { ok: false, lines: lines.length, firstBroken: { line: n, reason: 'not a JSON object' } };
    const rec = parsed as Record<string, unknown>;
    if (rec['line'] !== n)
      return {
        ok: false,
        lines: lines.length,
        firstBroken: {
          line: n,
          reason: `line number is ${JSON.stringify(rec['line'])}, expected ${n} (a line was removed, inserted or reordered)`,
        },
      };
    if (rec['prev'] !== prev)
      return {
        ok: false,
        lines: lines.length,
        firstBroken: {
          line: n,
          reason: `prev hash does not match line ${n - 1} (it was changed, removed or reordered)`,
        },
      };
    if (typeof rec['type'] !== 'string')
      return { ok: false, lines: lines.length, firstBroken: { line: n, reason: 'missing type' } };
    prev = sha256Hex(raw);
  }
  if (trailing)
    return {
      ok: false,
      lines: lines.length,
      firstBroken: {
        line: lines.length + 1,
        reason: 'incomplete last line (no newline): the run was cut off or the file edited',
      },
    };
  return { ok: true, lines: lines.length };
}

export function verifyTranscript(file: string): TranscriptCheck {
  return verifyTranscriptBytes(readFileSync(file));
}

/** Parsed lines (no verification; call `verifyTranscript` first when it matters). */
/**
 * The transcript's lines. `maxBytes` reads only its first bytes: a folder's sealed prefix (see
 * sealedBytesOf in manifest.ts), so nothing written after the last seal is ever read as evidence.
 */
export function readTranscript(file: string, maxBytes?: number): TranscriptLine[] {
  const all = readFileSync(file);
  const bytes = maxBytes !== undefined && maxBytes < all.length ? all.subarray(0, maxBytes) : all;
  return splitLines(bytes).map((l) => JSON.parse(l.toString('utf8')) as TranscriptLine);
}
