/**
 * `tenantproof/vitest`: an isolation campaign as part of a vitest suite a team already has.
 *
 *   import { isolationSuite } from 'tenantproof/vitest';
 *   isolationSuite({ target: 'http://127.0.0.1:3000', provision: 'module:./test/login.ts', budget: '30s' });
 *
 * registers one `describe` whose `beforeAll` runs the campaign (the same one `tenantproof run`
 * runs, writing the same signed evidence folder), then one test per oracle, which fails with the
 * findings, the minimal repro and the replay command; plus one test that the run reached a verdict
 * and one that its negative control proved the oracles can fire.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { OracleName } from './model/exchange.ts';
import { ORACLE_NAMES } from './oracles/index.ts';
import { resolveConfig, type UserConfig } from './run/config.ts';
import { parseDuration } from './run/duration.ts';
import { report } from './cli/main.ts';
import { runJob, type RunOutcome } from './run/job.ts';
import type { EvidenceFinding } from './evidence/evidence-schema.ts';

export interface IsolationSuiteOptions extends UserConfig {
  /** Name of the describe block (default: "tenant isolation (<spec>)"). */
  name?: string;
  /** Extra time for start-up, provisioning and the evidence, on top of the budgets (default 120s). */
  setupTimeout?: string | number;
}

function describeFinding(f: EvidenceFinding): string {
  const steps = f.repro.steps.map(
    (s, i) =>
      `    ${i + 1}. ${s.tenant} ${s.method} ${s.path}${s.concurrentWith ? ` (concurrent with ${s.concurrentWith.map((j) => j + 1).join(', ')})` : ''}`,
  );
  return [
    `  [${f.severity}] ${f.operationId}: ${f.summary}`,
    ...(steps.length > 0 ? ['  minimal repro:', ...steps] : []),
  ].join('\n');
}

export function isolationSuite(options: IsolationSuiteOptions = {}): void {
  const { name, setupTimeout, ...user } = options;
  const config = resolveConfig({}, user);
  const timeoutMs = config.budget + config.shrinkBudget + parseDuration(setupTimeout ?? '120s');
  let outcome: RunOutcome | undefined;

  describe(name ?? `tenant isolation (${config.spec})`, () => {
    beforeAll(async () => {
      try {
        outcome = await runJob(
          config,
          `tenantproof/vitest isolationSuite(${JSON.stringify({ ...user, adminToken: user.adminToken ? '[redacted]' : undefined })})`,
          { quiet: true },
        );
      } catch (err) {
        // As the CLI would: the message on stderr, the exit code in the outcome.
        outcome = { code: report('run', err) };
      }
    }, timeoutMs);

    const evidence = () => {
      if (!outcome?.evidence)
        throw new Error(
          `the isolation campaign did not run to evidence (exit code ${outcome?.code ?? 'none'}); its error is above`,
        );
      return outcome.evidence;
    };
    const where = (): string =>
      outcome?.dir ? `\nevidence: ${outcome.dir} (npx tenantproof verify ${outcome.dir})` : '';

    it('the campaign reached a verdict', () => {
      const e = evidence();
      expect(
        e.verdict,
        `the run is ${e.verdict}${e.verdictReason ? `: ${e.verdictReason}` : e.method.partialReason ? `: ${e.method.partialReason}` : ''}${where()}`,
      ).not.toBe('inconclusive');
      expect(e.method.requestCount, 'requests sent').toBeGreaterThan(0);
    });

    it('the negative control proved the oracles can fire', () => {
      const nc = evidence().negativeControl;
      expect(nc.outcome, `${nc.detail ?? ''}${where()}`).toBe('passed');
    });

    for (const oracle of ORACLE_NAMES) {
      it(`${oracle}: no tenant sees or changes another's data`, () => {
        // Only confirmed findings fail an oracle's test; unconfirmed ones make the verdict test fail.
        const found = evidence().findings.filter(
          (f) => f.oracle === (oracle as OracleName) && f.confirmation !== 'unconfirmed',
        );
        const replay =
          found.some((f) => f.counterexample) && outcome?.dir
            ? `\nreplay: npx tenantproof replay ${outcome.dir}/${found.find((f) => f.counterexample)!.counterexample}`
            : '';
        expect(
          found.length,
          `${found.length} ${oracle} finding(s):\n${found.map(describeFinding).join('\n')}${replay}${where()}`,
        ).toBe(0);
      });
    }
  });
}
