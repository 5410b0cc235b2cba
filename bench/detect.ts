/**
 * `npm run bench:detect [-- --seeds 1-5 --clean-seeds 1-10 --budget 60s --faults a,b --full-search --quick]`:
 * the detection benchmark.
 *
 * For each public fault alone and each seed, runs the real CLI (`tenantproof run --fault F --seed S
 * --stop-on-first`: the search ends at the first run with a finding, then shrinks and replays; with
 * `--full-search` it searches the whole budget) on the embedded CRM and reads its evidence: detected
 * or not, by which oracles, requests and seconds to the first detection (`method.firstDetection`;
 * older evidence falls back to the earliest exchange a finding cites), and the minimal repro's
 * length, set beside the hand-written scenario's length (test/crm/scenario-lengths.ts). The clean
 * CRM runs over the clean seeds (1-10) to the whole budget: any finding there is a false positive.
 * The credential-swap baseline (bench/baseline/credential-swap.ts) runs over the same faults and
 * seeds, in-process, and on the clean CRM over both seed lists. Cases run one after another (the
 * machine has 2 cores), a line each. Per fault, the report says whether the median repro is at most
 * the hand-written length + 1 and whether the harness's median requests to detect are at most the
 * baseline's, and the summary counts the faults that meet each criterion.
 *
 * Writes reports/bench/detect.json and detect.md (reports/bench/quick/ with --quick), after every case;
 * `--resume` keeps the cases an interrupted run measured, `--redo f,g` measures those faults again.
 *
 * Then the false-positive table (bench/false-positives.ts): quirky clean third-party-style targets,
 * seeds 1-3 (1 with --quick; `--false-positive-seeds`, `--no-false-positives`), where any LEAK is false.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FAULT_CATALOGUE } from '../crm/faults/catalogue.ts';
import {
  differentialFlags,
  EmbeddedBaselineTarget,
  flagKey,
  type BaselineFlag,
  type BaselineResult,
} from './baseline/credential-swap.ts';
import {
  environment,
  fmt,
  forEachTranscriptLine,
  latestRunDir,
  list,
  load,
  loadText,
  median,
  outputDir,
  parseSeeds,
  readEvidence,
  REPO_ROOT,
  round,
  runCli,
  tail,
  writeJson,
  writeText,
  type EvidenceLite,
} from './support/common.ts';
import { EXPECTED_ORACLES } from '../test/detection/expected-oracles.ts';
import { SCENARIO_LENGTHS, type ScenarioLength } from '../test/crm/scenario-lengths.ts';
import { falsePositiveRows, QUIRKY_TARGETS, runFalsePositiveCase, type FalsePositiveCase } from './false-positives.ts';

/** The oracles that legitimately catch each fault (shared with npm run test:detection). */
const EXPECTED: Record<string, readonly string[]> = EXPECTED_ORACLES;

/** The hand-written two-tenant scenario of each fault (test/crm/faults.test.ts checks these lengths). */
const HAND_WRITTEN: Record<string, ScenarioLength | undefined> = SCENARIO_LENGTHS;

/** Faults the quick variant runs: a plain read leak (found by all three rules of the baseline) and a cache bug. */
const QUICK_FAULTS = ['get-unscoped', 'cache-without-tenant'];

interface HarnessCase {
  kind: 'fault' | 'clean';
  fault: string | null;
  seed: number;
  exitCode: number | null;
  verdict: string | null;
  detected: boolean;
  oracles: string[];
  /** Oracles outside the fault's expected list (test/detection/detect.ts); null when the list is unknown. */
  unexpectedOracles: string[] | null;
  findings: number;
  firstDetection: { requests: number; seconds: number; source: 'evidence' | 'fallback-earliest-cited-exchange' } | null;
  /** The fallback measure, always recorded: the earliest exchange a finding cites (an upper bound). */
  earliestCitedExchange: { requests: number; seconds: number } | null;
  /** Steps of counterexamples/1.json (the minimal failing sequence after shrinking). */
  minimalReproSteps: number | null;
  /** Shortest `findings[].repro.steps` in evidence.json. */
  findingReproSteps: number | null;
  reproduction: { reproduced: number; attempts: number } | null;
  requestCount: number | null;
  runs: number | null;
  interleavedBatches: number | null;
  /** method.startedAt → endedAt: search, shrink and replay. */
  campaignSeconds: number | null;
  wallSeconds: number;
  cpuSeconds: number | null;
  maxRssMB: number | null;
  negativeControl: string | null;
  loadavgStart: number[];
  loadavgEnd: number[];
  /** The commit the CLI ran (evidence method.tool.gitCommit): other work may land during a long run. */
  gitCommit: string | null;
  error?: string;
}

