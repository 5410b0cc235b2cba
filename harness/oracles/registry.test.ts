/**
 * The tables that name oracles cannot disagree, because each is derived from the registry; this
 * test pins that down. What `inspect` prints per probe is exactly what the executor dispatches,
 * every probe has a judge, every control an oracle, every oracle known controls and CWE taxa.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildInspectReport } from '../cli/inspect-report.ts';
import { CONTROLS, controlsWithOracles } from '../evidence/controls.ts';
import { CWE_TAXA } from '../evidence/sarif.ts';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import type { CheckpointView } from '../model/checkpoint-view.ts';
import { buildPlan, type CampaignPlan } from '../model/plan.ts';
import { PROBE_NAMES, STEP_PROBES, type ProbeName } from '../model/probe.ts';
import type { Step } from '../model/step.ts';
import { World } from '../model/world.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import type { ApiModel } from '../openapi/api-model.ts';
import { Coverage } from '../run/coverage.ts';
import { Executor } from '../run/executor.ts';
import type { SendInput, SendResult, Transport } from '../run/http-client.ts';
import { ORACLE_REGISTRY, ORACLES, OracleSet } from './index.ts';
import { defineOracle, stateless, type Oracle } from './oracle.ts';
import { FingerprintScanner } from './scan/fingerprint-scanner.ts';

const SPEC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
let model: ApiModel;
let plan: CampaignPlan;
beforeAll(async () => {
  model = await analyzeSpecFile(SPEC);
  plan = buildPlan(model);
});

describe('the oracle registry', () => {
  it('names each oracle once, and every probe and control it names exists', () => {
    expect(new Set(ORACLES.names).size).toBe(ORACLE_REGISTRY.length);
    const controlIds = new Set(CONTROLS.map((c) => c.id));
    const cwes = new Set(CWE_TAXA.map((t) => t.id));
    for (const o of ORACLE_REGISTRY) {
      expect(o.probes.length, o.name).toBeGreaterThan(0);
      for (const p of o.probes) expect(PROBE_NAMES, `${o.name} judges ${p}`).toContain(p);
      for (const c of o.controls) expect(controlIds.has(c), `${o.name} bears on ${c}`).toBe(true);
      for (const c of o.cwes) expect(cwes.has(c), `${o.name} is CWE-${c}`).toBe(true);
      expect(o.rule.length, o.name).toBeGreaterThan(40);
    }
  });

  it('has a judge for every probe, and an oracle for every control', () => {
    for (const p of PROBE_NAMES) expect(ORACLES.forProbe(p).length, p).toBeGreaterThan(0);
    for (const c of controlsWithOracles()) expect(c.oracles.length, c.id).toBeGreaterThan(0);
  });

  it("README's proof rules are the oracles' own, word for word", () => {
    const readme = readFileSync(path.resolve(path.dirname(SPEC), '..', 'README.md'), 'utf8');
    for (const o of ORACLE_REGISTRY) expect(readme, o.name).toContain(`| **${o.name}** | ${o.rule} |`);
  });

  it("gives inspect's probe table and each operation's oracles from the same probes the executor dispatches on", () => {
    const report = buildInspectReport(model, 'crm.openapi.yaml');
    for (const row of report.probes)
      expect(row.oracles, row.name).toEqual(ORACLES.forProbe(row.name).map((o) => o.name));
    for (const op of report.operations) expect(op.oracles, op.operationId).toEqual(ORACLES.judging(op.probes));
  });
});

/** A stand-in for each registered oracle, with the same probes, that records what it was asked to judge. */
function spies(log: { oracle: string; moment: string }[]): Oracle[] {
  return ORACLE_REGISTRY.map((o) =>
    defineOracle<never>({
      name: o.name,
      title: o.title,
      rule: o.rule,
      cwes: o.cwes,
      controls: o.controls,
      probes: o.probes,
      checkpoint: o.checkpoint,
      gate: o.gate,
      init: stateless,
      gather: (m) => {
        log.push({ oracle: o.name, moment: m.kind === 'exchange' ? m.probe : 'checkpoint' });
        return [];
      },
      judge: () => [],
    }),
  );
}

/** Answers every request with a small JSON 404 (the dispatch does not depend on the answer). */
const transport: Transport = {
  async send(input: SendInput): Promise<SendResult> {
    return {
      request: { method: input.method, url: `http://127.0.0.1${input.path}`, path: input.path, headers: input.headers },
      response: {
        status: 404,
        headers: { 'content-type': 'application/json' },
        bodyText: '{}',
        json: {},
        durationMs: 1,
      },
      throttled: 0,
    };
  },
};

function stepFor(probe: ProbeName | undefined, action: Step['action']): Step {
  return {
    index: -1,
    tenant: 'T1',
    operationId: 'listCustomers',
    action,
    relation: probe ? 'foreign' : 'own',
    ...(probe && probe !== 'own-call' ? { probe: probe as Step['probe'], victim: 'T2' } : {}),
    method: 'GET',
    path: '/v1/customers',
    pathParams: {},
    query: {},
    headers: {},
  };
}

describe('the executor', () => {
  it('calls, for each probe, exactly the oracles the registry lists for it', async () => {
    const log: { oracle: string; moment: string }[] = [];
    const registry = new FingerprintRegistry();
    const world = new World(['T1', 'T2'], {}, { plan, registry });
    const set = new OracleSet(spies(log));
    let seq = 0;
    const executor = new Executor({
      plan,
      world,
      registry,
      scanner: new FingerprintScanner(registry),
      oracles: set.oracles.map((o) => o.bind()),
      client: transport,
      credentials: new Map(),
      coverage: new Coverage(),
      nextSeq: () => ++seq,
    });
    const own: [ProbeName, Step['action']][] = [
      ['own-call', 'read'],
      ['list-own', 'list'],
      ['canary-search', 'search'],
      ['aggregate-check', 'aggregate'],
      ['export-check', 'export'],
      ['audit-check', 'audit'],
    ];
    const cases: [ProbeName | undefined, Step['action']][] = [
      ...own.map(([, a]): [ProbeName | undefined, Step['action']] => [undefined, a]),
      ...STEP_PROBES.map((p): [ProbeName, Step['action']] => [p, 'read']),
    ];
    const expected = [...own.map(([p]) => p), ...STEP_PROBES];
    for (const [i, [probe, action]] of cases.entries()) {
      log.length = 0;
      await executor.run(stepFor(probe, action));
      const want = expected[i]!;
      const asked = [...new Set(log.filter((l) => l.moment === want).map((l) => l.oracle))];
      expect(asked, want).toEqual(ORACLES.forProbe(want).map((o) => o.name));
    }
    log.length = 0;
    const view: CheckpointView = { completeModel: true, lists: [], aggregates: [], exports: [], audits: [] };
    await executor.judgeCheckpoint(view);
    expect(log.map((l) => l.oracle)).toEqual(ORACLE_REGISTRY.filter((o) => o.checkpoint).map((o) => o.name));
  });
});
