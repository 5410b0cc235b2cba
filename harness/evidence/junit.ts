/**
 * `junit.xml`: one testsuite per oracle, one testcase per operation x oracle. A testcase fails when
 * the oracle raised a finding on the operation, is skipped when the oracle judged nothing there, and
 * passes otherwise. Properties carry the seed, the run id, the verdict and the control ids each
 * oracle supports, so CI dashboards can filter by control.
 */
import { showStepRefs } from './report/step-refs.ts';
import type { OracleName } from '../model/exchange.ts';
import type { Evidence, EvidenceFinding } from './evidence-schema.ts';
import { attrs, xmlEscape } from './xml.ts';

export const JUNIT_FILE = 'junit.xml';

/** The controls an oracle bears on, from the evidence's own control mapping. */
function controlsFor(evidence: Evidence, oracle: OracleName): string[] {
  return evidence.controlMapping.filter((c) => c.oracles.includes(oracle)).map((c) => `${c.framework} ${c.id}`);
}

function property(name: string, value: string | number, indent: string): string {
  return `${indent}<property${attrs({ name, value })}/>\n`;
}

function failureBody(fs: EvidenceFinding[]): string {
  return fs
    .map((f) => {
      const lines = [
        `[${f.severity}] ${f.summary}`,
        `attacker: ${f.attacker}${f.victim ? `, victim: ${f.victim}` : ''}`,
        `reproduced: ${f.reproduction.reproduced}/${f.reproduction.attempts}`,
        `transcript lines: ${f.transcriptLines.join(', ') || '-'}`,
        ...f.repro.steps.map(
          (s, i) =>
            // Steps are numbered from 1 here, so references to earlier steps are too.
            `  ${i + 1}. ${s.tenant} ${s.method} ${showStepRefs(
              `${s.path}${s.body !== undefined ? ` ${JSON.stringify(s.body)}` : ''}`,
              f.repro.steps.length,
            )}`,
        ),
      ];
      return lines.join('\n');
    })
    .join('\n\n');
}

export function renderJunit(evidence: Evidence): string {
  const oracles = evidence.method.oracles;
  const operations = new Set<string>(evidence.scope.operations.inScope.map((o) => o.operationId));
  for (const c of evidence.coverage.cells) operations.add(c.operationId);
  for (const f of evidence.findings) operations.add(f.operationId);
  const ops = [...operations].sort();
  const seconds = Math.max(0, (Date.parse(evidence.method.endedAt) - Date.parse(evidence.method.startedAt)) / 1000);

  const judged = new Map<string, number>();
  for (const c of evidence.coverage.cells)
    judged.set(`${c.oracle}\u0000${c.operationId}`, (judged.get(`${c.oracle}\u0000${c.operationId}`) ?? 0) + c.count);
  const findings = new Map<string, EvidenceFinding[]>();
  for (const f of evidence.findings) {
    const k = `${f.oracle}\u0000${f.operationId}`;
    findings.set(k, [...(findings.get(k) ?? []), f]);
  }

  let total = 0;
  let failed = 0;
  let skipped = 0;
  const suites: string[] = [];
  for (const oracle of oracles) {
    let sTests = 0;
    let sFail = 0;
    let sSkip = 0;
    const cases: string[] = [];
    for (const op of ops) {
      const k = `${oracle}\u0000${op}`;
      const fs = findings.get(k) ?? [];
      const n = judged.get(k) ?? 0;
      sTests++;
      let inner = `      <properties>\n${property('oracle', oracle, '        ')}${property('judged', n, '        ')}${controlsFor(
        evidence,
        oracle,
      )
        .map((c) => property('control', c, '        '))
        .join('')}      </properties>\n`;
      const confirmed = fs.filter((f) => f.confirmation !== 'unconfirmed');
      if (confirmed.length > 0) {
        sFail++;
        const first = confirmed[0]!;
        inner += `      <failure${attrs({ message: `${confirmed.length} finding(s): ${first.summary}`, type: `${oracle}/${first.severity}` })}>${xmlEscape(failureBody(confirmed))}</failure>\n`;
      } else if (fs.length > 0) {
        // Unconfirmed findings cannot fail a build: they neither prove themselves nor reproduced.
        sSkip++;
        inner += `      <skipped${attrs({ message: `${fs.length} unconfirmed finding(s): ${fs[0]!.summary}` })}/>\n`;
      } else if (n === 0) {
        sSkip++;
        inner += `      <skipped${attrs({ message: `${oracle} judged nothing for ${op} in this run` })}/>\n`;
      }
      cases.push(
        `    <testcase${attrs({ classname: `tenantproof.${oracle}`, name: `${op} x ${oracle}`, time: '0' })}>\n${inner}    </testcase>\n`,
      );
    }
    total += sTests;
    failed += sFail;
    skipped += sSkip;
    suites.push(
      `  <testsuite${attrs({ name: `tenantproof.${oracle}`, tests: sTests, failures: sFail, errors: 0, skipped: sSkip, timestamp: evidence.method.startedAt, time: seconds.toFixed(3) })}>\n` +
        `    <properties>\n${property('seed', evidence.method.seed, '      ')}${property('runId', evidence.runId, '      ')}${property('verdict', evidence.verdict, '      ')}${controlsFor(
          evidence,
          oracle,
        )
          .map((c) => property('control', c, '      '))
          .join('')}    </properties>\n` +
        cases.join('') +
        `  </testsuite>\n`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites${attrs({ name: 'tenantproof', tests: total, failures: failed, errors: 0, skipped, time: seconds.toFixed(3) })}>\n` +
    suites.join('') +
    `</testsuites>\n`
  );
}