interface BaselineCase {
  fault: string | null;
  seed: number;
  detected: boolean;
  requestsToDetect: number | null;
  secondsToDetect: number | null;
  requests: number;
  aRequests: number;
  aSuccess: number;
  seconds: number;
  flags: number;
  /** Flags whose operation and rule did not fire on the clean CRM with the same seed. */
  differentialFlags: number;
  rules: string[];
  firstFlags: Pick<BaselineFlag, 'rule' | 'operationId' | 'method' | 'path' | 'status' | 'requests'>[];
  /** On the clean CRM: every flag is a false positive. */
  falsePositiveKeys?: string[];
  loadavg: number[];
  error?: string;
}

function secondsBetween(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / 1000;
}

/**
 * The earliest exchange any finding cites: its seq (exchange seqs count the campaign's requests)
 * and its transcript time since the start. Findings cite the minimal run, after shrinking, so this
 * is an upper bound on the first detection; it is the fallback for evidence without firstDetection.
 */
function earliestCitedExchange(evidence: EvidenceLite, runDir: string): { requests: number; seconds: number } | null {
  const seqs = evidence.findings.flatMap((f) => f.exchanges);
  if (seqs.length === 0) return null;
  const first = Math.min(...seqs);
  let at: string | undefined;
  forEachTranscriptLine(runDir, (line) => {
    if (!at && line.exchange?.seq === first) at = line.at;
  });
  return { requests: first, seconds: at ? round(secondsBetween(evidence.method.startedAt, at), 2)! : NaN };
}

/** Requests and time to the first detection: `method.firstDetection`, else the earliest cited exchange. */
function firstDetectionOf(
  evidence: EvidenceLite,
  fallback: { requests: number; seconds: number } | null,
): HarnessCase['firstDetection'] {
  const fd = evidence.method.firstDetection;
  if (fd) return { requests: fd.requests, seconds: round(fd.elapsedMs / 1000, 2)!, source: 'evidence' };
  return fallback ? { ...fallback, source: 'fallback-earliest-cited-exchange' } : null;
}

