/**
 * The false-positive table of `npm run bench:detect`: the real CLI against clean targets whose
 * quirks once made tenantproof cry wolf. Each is correct about tenant isolation, so the only right
 * verdicts are CLEAN or INCONCLUSIVE; a LEAK is a false positive, and the table counts them.
 *
 * - Deskly (examples/framework-style), its email index per organisation: by-id GET and DELETE answer
 *   200/204 with an empty body for any id, held or not; no response schemas; NestJS's http schemes.
 * - Orgcast (examples/org-scoped) at its real limit: 100 requests a minute per client IP, 429 with
 *   Retry-After; organisationId and X-Org-Id; a 3.0 spec with type: "null" and spaced operationIds.
 * - Tracklet (examples/third-party): JWT login, integer ids.
 * - The reference CRM behind a proxy that labels every JSON answer text/html and cuts one in 40 short.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDeskly } from '../examples/framework-style/server.ts';
import { startOrgcast } from '../examples/org-scoped/server.ts';
import { startThirdParty } from '../examples/third-party/server.ts';
import { startAlteringProxy } from './support/altering-proxy.ts';
import { latestRunDir, readEvidence, round, runCli, tail } from './support/common.ts';
import { startCrmProcess } from './support/crm-process.ts';

interface Served {
  url: string;
  /** CLI arguments that point the run at this target (spec, provisioning, tokens). */
  args: string[];
  close(): Promise<void>;
}

export interface QuirkyTarget {
  name: string;
  quirks: string;
  /** Budget for the quick and the full variant (the rate-limited target needs minutes to cover). */
  budget: { quick: string; full: string };
  serve(): Promise<Served>;
}

export const QUIRKY_TARGETS: readonly QuirkyTarget[] = [
  {
    name: 'deskly-per-organisation',
    quirks: '200/204 with an empty body for missing and foreign ids; no response schemas; http schemes with name/in',
    budget: { quick: '8s', full: '60s' },
    async serve() {
      const s = await startDeskly({ emailIndex: 'per-organisation' });
      return {
        url: s.url,
        args: [
          '--spec',
          'examples/framework-style/openapi.json',
          '--provision',
          'module:examples/framework-style/provision.ts',
        ],
        close: () => s.close(),
      };
    },
  },
  {
    name: 'orgcast-100-per-minute',
    quirks: 'one 100/min bucket per IP (429, Retry-After); organisationId and X-Org-Id; 3.0 with type: "null"',
    budget: { quick: '8s', full: '3m' },
    async serve() {
      const s = await startOrgcast({});
      return {
        url: s.url,
        args: ['--spec', 'examples/org-scoped/openapi.yaml', '--provision', 'module:examples/org-scoped/provision.ts'],
        close: () => s.close(),
      };
    },
  },
  {
    name: 'tracklet',
    quirks: 'JWT login, integer ids, nested routes',
    budget: { quick: '8s', full: '60s' },
    async serve() {
      const s = await startThirdParty({});
      return {
        url: s.url,
        args: [
          '--spec',
          'examples/third-party/openapi.yaml',
          '--provision',
          'module:examples/third-party/provision.ts',
        ],
        close: () => s.close(),
      };
    },
  },
  {
    name: 'crm-mislabelled-json',
    quirks: 'the reference CRM behind a proxy: every JSON answer labelled text/html, one in 40 cut short',
    budget: { quick: '8s', full: '60s' },
    async serve() {
      const crm = await startCrmProcess();
      const proxy = await startAlteringProxy(crm.url);
      return {
        url: proxy.url,
        args: ['--admin-token', crm.adminToken],
        close: async () => {
          await proxy.close();
          await crm.close();
        },
      };
    },
  },
];

