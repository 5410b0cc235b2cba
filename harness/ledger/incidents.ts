/**
 * Incidents: the ledger's findings grouped by a stable identity, with their history over the runs.
 *
 * Identity. Every finding has a signature (oracle, operation, probe, relation): vocabulary of the
 * spec and the harness, the same for the same defect whatever the seed, tenants or ids. An incident
 * groups the signatures that share (operation, probe, relation): one defect is typically caught by
 * several oracles on the same exchange (the `get-unscoped` fault: foreign-data, cross-tenant-access
 * and existence on one GET), and is one incident, not three. With grouping `oracle` every signature
 * is an incident of its own.
 *
 * History, over the runs in the order they started (ties: ledger order):
 * - a run with a CONFIRMED finding of the incident opens it (first seen), sees it again (last seen),
 *   or, if it was fixed, reopens it;
 * - an open incident is FIXED IN the first later run that has no finding of it and covered it: for
 *   every oracle that saw it in this episode, the run's coverage matrix has the cell (operation,
 *   oracle, relation) with at least one judged exchange, and that oracle's negative control did not
 *   fail. A run that did not exercise the operation says nothing about it and leaves it open;
 * - a run with only an UNCONFIRMED finding of it neither opens nor reopens it, and cannot fix it.
 * Time to fix is from the run that opened an episode to the run that fixed it.
 */
import type { LeakKind, LedgerFinding, LedgerRelation, RunEntry } from './entry.ts';

export type IncidentGrouping = 'location' | 'oracle';

/** A run as incidents cite it. */
export interface RunRef {
  seq: number;
  runId: string;
  /** When the run started (evidence.json method.startedAt). */
  date: string;
  targetVersion: string | null;
  evidencePath: string;
  evidenceUrl?: string;
  evidenceSha256: string;
  attestationSha256: string;
}

export interface IncidentSignature {
  oracle: string;
  operationId: string;
  probe: string;
  relation: LedgerRelation;
}

export type IncidentEventType = 'first-seen' | 'seen-again' | 'fixed' | 'reopened' | 'unconfirmed';

export interface IncidentEvent {
  type: IncidentEventType;
  run: RunRef;
  /** The oracles whose findings the run holds (none for `fixed`). */
  oracles: string[];
  findingIds: string[];
}

/** From the run that opened (or reopened) the incident to the run that fixed it, if one did. */
export interface Episode {
  opened: RunRef;
  lastSeen: RunRef;
  sightings: number;
  oracles: string[];
  fixedIn?: RunRef;
  timeToFixMs?: number;
}

export interface Incident {
  id: string;
  operationId: string;
  probe: string;
  relation: LedgerRelation;
  /** Every oracle that ever saw it. */
  oracles: string[];
  signatures: IncidentSignature[];
  severity: LedgerFinding['severity'];
  leaked: LeakKind[];
  /** The finding it was first detected by (of the first run's: the most severe, then the shortest repro). */
  detection: { run: RunRef; finding: LedgerFinding };
  episodes: Episode[];
  events: IncidentEvent[];
  status: 'open' | 'fixed';
  firstSeen: RunRef;
  lastSeen: RunRef;
  /** The run that fixed each episode that was fixed, in order. */
  fixes: RunRef[];
  /** The runs that reopened it, in order. */
  reopened: RunRef[];
  sightings: number;
}

const SEVERITY_RANK: Record<LedgerFinding['severity'], number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function runRef(entry: RunEntry): RunRef {
  const b = entry.body;
  return {
    seq: entry.seq,
    runId: b.runId,
    date: b.startedAt,
    targetVersion: b.targetVersion,
    evidencePath: b.evidence.path,
    ...(b.evidence.url ? { evidenceUrl: b.evidence.url } : {}),
    evidenceSha256: b.evidence.evidenceSha256,
    attestationSha256: b.evidence.attestationSha256,
  };
}

/** Runs in the order they started (ties: the order they were added). */
export function chronological(runs: readonly RunEntry[]): RunEntry[] {
  return [...runs].sort((a, b) => a.body.startedAt.localeCompare(b.body.startedAt) || a.seq - b.seq);
}

export function incidentKey(f: IncidentSignature, grouping: IncidentGrouping): string {
  const base = `${f.operationId}\u0000${f.probe}\u0000${f.relation}`;
  return grouping === 'oracle' ? `${base}\u0000${f.oracle}` : base;
}

const isConfirmed = (f: LedgerFinding): boolean => f.confirmation !== 'unconfirmed';

