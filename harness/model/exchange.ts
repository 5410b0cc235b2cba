/**
 * The shared vocabulary of a campaign: one HTTP exchange as the harness saw it, and one finding
 * raised by an oracle. Every module of the harness (model, oracles, run, evidence) speaks these.
 */

import type { ProbeName } from './probe.ts';

/** A pseudonymous tenant label such as `T1`. Real tenant ids and credentials never appear in evidence. */
export type TenantLabel = string;

/** How a request relates to the tenant that sends it. */
export type Relation =
  /** The tenant touches its own data. */
  | 'own'
  /** The tenant names another tenant's id, canary or token (a cross-tenant probe). */
  | 'foreign'
  /** The tenant tries to override its tenant (header, query or body). */
  | 'injected'
  /** Provisioning or bookkeeping that no oracle judges. */
  | 'setup';

export interface RecordedRequest {
  method: string;
  /** Full URL as sent. */
  url: string;
  /** Path with query, relative to the target's base URL. */
  path: string;
  /** Header names lower-cased. Secrets are still in clear here; the transcript redacts them. */
  headers: Record<string, string>;
  /** The body as sent, if any. */
  bodyText?: string;
}

export interface RecordedResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The raw body decoded as UTF-8 (possibly truncated, see `truncated`). */
  bodyText: string;
  /** Parsed JSON when the body is JSON, else undefined. */
  json?: unknown;
  /**
   * The body was over the response size cap (or declared a length over it) and was not read to
   * its end; `bodyText` then keeps only its first bytes (see TRUNCATED_KEEP_BYTES), and no oracle
   * reads it.
   */
  truncated?: boolean;
  /** Bytes received before the body was cut (truncated answers only). */
  receivedBytes?: number;
  /** Conformance notes on the answer itself (`JSON labelled text/html`, `labelled JSON but does not parse`). */
  notes?: string[];
  durationMs: number;
}

export interface Exchange {
  /** Sequence number in the campaign, unique and increasing. */
  seq: number;
  tenant: TenantLabel;
  relation: Relation;
  operationId: string;
  /** For foreign probes: the tenant whose id or value is named. */
  victim?: TenantLabel;
  /** Interleaved batch this exchange belongs to, if it ran concurrently with others. */
  batch?: number;
  /** The role of the user who sent it, when its tenant has more than one user. */
  user?: string;
  request: RecordedRequest;
  /** Absent when the request failed at the transport level. */
  response?: RecordedResponse;
  /** Transport failure (connection refused, timeout), if any. */
  error?: { code: string; message: string };
  /** 1-based line of this exchange in transcript.ndjson, once written. */
  transcriptLine?: number;
}

/**
 * An oracle's name (`foreign-data`, `model`, …). The oracles themselves are registered plug-ins
 * (harness/oracles/index.ts); lists of names are derived from that registry.
 */
export type OracleName = string;

/** The relation a coverage cell counts: a tenant's own data, another's, or a tenant override. */
export type CoverageRelation = 'own' | 'foreign' | 'injected';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

/**
 * What makes a finding a proven difference (README: verdict rules):
 * - `victim-data`: values the victim owns came back to the attacker (self-proving);
 * - `victim-state-change`: the victim's own re-read shows the attacker's write took effect (self-proving);
 * - `difference`: the answer differs from a twin request (an id that exists nowhere, a fresh value)
 *   or from the model; confirmed only when it reproduces on replay.
 */
export type Proof = 'victim-data' | 'victim-state-change' | 'difference';

/** Proof kinds that prove themselves, with no replay. */
export const SELF_PROVING: readonly Proof[] = ['victim-data', 'victim-state-change'];

export interface Finding {
  oracle: OracleName;
  /** What the finding rests on. */
  proof: Proof;
  /** The probe of the exchange it fired on (set by the executor when the oracle did not). */
  probe?: ProbeName;
  severity: Severity;
  operationId: string;
  attacker: TenantLabel;
  /** The tenant whose data leaked or changed, when known. */
  victim?: TenantLabel;
  /** One sentence a reviewer can read. */
  summary: string;
  /** Oracle-specific evidence: which fingerprint appeared where, which state changed. */
  evidence: Record<string, unknown>;
  /** `seq` of the exchanges that prove the finding. */
  exchanges: number[];
}

/**
 * Something an oracle saw that is not a finding: a behaviour that limits what a run can prove
 * ("answers 2xx for ids it does not hold"), or a conformance note ("JSON labelled text/html").
 * Listed in the evidence under limitations, never in the verdict.
 */
export interface Observation {
  oracle: OracleName;
  kind: string;
  operationId: string;
  summary: string;
  /** An exchange that shows it. */
  exchanges: number[];
}