export interface FalsePositiveCase {
  target: string;
  seed: number;
  budget: string;
  exitCode: number | null;
  verdict: string | null;
  verdictReason: string | null;
  /** Confirmed findings: on a clean target every one is false. */
  confirmed: number;
  unconfirmed: number;
  findings: string[];
  observations: number;
  coverage: { probed: number; tenantOwned: number } | null;
  requestCount: number | null;
  wallSeconds: number;
  error?: string;
}

interface EvidenceWithVerdict {
  verdictReason?: string;
  observations?: unknown[];
  coverage?: { summary?: { probed: number; tenantOwned: number } };
  findings: { oracle: string; operationId: string; confirmation?: string }[];
}

export async function runFalsePositiveCase(
  target: QuirkyTarget,
  seed: number,
  o: { quick: boolean; shrinkBudget: string; replays: string },
): Promise<FalsePositiveCase> {
  const out = mkdtempSync(path.join(tmpdir(), `tp-bench-fp-${target.name}-${seed}-`));
  const budget = o.quick ? target.budget.quick : target.budget.full;
  const served = await target.serve();
  try {
    const cli = await runCli([
      'run',
      '--target',
      served.url,
      ...served.args,
      '--seed',
      String(seed),
      '--budget',
      budget,
      '--shrink-budget',
      o.shrinkBudget,
      '--replays',
      o.replays,
      '--out',
      out,
    ]);
    const evidence = readEvidence(latestRunDir(out));
    const extra = evidence as unknown as EvidenceWithVerdict | undefined;
    const findings = extra?.findings ?? [];
    const confirmed = findings.filter((f) => f.confirmation !== 'unconfirmed');
    const result: FalsePositiveCase = {
      target: target.name,
      seed,
      budget,
      exitCode: cli.code,
      verdict: evidence?.verdict ?? null,
      verdictReason: extra?.verdictReason ?? null,
      confirmed: confirmed.length,
      unconfirmed: findings.length - confirmed.length,
      findings: findings.map((f) => `${f.oracle} ${f.operationId} (${f.confirmation ?? 'confirmed'})`),
      observations: extra?.observations?.length ?? 0,
      coverage: extra?.coverage?.summary
        ? { probed: extra.coverage.summary.probed, tenantOwned: extra.coverage.summary.tenantOwned }
        : null,
      requestCount: evidence?.method.requestCount ?? null,
      wallSeconds: round(cli.wallMs / 1000, 1)!,
    };
    if (!evidence) result.error = `no evidence.json (exit ${cli.code})\n${tail(cli)}`;
    else if (cli.code === 1) result.error = `FALSE LEAK: ${result.findings.join('; ')}`;
    return result;
  } finally {
    await served.close();
    rmSync(out, { recursive: true, force: true });
  }
}

/** The table's rows: one per target, over its seeds. */
export function falsePositiveRows(cases: readonly FalsePositiveCase[]): string[] {
  const lines = [
    '| target | quirks | runs | LEAK verdicts | verdicts | confirmed / unconfirmed findings | coverage (probed/owned) | requests per run |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const t of QUIRKY_TARGETS) {
    const mine = cases.filter((c) => c.target === t.name);
    if (mine.length === 0) continue;
    const count = (v: string) => mine.filter((c) => c.verdict === v).length;
    const verdicts = ['clean', 'inconclusive', 'leak']
      .map((v) => (count(v) > 0 ? `${count(v)} ${v}` : ''))
      .filter(Boolean)
      .join(', ');
    const coverage = mine.map((c) => (c.coverage ? `${c.coverage.probed}/${c.coverage.tenantOwned}` : '–')).join(', ');
    const requests = mine.map((c) => c.requestCount ?? '–').join(', ');
    lines.push(
      `| ${t.name} (${mine[0]!.budget}) | ${t.quirks} | ${mine.length} | **${count('leak')}** | ${verdicts || '–'} | ${mine.reduce((n, c) => n + c.confirmed, 0)} / ${mine.reduce((n, c) => n + c.unconfirmed, 0)} | ${coverage} | ${requests} |`,
    );
  }
  return lines;
}
