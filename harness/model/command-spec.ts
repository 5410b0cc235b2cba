/**
 * What fast-check generates: command specs, plain data that say what a tenant does (its own
 * CRUD, a list, a search, a cross-tenant probe, an injection), with generated values and
 * selectors. A selector picks among the records alive at run time (modulo), so a command still
 * means something after shrinking removed the commands before it.
 */
import type { StepProbe } from './probe.ts';
import type { StepAction } from './step.ts';

/** How a free-text query is chosen. */
export type QueryMode =
  /** One of the tenant's own canaries: results must be exactly its own matches. */
  | 'own-canary'
  /** Another tenant's canary: results must be empty. */
  | 'victim-canary'
  /** The shared canary prefix: matches every tenant's records, so only own ones may come back. */
  | 'broad'
  /**
   * A plain word of the shared vocabulary that another tenant's records contain (and, where one
   * exists, the tenant's own too): it matches across tenants at the server, so only own ones may come back.
   */
  | 'shared-word';

export interface GeneratedValues {
  /** Generated JSON body for the operation, when it takes one. */
  body?: unknown;
  /** Generated query parameters (required ones, plus a sample of optional filters). */
  query: Record<string, unknown>;
  /** A high-entropy nonce, for idempotency keys (missing ids come from crypto randomness, model/missing-id.ts). */
  nonce: string;
}

export interface OwnCommandSpec {
  kind: 'own';
  action: Exclude<StepAction, 'read-missing'>;
  operationId: string;
  tenant: number;
  /** Picks the record (item steps) or the parent / referenced records (creates). */
  selector: number;
  /** For list and search: how a free-text filter is chosen; `victim` picks the other tenant. */
  queryMode?: QueryMode;
  victim?: number;
  values: GeneratedValues;
  /**
   * For a list or search: walk it to its last page, `pageSize` records a page, each page a step
   * whose cursor (or offset, or page number) follows from the page before.
   */
  paginate?: { pageSize: number };
  /** For a read-only call: send it this many times in a row (each a step judged as usual). */
  repeat?: number;
}

export interface ProbeCommandSpec {
  kind: 'probe';
  probe: StepProbe;
  operationId: string;
  tenant: number;
  /** Index into the other tenants (never the attacker itself). */
  victim: number;
  selector: number;
  values: GeneratedValues;
}

export interface BatchCommandSpec {
  kind: 'batch';
  members: (OwnCommandSpec | ProbeCommandSpec)[];
  /** Start order of the members (a permutation), and per member how many event-loop turns to yield first. */
  order: number[];
  yields: number[];
}

/** A quiescent point: every tenant's full view is compared with the model. */
export interface CheckpointCommandSpec {
  kind: 'checkpoint';
}

export type CommandSpec = OwnCommandSpec | ProbeCommandSpec | BatchCommandSpec | CheckpointCommandSpec;

export function describeSpec(spec: CommandSpec, labels: readonly string[]): string {
  const who = (i: number): string => labels[i % labels.length] ?? `T${i + 1}`;
  switch (spec.kind) {
    case 'own': {
      const q = spec.queryMode ? ` q=${spec.queryMode}` : '';
      const pages = spec.paginate ? ` pages(size ${spec.paginate.pageSize})` : '';
      const times = spec.repeat && spec.repeat > 1 ? ` ×${spec.repeat}` : '';
      return `${who(spec.tenant)} ${spec.action} ${spec.operationId}#${spec.selector}${q}${pages}${times}`;
    }
    case 'probe':
      return `${who(spec.tenant)} ${spec.probe} ${spec.operationId} → victim#${spec.victim}#${spec.selector}`;
    case 'batch':
      return `batch[${spec.members.map((m) => describeSpec(m, labels)).join(' | ')}]`;
    case 'checkpoint':
      return 'checkpoint';
  }
}
