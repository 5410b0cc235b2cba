/**
 * What `ledger report` shows, computed once from a verified ledger and rendered as Markdown and HTML
 * (render-markdown.ts, render-html.ts): the runs, the incidents (incidents.ts) and how long ago the
 * last clean run was, with full coverage and at all.
 *
 * "Clean with full coverage": verdict clean, not partial, the negative control passed, and every
 * tenant-owned operation probed cross-tenant (coverage.probed = coverage.tenantOwned); with a
 * `fullCoverage` below 1, a coverage ratio at least that.
 */
import { posix } from 'node:path';
import type { RunEntry } from './entry.ts';
import {
  chronological,
  computeIncidents,
  runRef,
  type Incident,
  type IncidentGrouping,
  type RunRef,
} from './incidents.ts';
import type { LedgerVerification } from './verify-ledger.ts';

export interface ReportRun {
  ref: RunRef;
  verdict: RunEntry['body']['verdict'];
  partial: boolean;
  coverage: RunEntry['body']['coverage'];
  negativeControl: RunEntry['body']['negativeControl']['outcome'];
  findings: number;
  faults?: string[];
  mergedRuns?: number;
  targetVersionSource: RunEntry['body']['targetVersionSource'];
  fullCoverage: boolean;
}

export interface SinceRun {
  run: RunRef;
  days: number;
}

export interface LedgerReportModel {
  generatedAt: string;
  ledger: {
    /** How the report names the ledger file. */
    name: string;
    entries: number;
    head: string;
    keys: Array<{ keyId: string; fromEntry: number; retiredBy?: number }>;
    currentKeyId: string;
    pinned: boolean;
  };
  grouping: IncidentGrouping;
  fullCoverage: number;
  runs: ReportRun[];
  incidents: Incident[];
  lastClean?: SinceRun;
  lastCleanFullCoverage?: SinceRun;
  /** Evidence folders, relative to the report's folder, by run id (forward slashes). */
  evidenceLinks: Record<string, string>;
}

export interface ReportModelOptions {
  /** The ledger file's name as shown. */
  ledgerName: string;
  /** The ledger file's folder, relative to the report's folder (forward slashes; '.' when the same). */
  ledgerDirFromReport: string;
  now: Date;
  /** Coverage ratio that counts as full (default 1: every tenant-owned operation probed). */
  fullCoverage?: number;
  grouping?: IncidentGrouping;
}

const DAY_MS = 86_400_000;

export function daysBetween(fromIso: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / DAY_MS));
}

export function isFullCoverage(body: RunEntry['body'], minimum: number): boolean {
  const c = body.coverage;
  if (!c) return false;
  return minimum >= 1 ? c.tenantOwned > 0 && c.probed >= c.tenantOwned : c.ratio >= minimum;
}

export function buildReportModel(verification: LedgerVerification, options: ReportModelOptions): LedgerReportModel {
  const fullCoverage = options.fullCoverage ?? 1;
  const grouping = options.grouping ?? 'location';
  const runEntries = chronological(verification.entries.filter((e): e is RunEntry => e.kind === 'run'));
  const runs: ReportRun[] = runEntries.map((r) => {
    const b = r.body;
    const clean = b.verdict === 'clean' && !b.partial && b.negativeControl.outcome === 'passed';
    return {
      ref: runRef(r),
      verdict: b.verdict,
      partial: b.partial,
      coverage: b.coverage,
      negativeControl: b.negativeControl.outcome,
      findings: b.findings.length,
      ...(b.target.faults ? { faults: b.target.faults } : {}),
      ...(b.merged ? { mergedRuns: b.merged.runs } : {}),
      targetVersionSource: b.targetVersionSource,
      fullCoverage: clean && isFullCoverage(b, fullCoverage),
    };
  });
  const since = (pick: (r: ReportRun) => boolean): SinceRun | undefined => {
    const r = [...runs].reverse().find(pick);
    return r ? { run: r.ref, days: daysBetween(r.ref.date, options.now) } : undefined;
  };
  const lastClean = since((r) => r.verdict === 'clean' && !r.partial);
  const lastCleanFullCoverage = since((r) => r.fullCoverage);
  const evidenceLinks: Record<string, string> = {};
  for (const r of runs)
    evidenceLinks[r.ref.runId] = posix.normalize(posix.join(options.ledgerDirFromReport, r.ref.evidencePath));
  return {
    generatedAt: options.now.toISOString(),
    ledger: {
      name: options.ledgerName,
      entries: verification.lineCount,
      head: verification.head,
      keys: verification.keys.map((k) => ({
        keyId: k.keyId,
        fromEntry: k.fromEntry,
        ...(k.retiredBy ? { retiredBy: k.retiredBy } : {}),
      })),
      currentKeyId: verification.currentKeyId ?? '',
      pinned: verification.pinned,
    },
    grouping,
    fullCoverage,
    runs,
    incidents: computeIncidents(runEntries, grouping),
    ...(lastClean ? { lastClean } : {}),
    ...(lastCleanFullCoverage ? { lastCleanFullCoverage } : {}),
    evidenceLinks,
  };
}

/** "2026-12-03 12:43:39 UTC" */
export function dateText(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

/** "14 s", "3 min 5 s", "5 h 2 min", "12 days 3 h" */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  const d = Math.floor(h / 24);
  return `${d} days${h % 24 ? ` ${h % 24} h` : ''}`;
}

export function versionText(v: string | null): string {
  return v ?? 'version unknown';
}

export const EVENT_TEXT: Record<Incident['events'][number]['type'], string> = {
  'first-seen': 'first seen',
  'seen-again': 'seen again',
  fixed: 'fixed (covered, not found)',
  reopened: 'reopened',
  unconfirmed: 'unconfirmed finding (neither reopens nor fixes)',
};

export function statusText(i: Incident): string {
  if (i.status === 'fixed')
    return i.reopened.length > 0
      ? `fixed (again, after ${i.reopened.length} reopening${i.reopened.length === 1 ? '' : 's'})`
      : 'fixed';
  return i.reopened.length > 0 ? 'open (reopened)' : 'open';
}

export function coverageText(c: RunEntry['body']['coverage']): string {
  return c ? `${c.probed}/${c.tenantOwned} (${Math.round(c.ratio * 100)}%)` : 'not recorded';
}

export function incidentTitle(i: Incident): string {
  return `${i.operationId}: ${i.probe} (${i.relation})`;
}
