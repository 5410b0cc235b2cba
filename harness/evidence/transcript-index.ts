/** Exchanges of a transcript by seq, with their line numbers filled in (for SARIF and reports). */
import type { Exchange } from '../model/exchange.ts';
import { readTranscript } from './transcript.ts';

export function exchangesFromTranscript(file: string, maxBytes?: number): Map<number, Exchange> {
  const out = new Map<number, Exchange>();
  for (const l of readTranscript(file, maxBytes))
    if (l.type === 'exchange') out.set(l.exchange.seq, { ...l.exchange, transcriptLine: l.line });
  return out;
}