/** Whether `run` exercised the incident with every one of `oracles`, each able to see it. */
export function covers(
  run: RunEntry,
  incident: Pick<Incident, 'operationId' | 'relation'>,
  oracles: readonly string[],
): boolean {
  const b = run.body;
  const failed = new Set(b.negativeControl.failedOracles);
  return oracles.every(
    (o) =>
      !failed.has(o) &&
      b.covered.some(([op, oracle, rel]) => op === incident.operationId && oracle === o && rel === incident.relation),
  );
}

function groupFindings(findings: readonly LedgerFinding[], grouping: IncidentGrouping): Map<string, LedgerFinding[]> {
  const m = new Map<string, LedgerFinding[]>();
  for (const f of findings) {
    const k = incidentKey(f, grouping);
    m.set(k, [...(m.get(k) ?? []), f]);
  }
  return m;
}

const uniq = (xs: Iterable<string>): string[] => [...new Set(xs)];

export function computeIncidents(runs: readonly RunEntry[], grouping: IncidentGrouping = 'location'): Incident[] {
  const incidents = new Map<string, Incident>();
  for (const run of chronological(runs)) {
    const ref = runRef(run);
    const confirmed = groupFindings(run.body.findings.filter(isConfirmed), grouping);
    const unconfirmed = groupFindings(
      run.body.findings.filter((f) => !isConfirmed(f)),
      grouping,
    );

    for (const [key, found] of confirmed) {
      // The finding that tells the story best: the most severe, then the shortest repro.
      const bySeverity = [...found].sort(
        (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.repro.length - b.repro.length,
      );
      const oracles = uniq(found.map((f) => f.oracle));
      const event = { run: ref, oracles, findingIds: found.map((f) => f.id) };
      let inc = incidents.get(key);
      if (!inc) {
        const f0 = bySeverity[0]!;
        inc = {
          id: '',
          operationId: f0.operationId,
          probe: f0.probe,
          relation: f0.relation,
          oracles: [],
          signatures: [],
          severity: f0.severity,
          leaked: [],
          detection: { run: ref, finding: f0 },
          episodes: [],
          events: [],
          status: 'open',
          firstSeen: ref,
          lastSeen: ref,
          fixes: [],
          reopened: [],
          sightings: 0,
        };
        incidents.set(key, inc);
      }
      const episode = inc.episodes.at(-1);
      if (!episode || episode.fixedIn) {
        inc.episodes.push({ opened: ref, lastSeen: ref, sightings: 1, oracles });
        inc.events.push({ type: episode ? 'reopened' : 'first-seen', ...event });
        if (episode) inc.reopened.push(ref);
      } else {
        episode.lastSeen = ref;
        episode.sightings++;
        episode.oracles = uniq([...episode.oracles, ...oracles]);
        inc.events.push({ type: 'seen-again', ...event });
      }
      inc.status = 'open';
      inc.lastSeen = ref;
      inc.sightings++;
      inc.oracles = uniq([...inc.oracles, ...oracles]);
      for (const f of found) {
        if (!inc.signatures.some((s) => s.oracle === f.oracle))
          inc.signatures.push({ oracle: f.oracle, operationId: f.operationId, probe: f.probe, relation: f.relation });
        if (SEVERITY_RANK[f.severity] < SEVERITY_RANK[inc.severity]) inc.severity = f.severity;
        for (const k of f.leaked)
          if (!inc.leaked.some((l) => l.kind === k.kind && l.part === k.part && l.field === k.field))
            inc.leaked.push(k);
      }
    }

    for (const [key, inc] of incidents) {
      if (confirmed.has(key)) continue;
      const doubtful = unconfirmed.get(key);
      if (doubtful) {
        inc.events.push({
          type: 'unconfirmed',
          run: ref,
          oracles: uniq(doubtful.map((f) => f.oracle)),
          findingIds: doubtful.map((f) => f.id),
        });
        continue;
      }
      const episode = inc.episodes.at(-1)!;
      if (episode.fixedIn || !covers(run, inc, episode.oracles)) continue;
      episode.fixedIn = ref;
      episode.timeToFixMs = Date.parse(ref.date) - Date.parse(episode.opened.date);
      inc.status = 'fixed';
      inc.fixes.push(ref);
      inc.events.push({ type: 'fixed', run: ref, oracles: [], findingIds: [] });
    }
  }
  const list = [...incidents.values()].sort(
    (a, b) => a.firstSeen.date.localeCompare(b.firstSeen.date) || a.firstSeen.seq - b.firstSeen.seq,
  );
  list.forEach((inc, i) => (inc.id = `INC-${i + 1}`));
  return list;
}