async function runHarnessCase(
  fault: string | null,
  seed: number,
  o: { budget: string; shrinkBudget: string; replays: string; stopOnFirst: boolean },
): Promise<HarnessCase> {
  const out = mkdtempSync(path.join(tmpdir(), `tp-bench-detect-${fault ?? 'clean'}-${seed}-`));
  const usageFile = path.join(out, 'rusage.json');
  const loadavgStart = load();
  const args = [
    'run',
    '--seed',
    String(seed),
    '--budget',
    o.budget,
    '--shrink-budget',
    o.shrinkBudget,
    '--replays',
    o.replays,
    '--out',
    out,
  ];
  if (fault) args.push('--fault', fault);
  if (o.stopOnFirst) args.push('--stop-on-first');
  try {
    const cli = await runCli(args, { usageFile });
    const runDir = latestRunDir(out);
    const evidence = readEvidence(runDir);
    const oracles = [...new Set(evidence?.findings.map((f) => f.oracle) ?? [])];
    let minimalReproSteps: number | null = null;
    try {
      minimalReproSteps = (
        JSON.parse(readFileSync(path.join(runDir!, 'counterexamples', '1.json'), 'utf8')) as { steps: unknown[] }
      ).steps.length;
    } catch {
      minimalReproSteps = null;
    }
    const runsMatch = /(\d+) runs, (\d+) requests/.exec(cli.stdout);
    const cited = evidence && runDir ? earliestCitedExchange(evidence, runDir) : null;
    const result: HarnessCase = {
      kind: fault ? 'fault' : 'clean',
      fault,
      seed,
      exitCode: cli.code,
      verdict: evidence?.verdict ?? null,
      detected: cli.code === 1 && (evidence?.findings.length ?? 0) > 0,
      oracles,
      unexpectedOracles:
        fault && EXPECTED?.[fault] ? oracles.filter((x) => !EXPECTED[fault]!.includes(x)) : fault ? null : oracles,
      findings: evidence?.findings.length ?? 0,
      firstDetection: evidence && evidence.findings.length > 0 ? firstDetectionOf(evidence, cited) : null,
      earliestCitedExchange: cited,
      minimalReproSteps,
      findingReproSteps:
        evidence && evidence.findings.length > 0
          ? Math.min(...evidence.findings.map((f) => f.repro.steps.length))
          : null,
      reproduction: evidence?.findings[0]?.reproduction ?? null,
      requestCount: evidence?.method.requestCount ?? null,
      runs: runsMatch ? Number(runsMatch[1]) : null,
      interleavedBatches: evidence?.method.interleavedBatchCount ?? null,
      campaignSeconds: evidence ? round(secondsBetween(evidence.method.startedAt, evidence.method.endedAt), 2) : null,
      wallSeconds: round(cli.wallMs / 1000, 2)!,
      cpuSeconds: cli.usage ? round((cli.usage.userCpuMs + cli.usage.systemCpuMs) / 1000, 2) : null,
      maxRssMB: cli.usage ? round(cli.usage.maxRssMB, 0) : null,
      negativeControl: evidence?.negativeControl.outcome ?? null,
      loadavgStart,
      loadavgEnd: load(),
      gitCommit: evidence?.method.tool?.gitCommit ?? null,
    };
    if (!evidence) result.error = `no evidence.json (exit ${cli.code})\n${tail(cli)}`;
    else if (fault && !result.detected) result.error = `exit ${cli.code}\n${tail(cli, 6)}`;
    return result;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function baselineCase(
  fault: string | null,
  seed: number,
  result: BaselineResult,
  clean: BaselineResult | undefined,
): BaselineCase {
  const diff = fault && clean ? differentialFlags(result, clean) : [];
  const first = diff.length > 0 ? diff.reduce((a, b) => (b.requests < a.requests ? b : a)) : undefined;
  const c: BaselineCase = {
    fault,
    seed,
    detected: diff.length > 0,
    requestsToDetect: first?.requests ?? null,
    secondsToDetect: first ? round(first.elapsedMs / 1000, 2) : null,
    requests: result.requests,
    aRequests: result.aRequests,
    aSuccess: result.aSuccess,
    seconds: round(result.elapsedMs / 1000, 2)!,
    flags: result.flags.length,
    differentialFlags: diff.length,
    rules: [...new Set(diff.map((f) => f.rule))],
    firstFlags: [...diff]
      .sort((a, b) => a.requests - b.requests)
      .slice(0, 5)
      .map((f) => ({
        rule: f.rule,
        operationId: f.operationId,
        method: f.method,
        path: f.path,
        status: f.status,
        requests: f.requests,
      })),
    loadavg: load(),
  };
  if (!fault) c.falsePositiveKeys = [...new Set(result.flags.map(flagKey))].sort();
  return c;
}

interface FaultRow {
  fault: string;
  detected: number;
  seeds: number;
  oracles: string[];
  medianRequests: number | null;
  medianSeconds: number | null;
  medianReproSteps: number | null;
  /** Requests of the hand-written scenario in test/crm/faults.test.ts (one round of a retry loop). */
  handWrittenLength: number | null;
  handWrittenLoops: boolean | null;
  /** medianReproSteps ≤ handWrittenLength + 1; null when either is unknown. */
  reproWithinHandWrittenPlusOne: boolean | null;
  baselineDetected: number;
  baselineSeeds: number;
  baselineMedianRequests: number | null;
  baselineRules: string[];
  /** medianRequests ≤ baselineMedianRequests; null unless both find the fault. */
  harnessAtMostBaseline: boolean | null;
}

/** How many faults meet one criterion of issue 16, and which do not. */
interface Criterion {
  met: number;
  of: number;
  /** The faults (or clean seeds) that do not meet it, with their figures. */
  failing: string[];
}

function summarise(
  faults: string[],
  harness: HarnessCase[],
  baseline: BaselineCase[],
): { rows: FaultRow[]; summary: Record<string, unknown> } {
  const rows: FaultRow[] = faults.map((fault) => {
    const hs = harness.filter((c) => c.fault === fault);
    const hit = hs.filter((c) => c.detected);
    const bs = baseline.filter((c) => c.fault === fault);
    const bhit = bs.filter((c) => c.detected);
    const medianRequests = median(hit.flatMap((c) => (c.firstDetection ? [c.firstDetection.requests] : [])));
    const medianReproSteps = median(hit.flatMap((c) => (c.minimalReproSteps !== null ? [c.minimalReproSteps] : [])));
    const baselineMedianRequests = median(
      bhit.flatMap((c) => (c.requestsToDetect !== null ? [c.requestsToDetect] : [])),
    );
    const hand = HAND_WRITTEN[fault];
    return {
      fault,
      detected: hit.length,
      seeds: hs.length,
      oracles: [...new Set(hit.flatMap((c) => c.oracles))].sort(),
      medianRequests,
      medianSeconds: median(
        hit.flatMap((c) =>
          c.firstDetection && Number.isFinite(c.firstDetection.seconds) ? [c.firstDetection.seconds] : [],
        ),
      ),
      medianReproSteps,
      handWrittenLength: hand?.requests ?? null,
      handWrittenLoops: hand?.loops ?? null,
      reproWithinHandWrittenPlusOne: medianReproSteps !== null && hand ? medianReproSteps <= hand.requests + 1 : null,
      baselineDetected: bhit.length,
      baselineSeeds: bs.length,
      baselineMedianRequests,
      baselineRules: [...new Set(bhit.flatMap((c) => c.rules))].sort(),
      harnessAtMostBaseline:
        medianRequests !== null && baselineMedianRequests !== null ? medianRequests <= baselineMedianRequests : null,
    };
  });
  const clean = harness.filter((c) => c.kind === 'clean');
  const cleanBaseline = baseline.filter((c) => c.fault === null);
  const allSeeds = rows.filter((r) => r.seeds > 0 && r.detected === r.seeds).length;
  const perFaultMedians = rows.flatMap((r) => (r.medianRequests !== null ? [r.medianRequests] : []));
  const both = rows.filter(
    (r) => r.baselineDetected > 0 && r.medianRequests !== null && r.baselineMedianRequests !== null,
  );
  const hMed = median(both.map((r) => r.medianRequests!));
  const bMed = median(both.map((r) => r.baselineMedianRequests!));
  const criteria: Record<string, Criterion> = {
    detectedAtEverySeed: {
      met: allSeeds,
      of: rows.length,
      failing: rows
        .filter((r) => !(r.seeds > 0 && r.detected === r.seeds))
        .map((r) => `${r.fault} (${r.detected}/${r.seeds})`),
    },
    reproWithinHandWrittenPlusOne: {
      met: rows.filter((r) => r.reproWithinHandWrittenPlusOne === true).length,
      of: rows.length,
      failing: rows
        .filter((r) => r.reproWithinHandWrittenPlusOne !== true)
        .map((r) => `${r.fault} (${fmt(r.medianReproSteps, 1)} steps, hand-written ${r.handWrittenLength ?? '–'})`),
    },
    harnessRequestsAtMostBaseline: {
      met: both.filter((r) => r.harnessAtMostBaseline === true).length,
      of: both.length,
      failing: both
        .filter((r) => r.harnessAtMostBaseline !== true)
        .map((r) => `${r.fault} (${fmt(r.medianRequests, 0)} vs ${fmt(r.baselineMedianRequests, 0)})`),
    },
    cleanSeedsWithoutFindings: {
      met: clean.filter((c) => c.findings === 0).length,
      of: clean.length,
      failing: clean.filter((c) => c.findings > 0).map((c) => `seed ${c.seed} (${c.oracles.join(', ')})`),
    },
  };
  return {
    rows,
    summary: {
      faults: rows.length,
      faultsDetectedAtEverySeed: allSeeds,
      faultsDetectedAtSomeSeed: rows.filter((r) => r.detected > 0).length,
      harnessCasesDetected: harness.filter((c) => c.kind === 'fault' && c.detected).length,
      harnessCasesWithUnexpectedOracle: harness
        .filter((c) => c.kind === 'fault' && (c.unexpectedOracles?.length ?? 0) > 0)
        .map((c) => `${c.fault}/${c.seed}: ${c.unexpectedOracles!.join(', ')}`),
      harnessFaultCases: harness.filter((c) => c.kind === 'fault').length,
      medianRequestsToDetectAcrossFaults: median(perFaultMedians),
      medianSecondsToDetectAcrossFaults: median(
        rows.flatMap((r) => (r.medianSeconds !== null ? [r.medianSeconds] : [])),
      ),
      cleanSeeds: clean.length,
      cleanSeedsWithFindings: clean.filter((c) => c.findings > 0).length,
      cleanFindings: clean.reduce((n, c) => n + c.findings, 0),
      cleanExitCodes: clean.map((c) => c.exitCode),
      baselineFaultsDetectedAtSomeSeed: rows.filter((r) => r.baselineDetected > 0).length,
      baselineFaultsDetectedAtEverySeed: rows.filter(
        (r) => r.baselineSeeds > 0 && r.baselineDetected === r.baselineSeeds,
      ).length,
      baselineCleanFalsePositiveFlags: cleanBaseline.reduce((n, c) => n + c.flags, 0),
      baselineCleanFalsePositiveKinds: [...new Set(cleanBaseline.flatMap((c) => c.falsePositiveKeys ?? []))].sort(),
      faultsBothFind: both.map((r) => r.fault),
      harnessMedianRequestsOnThoseFaults: hMed,
      baselineMedianRequestsOnThoseFaults: bMed,
      harnessOverBaselineRequestRatio: hMed !== null && bMed ? round(hMed / bMed, 2) : null,
      criteria,
    },
  };
}

function markdown(report: {
  environment: ReturnType<typeof environment>;
  settings: Record<string, unknown>;
  rows: FaultRow[];
  summary: Record<string, unknown>;
  harness: HarnessCase[];
  baseline: BaselineCase[];
  falsePositives: FalsePositiveCase[];
}): string {
  const s = report.summary as Record<string, number | null | string[] | (number | null)[]>;
  const criteria = report.summary['criteria'] as Record<string, Criterion>;
  const yesNo = (x: boolean | null): string => (x === null ? '–' : x ? 'yes' : '**no**');
  const e = report.environment;
  const lines: string[] = [];
  lines.push('# Detection benchmark');
  lines.push('');
  const commits = [...new Set(report.harness.map((c) => c.gitCommit?.slice(0, 12) ?? '?'))];
  lines.push(
    `\`${e.command}\` — ${e.date}, node ${e.node}, ${e.cpus} CPUs, commit ${e.gitCommit?.slice(0, 12) ?? '?'}${e.gitDirty ? ' (with uncommitted changes)' : ''} at start${commits.length > 1 ? `; the CLI cases ran at commits ${commits.join(', ')} (work landed during the run; per case in detect.json)` : ''}, load average at start ${e.loadavg.join(' ')}.`,
  );
  lines.push(
    `Harness: \`tenantproof run --fault F --seed S --budget ${report.settings['budget']}${report.settings['stopOnFirst'] ? ' --stop-on-first' : ''} --shrink-budget ${report.settings['shrinkBudget']} --replays ${report.settings['replays']}\` on the embedded CRM (PGlite), seeds ${(report.settings['seeds'] as number[]).join(', ')}, cases one after another; ${report.settings['stopOnFirst'] ? 'the search ends at the first run with a finding, then the harness shrinks and replays as usual' : 'the search runs to the whole budget (`--full-search`), then the harness shrinks and replays'}. The clean CRM: \`--budget ${report.settings['cleanBudget']}\`, to the whole budget, seeds ${(report.settings['cleanSeeds'] as number[]).join(', ')}. Baseline: credential-swap replay (bench/baseline/credential-swap.ts), counted only where its flag did not also fire on the clean CRM with the same seed.`,
  );
  lines.push('');
  lines.push(
    '| fault | detected | oracle(s) | hand-written scenario (requests) | median minimal repro (steps) | repro ≤ hand-written + 1 | harness median requests to detect | median seconds to detect | baseline detected | baseline median requests | harness ≤ baseline |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of report.rows) {
    const hand =
      r.handWrittenLength === null
        ? '–'
        : `${r.handWrittenLength}${r.handWrittenLoops ? ' (one round of its loop)' : ''}`;
    lines.push(
      `| ${r.fault} | ${r.detected}/${r.seeds} | ${r.oracles.join(', ') || '–'} | ${hand} | ${fmt(r.medianReproSteps, 1)} | ${yesNo(r.reproWithinHandWrittenPlusOne)} | ${fmt(r.medianRequests, 0)} | ${fmt(r.medianSeconds, 1)} | ${r.baselineDetected}/${r.baselineSeeds}${r.baselineRules.length ? ` (${r.baselineRules.join(', ')})` : ''} | ${fmt(r.baselineMedianRequests, 0)} | ${yesNo(r.harnessAtMostBaseline)} |`,
    );
  }
  const cleanH = report.harness.filter((c) => c.kind === 'clean');
  const cleanB = report.baseline.filter((c) => c.fault === null);
  lines.push(
    `| **clean CRM (false positives)** | ${s['cleanSeedsWithFindings']}/${s['cleanSeeds']} seeds with a finding (${s['cleanFindings']} findings) | – | – | – | – | ${fmt(median(cleanH.flatMap((c) => (c.requestCount !== null ? [c.requestCount] : []))), 0)} requests per clean run | – | ${s['baselineCleanFalsePositiveFlags']} false-positive flags over ${cleanB.length} seed${cleanB.length === 1 ? '' : 's'} | ${fmt(median(cleanB.map((c) => c.requests)), 0)} requests per session | – |`,
  );
  lines.push('');
  const failing = (c: Criterion): string => (c.failing.length === 0 ? '' : `; not: ${c.failing.join(', ')}`);
  const every = criteria['detectedAtEverySeed']!;
  const repro = criteria['reproWithinHandWrittenPlusOne']!;
  const cheaper = criteria['harnessRequestsAtMostBaseline']!;
  const cleanC = criteria['cleanSeedsWithoutFindings']!;
  lines.push(
    `- Faults detected at every seed: **${every.met}/${every.of}** (at some seed: ${s['faultsDetectedAtSomeSeed']}/${s['faults']}; cases ${s['harnessCasesDetected']}/${s['harnessFaultCases']})${failing(every)}.`,
  );
  lines.push(
    `- Median minimal repro ≤ the hand-written scenario's length + 1: **${repro.met}/${repro.of}** faults${failing(repro)}.`,
  );
  lines.push(
    `- Harness median requests to detect ≤ the baseline's, on the faults both find: **${cheaper.met}/${cheaper.of}**${failing(cheaper)}.`,
  );
  lines.push(
    `- Clean CRM seeds without any finding: **${cleanC.met}/${cleanC.of}** (exit codes ${(s['cleanExitCodes'] as (number | null)[]).join(', ')})${failing(cleanC)}.`,
  );
  const unexpected = s['harnessCasesWithUnexpectedOracle'] as string[];
  lines.push(
    `- Findings by an oracle outside the fault's expected list (test/detection/detect.ts): ${unexpected.length === 0 ? 'none' : unexpected.join('; ')}.`,
  );
  lines.push(
    `- Median requests to detect across faults (median of per-fault medians): **${fmt(s['medianRequestsToDetectAcrossFaults'] as number | null, 0)}**; median seconds: ${fmt(s['medianSecondsToDetectAcrossFaults'] as number | null, 1)}.`,
  );
  lines.push(
    `- Baseline: detects ${s['baselineFaultsDetectedAtSomeSeed']}/${s['faults']} faults at some seed (${s['baselineFaultsDetectedAtEverySeed']} at every seed); on the clean CRM it raises ${s['baselineCleanFalsePositiveFlags']} flags (${(s['baselineCleanFalsePositiveKinds'] as string[]).length} distinct operation+rule: ${(s['baselineCleanFalsePositiveKinds'] as string[]).join('; ') || 'none'}).`,
  );
  lines.push(
    `- On the ${(s['faultsBothFind'] as string[]).length} faults the baseline finds at all, median requests to detect: harness ${fmt(s['harnessMedianRequestsOnThoseFaults'] as number | null, 0)}, baseline ${fmt(s['baselineMedianRequestsOnThoseFaults'] as number | null, 0)}, ratio harness/baseline **${fmt(s['harnessOverBaselineRequestRatio'] as number | null, 2)}**.`,
  );
  lines.push('');
  lines.push(
    "Requests to detect: for the harness, `method.firstDetection.requests`, the campaign's request count at the exchange that proved the first finding (checkpoints and other lanes' requests included; provisioning excluded); for the baseline, its requests (A's and B's copies) until its first flag that does not also fire on the clean CRM. The harness then shrinks and replays, the baseline does not. Minimal repro: the steps (one request each) of counterexamples/1.json after shrinking; hand-written scenario: the requests of the fault's two-tenant scenario in test/crm/faults.test.ts when it leaks at its first attempt (test/crm/scenario-lengths.ts, checked by that test; a scenario with a retry loop counts one round). Timing figures are wall-clock on a shared 2-core machine (load average recorded per case in detect.json).",
  );
  if (report.falsePositives.length > 0) {
    lines.push('');
    lines.push('## False positives on quirky clean targets');
    lines.push('');
    lines.push(
      `Clean targets whose quirks once produced false LEAKs (bench/false-positives.ts), through the CLI with \`--shrink-budget ${report.settings['shrinkBudget']} --replays ${report.settings['replays']}\`. Every LEAK here would be false; CLEAN and INCONCLUSIVE are both right answers, INCONCLUSIVE when the run could not cover enough of the API to say CLEAN.`,
    );
    lines.push('');
    lines.push(...falsePositiveRows(report.falsePositives));
    lines.push('');
    const leaks = report.falsePositives.filter((c) => c.verdict === 'leak').length;
    lines.push(`- LEAK verdicts on clean targets: **${leaks}** of ${report.falsePositives.length} runs.`);
    for (const c of report.falsePositives.filter((x) => x.verdict !== 'clean'))
      lines.push(
        `- ${c.target} seed ${c.seed}: ${c.verdict ?? 'no verdict'}${c.verdictReason ? `: ${c.verdictReason.split(': not probed')[0]}` : ''}${c.findings.length > 0 ? `; findings: ${c.findings.join('; ')}` : ''}`,
      );
  }
  const failures = report.harness.filter((c) => c.error);
  if (failures.length > 0) {
    lines.push('');
    lines.push('## Cases not detected or failed');
    for (const c of failures)
      lines.push(`- ${c.fault ?? 'clean'} seed ${c.seed}: exit ${c.exitCode}, ${c.error?.split('\n')[0]}`);
  }
  lines.push('');
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      'clean-seeds': { type: 'string' },
      'full-search': { type: 'boolean', default: false },
      budget: { type: 'string' },
      'clean-budget': { type: 'string' },
      'shrink-budget': { type: 'string' },
      replays: { type: 'string' },
      faults: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
      'no-harness': { type: 'boolean', default: false },
      'no-clean': { type: 'boolean', default: false },
      'no-false-positives': { type: 'boolean', default: false },
      'false-positive-seeds': { type: 'string' },
      resume: { type: 'boolean', default: false },
      redo: { type: 'string' },
    },
  });
  const quick = values.quick!;
  const faults = values.faults ? list(values.faults) : quick ? QUICK_FAULTS : FAULT_CATALOGUE.map((f) => f.name);
  const seeds = parseSeeds(values.seeds ?? (quick ? '1' : '1-5'));
  const cleanSeeds = parseSeeds(values['clean-seeds'] ?? (quick ? '1' : '1-10'));
  const budget = values.budget ?? (quick ? '15s' : '60s');
  const settings = {
    faults,
    seeds,
    cleanSeeds,
    budget,
    /** Fault cases end their search at the first run with a finding (`--full-search`: no). */
    stopOnFirst: !values['full-search'],
    cleanBudget: values['clean-budget'] ?? (quick ? '5s' : budget),
    shrinkBudget: values['shrink-budget'] ?? (quick ? '2s' : '10s'),
    replays: values.replays ?? (quick ? '1' : '2'),
    quick,
  };
  const fpSeeds = parseSeeds(values['false-positive-seeds'] ?? (quick ? '1' : '1-3'));
  /** The baseline's clean sessions: every fault seed (its flags are differential against them) and every clean seed. */
  const baselineCleanSeeds = [...new Set([...seeds, ...cleanSeeds])].sort((a, b) => a - b);
  const env = environment();
  const dir = outputDir(quick);
  const harness: HarnessCase[] = [];
  const baseline: BaselineCase[] = [];
  const falsePositives: FalsePositiveCase[] = [];
  // --resume: keep the cases an interrupted run of the same settings already measured.
  // --redo a,b (implies --resume): measure those faults' harness cases again (`clean` for the clean CRM),
  // e.g. cases that ran while something else loaded the machine.
  const redo = new Set(list(values.redo).map((f) => (f === 'clean' ? null : f)));
  const previous = path.join(dir, 'detect.json');
  if ((values.resume || redo.size > 0) && existsSync(previous)) {
    const old = JSON.parse(readFileSync(previous, 'utf8')) as {
      settings: typeof settings;
      harness: HarnessCase[];
      baseline: BaselineCase[];
      falsePositives?: FalsePositiveCase[];
    };
    const same = (['budget', 'cleanBudget', 'shrinkBudget', 'replays', 'stopOnFirst', 'cleanSeeds'] as const).every(
      (k) => JSON.stringify(old.settings[k]) === JSON.stringify(settings[k]),
    );
    if (!same)
      throw new Error(`--resume: ${previous} was measured with other settings (${JSON.stringify(old.settings)})`);
    harness.push(
      ...old.harness.filter(
        (c) =>
          c.verdict !== null &&
          !redo.has(c.fault) &&
          (c.fault === null ? cleanSeeds.includes(c.seed) : faults.includes(c.fault) && seeds.includes(c.seed)),
      ),
    );
    if (
      faults.every((f) => seeds.every((s) => old.baseline.some((b) => b.fault === f && b.seed === s))) &&
      baselineCleanSeeds.every((s) => old.baseline.some((b) => b.fault === null && b.seed === s))
    ) {
      baseline.push(
        ...old.baseline.filter((b) =>
          b.fault === null ? baselineCleanSeeds.includes(b.seed) : faults.includes(b.fault) && seeds.includes(b.seed),
        ),
      );
    }
    falsePositives.push(...(old.falsePositives ?? []).filter((c) => c.verdict !== null && fpSeeds.includes(c.seed)));
    process.stdout.write(
      `resuming: ${harness.length} harness case(s) and ${baseline.length} baseline case(s) kept from ${path.relative(REPO_ROOT, previous)}\n`,
    );
  }
  /** Rewritten after every case, so a long run that dies keeps what it measured. */
  const write = (quiet = true): void => {
    const { rows, summary } = summarise(faults, harness, baseline);
    const report = {
      benchmark: 'detect',
      environment: env,
      environmentAtEnd: { loadavg: load(), date: new Date().toISOString(), gitCommit: environment().gitCommit },
      settings,
      summary,
      rows,
      harness,
      baseline,
      falsePositives,
    };
    writeJson(path.join(dir, 'detect.json'), report, quiet);
    writeText(path.join(dir, 'detect.md'), markdown(report), quiet);
  };
  process.stdout.write(
    `detect: ${faults.length} faults × seeds ${seeds.join(',')}, budget ${budget}${settings.stopOnFirst ? ', stop on first finding' : ', full search'}; clean seeds ${cleanSeeds.join(',')}, clean budget ${settings.cleanBudget}; ${loadText()}\n`,
  );

  // The baseline first (minutes), in-process on one embedded database.
  if (!values['no-baseline'] && baseline.length === 0) {
    const target = await EmbeddedBaselineTarget.open();
    try {
      const cleanBySeed = new Map<number, BaselineResult>();
      for (const seed of baselineCleanSeeds) {
        const clean = await target.run([], seed);
        cleanBySeed.set(seed, clean);
        const c = baselineCase(null, seed, clean, undefined);
        baseline.push(c);
        process.stdout.write(
          `baseline clean seed ${seed}: ${c.flags} false-positive flag(s) (${c.falsePositiveKeys?.join('; ') || 'none'}), ${c.requests} requests, ${c.seconds}s; ${loadText()}\n`,
        );
      }
      for (const fault of faults) {
        for (const seed of seeds) {
          let c: BaselineCase;
          try {
            c = baselineCase(fault, seed, await target.run([fault], seed), cleanBySeed.get(seed));
          } catch (error) {
            c = {
              fault,
              seed,
              detected: false,
              requestsToDetect: null,
              secondsToDetect: null,
              requests: 0,
              aRequests: 0,
              aSuccess: 0,
              seconds: 0,
              flags: 0,
              differentialFlags: 0,
              rules: [],
              firstFlags: [],
              loadavg: load(),
              error: (error as Error).message,
            };
          }
          baseline.push(c);
          const first = c.firstFlags[0];
          process.stdout.write(
            `baseline ${fault} seed ${seed}: ${c.detected ? `FLAGGED at request ${c.requestsToDetect} (${first?.rule} ${first?.method} ${first?.operationId})` : 'not detected'}, ${c.requests} requests${c.error ? `, error: ${c.error}` : ''}; ${loadText()}\n`,
          );
        }
      }
    } finally {
      await target.close();
    }
    write();
  }

  if (!values['no-harness']) {
    const cases: { fault: string | null; seed: number }[] = [
      ...faults.flatMap((fault) => seeds.map((seed) => ({ fault, seed }))),
      ...(values['no-clean'] ? [] : cleanSeeds.map((seed) => ({ fault: null, seed }))),
    ];
    let n = 0;
    for (const { fault, seed } of cases) {
      n++;
      if (harness.some((c) => c.fault === fault && c.seed === seed)) continue;
      const c = await runHarnessCase(fault, seed, {
        budget: fault ? budget : settings.cleanBudget,
        shrinkBudget: settings.shrinkBudget,
        replays: settings.replays,
        // The clean CRM always searches its whole budget: a false positive must have every chance to show.
        stopOnFirst: fault !== null && settings.stopOnFirst,
      });
      harness.push(c);
      const fd = c.firstDetection;
      const what = fault
        ? c.detected
          ? `DETECTED ${c.oracles.join(', ')}; first at ${fd?.requests} requests, ${fmt(fd?.seconds, 1)}s${fd?.source === 'evidence' ? '' : ' (fallback)'}; repro ${c.minimalReproSteps} steps (hand-written ${HAND_WRITTEN[fault]?.requests ?? '–'}), reproduced ${c.reproduction?.reproduced}/${c.reproduction?.attempts}`
          : `NOT DETECTED (exit ${c.exitCode})`
        : `${c.findings === 0 ? 'clean, no findings' : `FALSE POSITIVE: ${c.oracles.join(', ')}`} (exit ${c.exitCode})`;
      process.stdout.write(
        `[${n}/${cases.length}] ${fault ?? 'clean'} seed ${seed}: ${what}; ${c.requestCount} requests, ${c.wallSeconds}s wall; ${loadText()}\n`,
      );
      if (c.error && (!fault || !c.detected)) process.stdout.write(`${c.error}\n`);
      write();
    }
  }
  if (!values['no-false-positives']) {
    for (const target of QUIRKY_TARGETS) {
      for (const seed of fpSeeds) {
        if (falsePositives.some((c) => c.target === target.name && c.seed === seed)) continue;
        const c = await runFalsePositiveCase(target, seed, {
          quick,
          shrinkBudget: settings.shrinkBudget,
          replays: settings.replays,
        });
        falsePositives.push(c);
        process.stdout.write(
          `false positives: ${target.name} seed ${seed}: ${c.verdict === 'leak' ? 'FALSE LEAK' : (c.verdict ?? 'no verdict')} (exit ${c.exitCode}), ${c.confirmed} confirmed / ${c.unconfirmed} unconfirmed findings, coverage ${c.coverage ? `${c.coverage.probed}/${c.coverage.tenantOwned}` : '–'}, ${c.requestCount} requests, ${c.wallSeconds}s wall; ${loadText()}\n`,
        );
        if (c.error) process.stdout.write(`${c.error}\n`);
        write();
      }
    }
  }
  write(false);
  const { summary } = summarise(faults, harness, baseline);
  const criteria = summary['criteria'] as Record<string, Criterion>;
  const met = (c: Criterion): string => `${c.met}/${c.of}${c.failing.length ? ` (not: ${c.failing.join(', ')})` : ''}`;
  process.stdout.write(
    `detect: ${met(criteria['detectedAtEverySeed']!)} faults detected at every seed; repro ≤ hand-written + 1 on ${met(criteria['reproWithinHandWrittenPlusOne']!)}; harness ≤ baseline requests on ${met(criteria['harnessRequestsAtMostBaseline']!)} faults both find; clean seeds without findings ${met(criteria['cleanSeedsWithoutFindings']!)}; false LEAKs on quirky clean targets ${falsePositives.filter((c) => c.verdict === 'leak').length}/${falsePositives.length}; median requests to detect ${fmt(summary['medianRequestsToDetectAcrossFaults'] as number | null, 0)}; harness/baseline request ratio ${fmt(summary['harnessOverBaselineRequestRatio'] as number | null, 2)}\n`,
  );
  // A LEAK on a clean target is a defect of the harness, not a figure: the benchmark fails on it.
  const falseLeaks = falsePositives.filter((c) => c.verdict === 'leak');
  if (falseLeaks.length > 0) {
    process.stderr.write(
      `bench:detect: ${falseLeaks.length} false LEAK verdict(s) on clean targets: ${falseLeaks.map((c) => `${c.target} seed ${c.seed}`).join(', ')}\n`,
    );
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:detect failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
