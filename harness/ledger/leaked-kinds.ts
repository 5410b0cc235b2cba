/**
 * What a finding shows leaked, by kind only: never a value. From the finding's own evidence, only
 * vocabulary is kept: the oracle's `kind` of finding, each hit's kind of value (canary, id,
 * generated, …), where in the answer it was (body, header) and the spec field it came from; the
 * aspects by which an answer differed; the tenant-override vector; the fields a write changed. Any
 * string that is not a plain name (a value would not be) is dropped.
 */
import type { EvidenceFinding } from '../evidence/evidence-schema.ts';
import { NAME, type LeakKind } from './entry.ts';

const name = (v: unknown): string | undefined => (typeof v === 'string' && NAME.test(v) ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const PROOF_KIND: Record<string, string> = {
  'victim-data': 'victim-data-returned',
  'victim-state-change': 'victim-record-changed',
  difference: 'existence-disclosed',
};

export function leakedKinds(finding: Pick<EvidenceFinding, 'evidence' | 'proof'>): LeakKind[] {
  const ev = finding.evidence;
  const out: LeakKind[] = [];
  const add = (k: { kind: string | undefined; part?: string | undefined; field?: string | undefined }): void => {
    if (!k.kind) return;
    const entry: LeakKind = {
      kind: k.kind,
      ...(k.part ? { part: k.part } : {}),
      ...(k.field ? { field: k.field } : {}),
    };
    if (!out.some((o) => o.kind === entry.kind && o.part === entry.part && o.field === entry.field)) out.push(entry);
  };
  add({ kind: name(ev['kind']), field: name(ev['vector']) });
  for (const h of list(ev['hits'])) {
    const hit = h as Record<string, unknown>;
    add({ kind: name(hit['kind']), part: name(hit['part']), field: name(hit['source']) });
  }
  for (const d of list(ev['differences']))
    add({ kind: 'differs-from-missing', field: name((d as Record<string, unknown>)['aspect']) });
  for (const c of list(ev['changes']))
    add({ kind: 'field-changed', field: name((c as Record<string, unknown>)['path']) });
  if (out.length === 0 && finding.proof) add({ kind: PROOF_KIND[finding.proof] });
  return out;
}

/** "canary in body (createCustomer.request.body)" */
export function leakKindText(k: LeakKind): string {
  return `${k.kind}${k.part ? ` in ${k.part}` : ''}${k.field ? ` (${k.field})` : ''}`;
}
