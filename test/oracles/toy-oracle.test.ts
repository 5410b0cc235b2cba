/**
 * Adding an oracle touches its own file and one registry line, and everything that names oracles
 * follows from the registry: `inspect`'s tables, the executor's dispatch in a real campaign (against
 * Tracklet, a real server on loopback), the evidence and its control mapping, SARIF rules and the
 * HTML report. The toy oracle is test/oracles/fixtures/create-refused-oracle.ts.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThirdParty, type ThirdPartyServer } from '../../examples/third-party/server.ts';
import { buildInspectReport } from '../../harness/cli/inspect-report.ts';
import { EvidenceSchema, type Evidence } from '../../harness/evidence/evidence-schema.ts';
import { renderReportHtml } from '../../harness/evidence/report/index.ts';
import { renderSarif } from '../../harness/evidence/sarif.ts';
import type { Exchange } from '../../harness/model/exchange.ts';
import { buildPlan } from '../../harness/model/plan.ts';
import { specValueSource } from '../../harness/model/spec-value-source.ts';
import { analyzeSpecFile } from '../../harness/openapi/analyze.ts';
import type { ApiModel } from '../../harness/openapi/api-model.ts';
import { ORACLE_REGISTRY, OracleSet } from '../../harness/oracles/index.ts';
import { buildEvidence } from '../../harness/run/build-evidence.ts';
import { runCampaign } from '../../harness/run/campaign.ts';
import { HttpClient } from '../../harness/run/http-client.ts';
import { provisionTenants } from '../../harness/tenants/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { createRefused } from './fixtures/create-refused-oracle.ts';

const SPEC = path.join(REPO_ROOT, 'examples/third-party/openapi.yaml');
// The one registry line a plug-in author writes.
const oracles = new OracleSet([...ORACLE_REGISTRY, createRefused]);

let server: ThirdPartyServer;
let model: ApiModel;
let evidence: Evidence;
const exchanges = new Map<number, Exchange>();

beforeAll(async () => {
  server = await startThirdParty({});
  model = await analyzeSpecFile(SPEC);
  const plan = buildPlan(model);
  const client = new HttpClient({
    baseURL: server.url,
    timeoutMs: 10_000,
    maxBodyBytes: 1 << 20,
    maxThrottleRetries: 0,
    maxRetryAfterMs: 0,
  });
  let provisioned = 0;
  const result = await runCampaign({
    plan,
    values: specValueSource(model, 'toy'),
    client,
    provision: async (count) => {
      const creds = await provisionTenants(`module:${path.join(REPO_ROOT, 'examples/third-party/provision.ts')}`, {
        count,
        baseUrl: server.url,
        runTag: `toy-${++provisioned}`,
      });
      return creds.map((c) => ({ label: c.label, headers: { ...c.headers }, tenantId: c.id }));
    },
    freshTenants: true,
    tenants: 2,
    seed: 7,
    budgetMs: 60_000,
    shrinkBudgetMs: 0,
    maxRuns: 3,
    maxCommands: 15,
    maxBatch: 1,
    pageSize: 2,
    replays: 1,
    signal: new AbortController().signal,
    onExchange: (ex) => exchanges.set(ex.seq, ex),
    oracles,
  });
  client.close();
  evidence = buildEvidence(result, {
    runId: 'toy-run',
    model,
    plan,
    specFile: SPEC,
    specSha256: model.document.sha256,
    target: { kind: 'url', url: server.url },
    tool: { version: 'test', gitCommit: null },
    budgetMs: 60_000,
    tenants: ['T1', 'T2'],
    concurrency: 1,
    negativeControl: { outcome: 'skipped', detail: 'not part of this test', oracles: [] },
    transcriptLineOf: () => undefined,
    oracles,
  });
});
afterAll(() => server?.close());

describe('an oracle added with its own file and one registry line', () => {
  it('shows in inspect: the oracle table, the probe table, and every operation it judges', () => {
    const report = buildInspectReport(model, 'openapi.yaml', oracles);
    expect(report.oracles.map((o) => o.name)).toContain('create-refused');
    expect(report.oracles.find((o) => o.name === 'create-refused')?.rule).toMatch(/toy rule/);
    expect(report.probes.find((p) => p.name === 'own-call')?.oracles).toContain('create-refused');
    expect(report.operations.find((o) => o.operationId === 'createProject')?.oracles).toContain('create-refused');
    // Without it, nothing mentions it.
    expect(JSON.stringify(buildInspectReport(model, 'openapi.yaml'))).not.toContain('create-refused');
  });

  it('is dispatched by the executor in a real campaign, and its finding is the evidence', () => {
    expect(() => EvidenceSchema.parse(evidence)).not.toThrow();
    expect(evidence.method.oracles).toEqual(oracles.names);
    expect(evidence.method.oracleRules?.find((r) => r.name === 'create-refused')?.title).toBe('Creates refused (toy)');
    expect(evidence.findings.some((f) => f.oracle === 'create-refused')).toBe(true);
    expect(evidence.coverage.cells.some((c) => c.oracle === 'create-refused' && c.count > 0)).toBe(true);
    const cc61 = evidence.controlMapping.find((c) => c.id === 'CC6.1');
    expect(cc61?.oracles).toContain('create-refused');
    expect(cc61?.status).toBe('violated');
  });

  it('shows in SARIF as a rule with its title, rule text and CWE, and its finding as a result', () => {
    const sarif = renderSarif(evidence, { commandLine: 'test', oracles }) as {
      runs: {
        tool: {
          driver: { rules: { id: string; shortDescription: { text: string }; fullDescription: { text: string } }[] };
        };
        results: { ruleId: string }[];
      }[];
    };
    const rule = sarif.runs[0]!.tool.driver.rules.find((r) => r.id === 'create-refused');
    expect(rule?.shortDescription.text).toBe('Creates refused (toy)');
    expect(rule?.fullDescription.text).toMatch(/toy rule/);
    expect(sarif.runs[0]!.results.some((r) => r.ruleId === 'create-refused')).toBe(true);
  });

  it('shows in the report: its rule, its coverage column and its finding', () => {
    const html = renderReportHtml(evidence, { exchanges });
    expect(html).toContain('<tr data-oracle="create-refused">');
    expect(html).toContain('data-oracle="create-refused" data-relation="own"');
    expect(html).toMatch(/<article class="finding"[^>]*data-oracle="create-refused"/);
  });
});
