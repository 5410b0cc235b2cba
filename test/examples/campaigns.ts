/**
 * `npm run test:examples`: tenantproof through its CLI against the two example APIs that behave like
 * real third-party apps (examples/framework-style: Deskly; examples/org-scoped: Orgcast), each
 * served fresh per case on loopback. Every case states what the verdict must be and why:
 *
 * - Deskly's clean build, whose users' email index is UNIQUE across organisations: exit 1, with
 *   exactly one finding, an existence finding on the user create (the index tells one
 *   organisation whether an email exists in another). With the index per organisation: exit 0.
 * - Orgcast's clean build at its real rate limit (100 requests a minute per IP, Retry-After): exit 0
 *   with a 3-minute budget; with a 20-second budget it cannot cover the API, so exit 3, never 1.
 * - Each API's planted bugs: exit 1, with the first finding on the operation the bug is in, and no
 *   finding outside the operations its leaked records can surface through.
 *
 * Deskly's clean build with its per-organisation index and the `find-unscoped` bug of both APIs run
 * in test/onboarding/ instead, through the provisioning `tenantproof init` writes.
 *
 *   npm run test:examples                     # every case, two at a time
 *   npm run test:examples -- --cases deskly-clean-global-email-index,orgcast-find-unscoped
 *
 * Prints one line per case and `N passed, M failed`; exits 1 on any failure.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDeskly, type DesklyOptions } from '../../examples/framework-style/server.ts';
import { startOrgcast, type OrgcastOptions } from '../../examples/org-scoped/server.ts';
import type { Evidence } from '../../harness/evidence/evidence-schema.ts';
import { runCli } from '../support/cli.ts';

interface Served {
  url: string;
  close(): Promise<void>;
}

interface Case {
  name: string;
  serve: () => Promise<Served>;
  args: string[];
  /** What must hold; a string names what did not. */
  expect: (code: number | null, e: Evidence | undefined) => string | undefined;
}

const DESKLY = [
  '--spec',
  'examples/framework-style/openapi.json',
  '--provision',
  'module:examples/framework-style/provision.ts',
];
const ORGCAST = [
  '--spec',
  'examples/org-scoped/openapi.yaml',
  '--provision',
  'module:examples/org-scoped/provision.ts',
];
/** The bugs do not depend on the rate limit; the clean build's politeness is tested at the real one. */
const UNTHROTTLED = 1_000_000;

const deskly = (o: DesklyOptions) => () => startDeskly(o);
const orgcast = (o: OrgcastOptions) => () => startOrgcast(o);

function confirmed(e: Evidence | undefined): Evidence['findings'] {
  return (e?.findings ?? []).filter((f) => f.confirmation !== 'unconfirmed');
}

function describeFindings(e: Evidence | undefined): string {
  return (e?.findings ?? []).map((f) => `${f.oracle} ${f.operationId} (${f.confirmation})`).join('; ') || 'none';
}

/** Exit 0, verdict clean, no findings at all. */
function clean(code: number | null, e: Evidence | undefined): string | undefined {
  if (code !== 0) return `exit ${code}, not 0 (${e?.verdictReason ?? describeFindings(e)})`;
  if ((e?.findings.length ?? 0) > 0) return `findings: ${describeFindings(e)}`;
  return undefined;
}

/**
 * Exit 1; the finding that fired first is on `where`; every confirmed finding is on `where` or on
 * `surfaces` (operations the leaked records can also come back through).
 */
function leakOn(where: string, surfaces: readonly string[] = []) {
  return (code: number | null, e: Evidence | undefined): string | undefined => {
    if (code !== 1) return `exit ${code}, not 1 (${e?.verdictReason ?? describeFindings(e)})`;
    const found = confirmed(e);
    // The finding that fired first: the earliest transcript line any finding cites.
    const firstLine = (f: Evidence['findings'][number]): number => Math.min(...f.transcriptLines);
    const first = [...found].sort((a, b) => firstLine(a) - firstLine(b))[0];
    if (!found.some((f) => f.operationId === where)) return `no confirmed finding on ${where}: ${describeFindings(e)}`;
    if (first && first.operationId !== where) return `first finding on ${first.operationId}, not ${where}`;
    const stray = found.filter((f) => f.operationId !== where && !surfaces.includes(f.operationId));
    if (stray.length > 0) return `findings outside ${[where, ...surfaces].join(', ')}: ${describeFindings(e)}`;
    return undefined;
  };
}

