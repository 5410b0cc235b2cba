/**
 * The length of each hand-written two-tenant scenario in faults.test.ts: the HTTP requests it
 * sends (tenant provisioning excluded) when the fault leaks at its first attempt. A scenario with a
 * retry loop counts one round of it (`loops: true`); it may send more when the leak needs another
 * round. faults.test.ts counts the requests each scenario sends and checks them against this table
 * (equal without loops, at least this many with), and bench:detect sets the harness's minimal
 * repro length beside it.
 */
import type { FaultName } from '../../crm/faults/catalogue.ts';

export interface ScenarioLength {
  /** HTTP requests the scenario sends when it leaks at its first attempt. */
  requests: number;
  /** The scenario retries a round of requests until it leaks (the length counts one round). */
  loops: boolean;
  /** What the requests are, in order. */
  note: string;
}

export const SCENARIO_LENGTHS: Record<FaultName, ScenarioLength> = {
  'get-unscoped': { requests: 2, loops: false, note: 'B creates a customer; A reads it by id' },
  'list-filter-precedence': {
    requests: 3,
    loops: false,
    note: "A and B each create a customer; A lists customers filtered by B's email domain",
  },
  'update-unscoped': {
    requests: 3,
    loops: false,
    note: 'B creates a customer; A patches it; B reads it back',
  },
  'delete-unscoped': {
    requests: 4,
    loops: false,
    note: 'B creates a customer and a job for it; A deletes the job; B reads the job',
  },
  'foreign-parent': {
    requests: 3,
    loops: false,
    note: "B creates a customer; A creates a job under B's customer; B lists its jobs",
  },
  'summary-unscoped': { requests: 2, loops: false, note: 'B creates a customer; A reads the summary report' },
  'export-unscoped': { requests: 2, loops: false, note: 'B creates a customer; A exports customers' },
  'search-unscoped': { requests: 2, loops: false, note: 'B creates a customer named with a canary; A searches for it' },
  'unique-global': {
    requests: 2,
    loops: false,
    note: 'B creates a customer; A creates one with the same email',
  },
  'cache-without-tenant': {
    requests: 3,
    loops: false,
    note: 'B creates a customer; B reads the summary report (cached); A reads the summary report',
  },
  'session-set-pooled': {
    requests: 4,
    loops: true,
    note: 'B creates a customer and a job; one round of B listing jobs then A reading the schedule (up to 5 rounds)',
  },
  'global-context-race': {
    requests: 22,
    loops: true,
    note: 'A and B each create a customer; one round of 10 concurrent customer lists each (up to 4 rounds)',
  },
  'tenant-header-override': {
    requests: 2,
    loops: false,
    note: "B creates a customer; A lists customers with B's id in x-tenant-id",
  },
  'mass-assign-tenant': {
    requests: 2,
    loops: false,
    note: "A creates a customer with B's tenantId in the body; B lists its customers",
  },
  'cursor-unbound': {
    requests: 5,
    loops: false,
    note: "B creates three customers and reads a first page of one; A lists with B's next cursor",
  },
  'idempotency-global': {
    requests: 2,
    loops: false,
    note: 'B creates a customer with an idempotency key; A sends the same create with the same key',
  },
  'audit-misattributed': {
    requests: 8,
    loops: false,
    note: 'A and B read /v1/me six times at once; each reads its own audit log',
  },
};
