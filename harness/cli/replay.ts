/**
 * `tenantproof replay FILE [--target URL]`: re-runs a counterexample's steps on fresh tenants and
 * judges them with the same oracles. Exit 1 if the finding's oracle fires again, 0 if not.
 * Without --target, the embedded CRM is started with the faults recorded in the file.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT } from './main.ts';
import type { Step } from '../model/step.ts';
import { buildPlan } from '../model/plan.ts';
import { specValueSource } from '../model/spec-value-source.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { SpecError } from '../openapi/spec-error.ts';
import { ProvisioningError, provisionTenants } from '../tenants/index.ts';
import { RunContext, replaySteps, type CampaignOptions } from '../run/campaign.ts';
import { CounterexampleFileError, parseCounterexample } from '../run/counterexample-file.ts';
import { Coverage } from '../run/coverage.ts';
import { HealthMonitor } from '../run/health.ts';
import { HttpClient } from '../run/http-client.ts';
import { openTarget, TargetError } from '../run/target.ts';

const HELP = `Usage: tenantproof replay FILE [options]

Re-runs a counterexample (reports/<runId>/counterexamples/<n>.json) on fresh tenants.

  --target T          embedded (default: the reference CRM with the faults recorded in FILE) or a base URL
  --fault NAME        with an embedded target, use these faults instead of the recorded ones (repeatable;
                      --fault none for the clean CRM)
  --provision P       crm-admin (default: as recorded), file:PATH or module:PATH
  --admin-token T     admin token for crm-admin on a URL target (or CRM_ADMIN_TOKEN)
  --times N           replays (default 1); prints the reproduction rate
  --help              this text

Exit codes: 0 did not reproduce, 1 reproduced, 2 usage error, 3 target unusable.`;

export async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | string[] | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        target: { type: 'string' },
        fault: { type: 'string', multiple: true },
        provision: { type: 'string' },
        'admin-token': { type: 'string' },
        times: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`tenantproof replay: ${(err as Error).message}\n\n${HELP}\n`);
    return EXIT.usage;
  }
  if (values['help']) {
    process.stdout.write(HELP + '\n');
    return EXIT.clean;
  }
  const file = positionals[0];
  const times = values['times'] === undefined ? 1 : Number(values['times']);
  if (!file || positionals.length > 1 || !Number.isInteger(times) || times < 1) {
    process.stderr.write(
      `tenantproof replay: give one counterexample file${!Number.isInteger(times) || times < 1 ? ', and --times as a whole number ≥ 1' : ''}.\n\n${HELP}\n`,
    );
    return EXIT.usage;
  }
  let ce;
  try {
    ce = parseCounterexample(readFileSync(file, 'utf8'), file);
  } catch (err) {
    process.stderr.write(
      `tenantproof replay: ${err instanceof CounterexampleFileError ? err.message : `cannot read ${file}: ${(err as Error).message}`}\n`,
    );
    return EXIT.usage;
  }
  let model;
  try {
    model = await analyzeSpecFile(ce.spec.file);
  } catch (err) {
    process.stderr.write(`tenantproof replay: ${err instanceof SpecError ? err.message : (err as Error).message}\n`);
    return EXIT.usage;
  }
  const targetArg =
    (values['target'] as string | undefined) ?? (ce.target.kind === 'url' ? ce.target.url! : 'embedded');
  const faultFlags = (values['fault'] as string[] | undefined)
    ?.flatMap((f) => f.split(','))
    .filter((f) => f && f !== 'none');
  const faults = targetArg === 'embedded' ? (values['fault'] ? (faultFlags ?? []) : (ce.target.faults ?? [])) : [];
  let target;
  try {
    target = await openTarget({ target: targetArg, faults, timeoutMs: 10_000 });
  } catch (err) {
    if (err instanceof TargetError) {
      process.stderr.write(`tenantproof replay: ${err.message}\n`);
      return err.kind === 'usage' ? EXIT.usage : EXIT.targetUnusable;
    }
    throw err;
  }
  const plan = buildPlan(model);
  const provisionSpec = (values['provision'] as string | undefined) ?? ce.provision;
  const adminToken =
    (values['admin-token'] as string | undefined) ?? target.adminToken ?? process.env['CRM_ADMIN_TOKEN'];
  let reproduced = 0;
  try {
    for (let i = 1; i <= times; i++) {
      const creds = await provisionTenants(provisionSpec, {
        count: ce.tenants,
        baseUrl: target.url,
        ...(adminToken ? { adminToken } : {}),
        runTag: `replay-${Date.now()}-${i}`,
      });
      const options: CampaignOptions = {
        plan,
        values: specValueSource(model, 'replay'),
        client: new HttpClient({
          baseURL: target.url,
          timeoutMs: 10_000,
          maxBodyBytes: 8 << 20,
          maxThrottleRetries: 5,
          maxRetryAfterMs: 30_000,
        }),
        provision: async () => [],
        freshTenants: provisionSpec === 'crm-admin',
        tenants: ce.tenants,
        seed: ce.seed,
        budgetMs: 0,
        shrinkBudgetMs: 0,
        maxCommands: 0,
        maxBatch: 1,
        pageSize: 2,
        replays: 0,
        signal: new AbortController().signal,
      };
      const ctx = new RunContext(
        options,
        creds.map((c) => ({ label: c.label, headers: { ...c.headers }, tenantId: c.id })),
        new Coverage(),
        counter(),
        new HealthMonitor(),
      );
      const findings = await replaySteps(ctx, ce.steps as Step[]);
      const same = findings.filter((f) => f.oracle === ce.oracle);
      if (same.length > 0) reproduced++;
      process.stdout.write(
        `replay ${i}/${times}: ${same.length > 0 ? `REPRODUCED (${same[0]!.oracle}) ${same[0]!.summary}` : 'did not reproduce'}\n`,
      );
    }
  } catch (err) {
    if (err instanceof ProvisioningError) {
      process.stderr.write(`tenantproof replay: provisioning failed: ${err.message}\n`);
      return err.kind === 'config' ? EXIT.usage : EXIT.targetUnusable;
    }
    throw err;
  } finally {
    await target.close();
  }
  process.stdout.write(
    `reproduced ${reproduced}/${times} against ${target.kind === 'embedded' ? `the embedded CRM${faults.length ? ` with ${faults.join(', ')}` : ' (clean)'}` : target.url}\n`,
  );
  return reproduced > 0 ? EXIT.leak : EXIT.clean;
}

function counter(): () => number {
  let n = 0;
  return () => ++n;
}