const CASES: Case[] = [
  // Started first: at 100 requests a minute it mostly waits, and the others run meanwhile.
  {
    name: 'orgcast-clean-100-per-minute-3m',
    serve: orgcast({}),
    args: [...ORGCAST, '--budget', '3m', '--seed', '1'],
    expect: clean,
  },
  {
    name: 'orgcast-clean-100-per-minute-20s',
    serve: orgcast({}),
    args: [...ORGCAST, '--budget', '20s', '--seed', '1'],
    expect: (code, e) =>
      code === 1
        ? `exit 1 on a clean build: ${describeFindings(e)}`
        : code === 0 || code === 3
          ? undefined
          : `exit ${code}, not 0 or 3`,
  },
  {
    name: 'deskly-clean-global-email-index',
    serve: deskly({ emailIndex: 'global' }),
    args: [...DESKLY, '--budget', '30s', '--seed', '1'],
    expect: (code, e) => {
      if (code !== 1) return `exit ${code}, not 1 (${e?.verdictReason ?? describeFindings(e)})`;
      const all = e?.findings ?? [];
      if (all.length !== 1 || all[0]!.oracle !== 'existence' || all[0]!.operationId !== 'UsersController_create')
        return `expected exactly one existence finding on UsersController_create, got: ${describeFindings(e)}`;
      return undefined;
    },
  },
  {
    name: 'deskly-body-org-override',
    serve: deskly({ emailIndex: 'per-organisation', bug: 'body-org-override' }),
    args: [...DESKLY, '--budget', '30s', '--seed', '1'],
    // The ticket filed under the victim's organisation shows in the victim's own reads.
    expect: leakOn('TicketsController_create', [
      'TicketsController_findAll',
      'TicketsController_findOne',
      'ReportsController_summary',
    ]),
  },
  {
    name: 'deskly-list-filter-unscoped',
    serve: deskly({ emailIndex: 'per-organisation', bug: 'list-filter-unscoped' }),
    args: [...DESKLY, '--budget', '30s', '--seed', '1'],
    expect: leakOn('TicketsController_findAll'),
  },
  {
    name: 'orgcast-org-header-override',
    serve: orgcast({ rateLimitPerMinute: UNTHROTTLED, bug: 'org-header-override' }),
    args: [...ORGCAST, '--budget', '30s', '--seed', '1'],
    // The middleware trusts X-Org-Id on every route: whichever operation the override first
    // reaches is right, so only the oracle is checked.
    expect: (code, e) => {
      if (code !== 1) return `exit ${code}, not 1 (${e?.verdictReason ?? describeFindings(e)})`;
      if (!confirmed(e).some((f) => f.oracle === 'injection'))
        return `no confirmed injection finding: ${describeFindings(e)}`;
      return undefined;
    },
  },
  {
    name: 'orgcast-search-unscoped',
    serve: orgcast({ rateLimitPerMinute: UNTHROTTLED, bug: 'search-unscoped' }),
    args: [...ORGCAST, '--budget', '30s', '--seed', '1'],
    expect: leakOn('List contacts'),
  },
];

function readEvidence(out: string): Evidence | undefined {
  const run = readdirSync(out)
    .filter((d) => d !== 'latest' && !d.startsWith('.'))
    .sort()
    .at(-1);
  if (!run) return undefined;
  try {
    return JSON.parse(readFileSync(path.join(out, run, 'evidence.json'), 'utf8')) as Evidence;
  } catch {
    return undefined;
  }
}

async function runCase(c: Case, root: string): Promise<{ ok: boolean; line: string }> {
  const out = mkdtempSync(path.join(root, `${c.name}-`));
  const server = await c.serve();
  const started = Date.now();
  try {
    // A safety net well past the longest budget (3 minutes, then shrinking and replays), not a check.
    const r = await runCli(['run', '--target', server.url, '--shrink-budget', '10s', '--out', out, ...c.args], {
      killAfterMs: 15 * 60_000,
    });
    const secs = ((Date.now() - started) / 1000).toFixed(0);
    const e = readEvidence(out);
    const problem = c.expect(r.code, e);
    const coverage = e?.coverage.summary ? `${e.coverage.summary.probed}/${e.coverage.summary.tenantOwned} probed` : '';
    const facts = `exit ${r.code}, ${e?.verdict ?? 'no evidence'}, ${coverage}, ${e?.method.requestCount ?? 0} requests, ${secs}s`;
    if (!problem) return { ok: true, line: `PASS ${c.name}: ${facts}; findings: ${describeFindings(e)}` };
    const tail = `${r.stdout}\n${r.stderr}`
      .trim()
      .split('\n')
      .slice(-25)
      .map((l) => `    ${l}`)
      .join('\n');
    return { ok: false, line: `FAIL ${c.name}: ${problem}\n  ${facts}\n  evidence: ${out}\n${tail}` };
  } finally {
    await server.close();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { cases: { type: 'string' }, parallel: { type: 'string', default: '2' } },
  });
  const wanted = values.cases?.split(',').map((s) => s.trim());
  const unknown = wanted?.filter((w) => !CASES.some((c) => c.name === w)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`unknown case(s): ${unknown.join(', ')}; known: ${CASES.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  const cases = wanted ? CASES.filter((c) => wanted.includes(c.name)) : CASES;
  const root = mkdtempSync(path.join(tmpdir(), 'tp-examples-'));
  let passed = 0;
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const result = await runCase(cases[next++]!, root);
      process.stdout.write(result.line + '\n');
      if (result.ok) passed++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(values.parallel)) }, worker));
  process.stdout.write(`examples: ${passed} passed, ${failed} failed (run folders in ${root})\n`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
