/**
 * One streaming pass over a run folder's transcripts (a merged folder has one per shard), for the two
 * things the ledger takes from them: the exchanges its findings cite (for the relation a finding was
 * raised on), and the values of the response header that carries the target's version.
 *
 * Only lines asked for, or holding the header's name, are parsed; a long run's transcript is never
 * held in memory, and without a header it is read only as far as the last line asked for.
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Exchange } from '../model/exchange.ts';

export interface TranscriptRequest {
  /** The transcript, relative to the run folder (`transcript.ndjson`, `shards/<runId>/transcript.ndjson`). */
  file: string;
  /** 1-based lines to return parsed. */
  lines: ReadonlySet<number>;
}

export interface TranscriptScan {
  /** `file` → line → the exchange written there. */
  exchanges: Map<string, Map<number, Exchange>>;
  /** Distinct values of the header in responses, in the order first seen (across `files` in order). */
  headerValues: string[];
}

export async function scanTranscripts(
  runDir: string,
  requests: readonly TranscriptRequest[],
  headerName?: string,
): Promise<TranscriptScan> {
  const header = headerName?.toLowerCase();
  const needle = header ? JSON.stringify(header) + ':' : undefined;
  const exchanges = new Map<string, Map<number, Exchange>>();
  const values: string[] = [];
  for (const req of requests) {
    const path = join(runDir, req.file);
    const found = new Map<number, Exchange>();
    exchanges.set(req.file, found);
    if (!existsSync(path) || (req.lines.size === 0 && !needle)) continue;
    const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
    let n = 0;
    const maxLine = Math.max(...req.lines);
    for await (const text of rl) {
      n++;
      const wanted = req.lines.has(n);
      if (!wanted && !(needle && text.includes(needle))) continue;
      let rec: { type?: unknown; exchange?: Exchange };
      try {
        rec = JSON.parse(text) as typeof rec;
      } catch {
        continue; // verifyRunDir has already checked the chain; a bad line here is not ours to judge
      }
      if (rec.type !== 'exchange' || !rec.exchange) continue;
      if (wanted) found.set(n, rec.exchange);
      // Without a header to look for, the transcript is read only as far as its last cited line.
      if (!needle && n >= maxLine) break;
      const v = header ? rec.exchange.response?.headers?.[header] : undefined;
      if (typeof v === 'string' && v.trim() !== '' && !values.includes(v.trim())) values.push(v.trim());
    }
  }
  return { exchanges, headerValues: values };
}
