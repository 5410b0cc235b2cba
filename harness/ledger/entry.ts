/**
 * The ledger's entry format, version 1: one canonical-JSON object per line of an append-only NDJSON
 * file (see README.md). Every entry carries
 *
 *   v       1
 *   seq     its 1-based line number
 *   prev    SHA-256 (hex) of the previous line's bytes, without the newline (64 zeros for line 1)
 *   at      when it was appended (UTC)
 *   kind    genesis | run | rotate
 *   keyId   fingerprint (SHA-256 of the SPKI DER, hex) of the key that signed it
 *   body    what it records (below)
 *   sig     Ed25519 signature (base64) of the canonical JSON of the entry without `sig` and `proof`,
 *           DSSE-encoded with the payload type LEDGER_PAYLOAD_TYPE
 *   proof   rotate only: the same message signed by the NEW key (proof that its holder agrees)
 *
 * Bodies: `genesis` names the format and the vendor's first public key (and optionally the response
 * header that carries the target's version); `rotate` announces the next public key; `run` records
 * one verified run folder: its hashes, dates, target version, verdict, coverage and its findings
 * reduced to what an incident needs: no value of any tenant, only kinds, names and path templates.
 */
import { z } from 'zod';

export const LEDGER_FORMAT = 'tenantproof-incident-ledger';
export const LEDGER_ENTRY_VERSION = 1 as const;
export const LEDGER_PAYLOAD_TYPE = 'application/vnd.tenantproof.ledger-entry+json';
export const DEFAULT_LEDGER_FILE = 'tenantproof-ledger.ndjson';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');
const utc = z.iso.datetime({ offset: false });
const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');
const pem = z
  .string()
  .regex(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/, 'an SPKI PEM');
/** Names from the spec or the harness's vocabulary (operation ids, oracles, probes, field paths). */
export const NAME = /^[A-Za-z0-9_.:@#[\]{}/ -]{1,120}$/;
const name = z.string().regex(NAME);
/** Identifiers from the spec or the harness (operation ids can be any text the spec chose). */
const ident = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'printable text');

export const RelationSchema = z.enum(['own', 'foreign', 'injected']);
export type LedgerRelation = z.infer<typeof RelationSchema>;

export const GenesisBodySchema = z.strictObject({
  format: z.literal(LEDGER_FORMAT),
  publicKey: pem,
  targetVersionHeader: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/)
    .optional(),
});

export const RotateBodySchema = z.strictObject({
  previousKeyId: sha256,
  newKeyId: sha256,
  publicKey: pem,
  reason: z.string().max(500).optional(),
});

export const LeakKindSchema = z.strictObject({
  kind: name,
  part: name.optional(),
  field: name.optional(),
});
export type LeakKind = z.infer<typeof LeakKindSchema>;

export const ReproTemplateStepSchema = z.strictObject({
  tenant: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/),
  role: z.enum(['attacker', 'victim']).optional(),
  method: z.string().regex(/^[A-Z]{1,16}$/),
  path: z.string().min(1).max(500),
  headers: z.array(name).optional(),
  bodyFields: z.array(name).optional(),
  concurrentWith: z.array(z.int().min(0)).optional(),
  finding: z.literal(true).optional(),
});
export type ReproTemplateStep = z.infer<typeof ReproTemplateStepSchema>;

export const LedgerFindingSchema = z.strictObject({
  id: z.string().min(1).max(40),
  oracle: ident,
  oracleTitle: z.string().max(200).optional(),
  operationId: ident,
  probe: ident,
  relation: RelationSchema,
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  confirmation: z.enum(['self-proving', 'replay', 'unconfirmed']).optional(),
  proof: z.enum(['victim-data', 'victim-state-change', 'difference']).optional(),
  leaked: z.array(LeakKindSchema),
  repro: z.array(ReproTemplateStepSchema),
  counterexample: z.string().max(500).optional(),
  transcript: z.string().max(500),
  transcriptLines: z.array(z.int().min(1)),
});
export type LedgerFinding = z.infer<typeof LedgerFindingSchema>;

export const RunBodySchema = z.strictObject({
  runId: z.string().min(1).max(200),
  evidence: z.strictObject({
    path: z.string().min(1).max(1000).describe("the run folder, relative to the ledger file's folder"),
    url: z.string().max(2000).optional(),
    evidenceSha256: sha256,
    manifestSha256: sha256,
    attestationSha256: sha256,
  }),
  runKeyId: sha256,
  merged: z.strictObject({ runs: z.int().min(1) }).optional(),
  targetVersion: z.string().min(1).max(200).nullable(),
  targetVersionSource: z.enum(['flag', 'env', 'header', 'none']),
  targetVersionHeader: z.string().max(100).optional(),
  startedAt: utc,
  endedAt: utc,
  spec: z.strictObject({ title: z.string().max(300), version: z.string().max(100), sha256 }),
  target: z.strictObject({ kind: z.enum(['embedded', 'url']), faults: z.array(ident).optional() }),
  verdict: z.enum(['clean', 'leak', 'inconclusive']),
  partial: z.boolean(),
  coverage: z
    .strictObject({
      tenantOwned: z.int().min(0),
      probed: z.int().min(0),
      ratio: z.number().min(0).max(1),
      minimum: z.number().min(0).max(1),
    })
    .nullable(),
  covered: z.array(z.tuple([ident, ident, RelationSchema])),
  negativeControl: z.strictObject({
    outcome: z.enum(['passed', 'failed', 'skipped']),
    failedOracles: z.array(ident),
  }),
  findings: z.array(LedgerFindingSchema),
});
export type RunBody = z.infer<typeof RunBodySchema>;
export type GenesisBody = z.infer<typeof GenesisBodySchema>;
export type RotateBody = z.infer<typeof RotateBodySchema>;

const common = {
  v: z.literal(LEDGER_ENTRY_VERSION),
  seq: z.int().min(1),
  prev: sha256,
  at: utc,
  keyId: sha256,
  sig: base64,
};
export const LedgerEntrySchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...common, kind: z.literal('genesis'), body: GenesisBodySchema }),
  z.strictObject({ ...common, kind: z.literal('rotate'), body: RotateBodySchema, proof: base64 }),
  z.strictObject({ ...common, kind: z.literal('run'), body: RunBodySchema }),
]);
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
export type EntryKind = LedgerEntry['kind'];
export type RunEntry = Extract<LedgerEntry, { kind: 'run' }>;
export type RotateEntry = Extract<LedgerEntry, { kind: 'rotate' }>;
export type GenesisEntry = Extract<LedgerEntry, { kind: 'genesis' }>;

/** An entry before it is signed. */
export type UnsignedEntry = Omit<LedgerEntry, 'sig' | 'proof'>;

/** The part of an entry its signatures cover: everything but `sig` and `proof`. */
export function signedPart(entry: UnsignedEntry | LedgerEntry): UnsignedEntry {
  const { sig: _sig, proof: _proof, ...rest } = entry as LedgerEntry & { proof?: string };
  return rest as UnsignedEntry;
}

/** Zod's issues in one line each, for a verification failure. */
export function entryIssues(value: unknown): string[] {
  const r = LedgerEntrySchema.safeParse(value);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(entry)'}: ${i.message}`);
}
