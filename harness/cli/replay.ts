/**
 * `tenantproof replay FILE [--target URL]`: re-runs a counterexample's steps on fresh tenants and
 * judges them with the same oracles. Exit 1 if the finding's oracle fires again, 0 if not.
 * Without --target, the embedded CRM is started with the faults recorded in the file.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';
import { buildPlan } from '../model/plan.ts';
import type { Step } from '../model/step.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { provisionedTenant } from '../run/job-provisioner.ts';
import { provisionTenants } from '../tenants/index.ts';
import { CounterexampleFileError, parseCounterexample } from '../run/counterexample-file.ts';
import { Coverage } from '../run/coverage.ts';
import { HealthMonitor } from '../run/health.ts';
import { HttpClient } from '../run/http-client.ts';
import { replaySteps, reproduces } from '../run/replay.ts';
import { RunContext } from '../run/run-context.ts';
import { openTarget } from '../run/target.ts';
import { helpHint, parseCommandArgs } from './command-args.ts';

const HELP = `Usage: tenantproof replay FILE [options]

Re-runs a counterexample (reports/<runId>/counterexamples/<n>.json) on fresh tenants.

  --target T          embedded (default: the reference CRM with the faults recorded in FILE) or a base URL
  --fault NAME        with an embedded target, use these faults instead of the recorded ones (repeatable;
                      --fault none for the clean CRM)
  --provision P       crm-admin (default: as recorded), file:PATH or module:PATH
  --overlay FILE      the overlay applied on top of the spec (default: the one recorded in FILE, if any)
  --admin-token T     admin token for crm-admin on a URL target (or CRM_ADMIN_TOKEN)
  --times N           replays (default 1); prints the reproduction rate
  --help              this text

${exitCodesHelp('replay')}`;

const FLAGS = {
  target: { type: 'string' },
  fault: { type: 'string', multiple: true },
  provision: { type: 'string' },
  overlay: { type: 'string' },
  'admin-token': { type: 'string' },
  times: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('replay', {
    args: argv,
    options: FLAGS,
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.clean;
  }
  const file = positionals[0];
  const times = values.times === undefined ? 1 : Number(values.times);
  if (!file || positionals.length > 1 || !Number.isInteger(times) || times < 1)
    throw new UsageError(
      `give one counterexample file${!Number.isInteger(times) || times < 1 ? ', and --times as a whole number ≥ 1' : ''}.`,
      { hint: helpHint('replay') },
    );
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CounterexampleFileError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const ce = parseCounterexample(text, file);
  const say = (line: string): void => {
    process.stderr.write(`tenantproof replay: ${line}\n`);
  };
  const checkpoints = ce.checkpoints?.length ? ` and ${ce.checkpoints.length + 1} checkpoints` : '';
  say(`${file}: ${ce.steps.length} step(s)${checkpoints} of a ${ce.oracle} finding, ${times} attempt(s)`);
  const overlay = values.overlay ?? ce.spec.overlay;
  const model = await analyzeSpecFile(ce.spec.file, overlay !== undefined ? { overlay } : {});
  const targetArg = values.target ?? (ce.target.kind === 'url' ? ce.target.url! : 'embedded');
  const faultFlags = values.fault?.flatMap((f) => f.split(',')).filter((f) => f && f !== 'none');
  const faults = targetArg === 'embedded' ? (values.fault ? (faultFlags ?? []) : (ce.target.faults ?? [])) : [];
  const target = await openTarget({
    target: targetArg,
    faults,
    timeoutMs: 10_000,
    onStatus: say,
  });
  const plan = buildPlan(model);
  const provisionSpec = values.provision ?? ce.provision;
  const adminToken = values['admin-token'] ?? target.adminToken ?? process.env['CRM_ADMIN_TOKEN'];
  const client = new HttpClient({
    baseURL: target.url,
    timeoutMs: 10_000,
    maxBodyBytes: 8 << 20,
    maxThrottleRetries: 5,
    maxRetryAfterMs: 30_000,
  });
  let reproduced = 0;
  let seq = 0;
  try {
    say(`replaying on fresh tenants against ${target.url}`);
    for (let i = 1; i <= times; i++) {
      say(`attempt ${i}/${times}: provisioning ${ce.tenants} fresh tenants (${provisionSpec})…`);
      const creds = await provisionTenants(provisionSpec, {
        count: ce.tenants,
        baseUrl: target.url,
        ...(adminToken ? { adminToken } : {}),
        runTag: `replay-${Date.now()}-${i}`,
      });
      const tenants = creds.map(provisionedTenant);
      const options = {
        plan,
        client,
        signal: new AbortController().signal,
        pageSize: 2,
        freshTenants: provisionSpec === 'crm-admin',
        // Unique values (emails, slugs) get fresh ones, so a bug behind a unique index replays.
        freshValues: true,
      };
      const ctx = new RunContext(options, tenants, new Coverage(), () => ++seq, new HealthMonitor());
      say(`attempt ${i}/${times}: sending ${ce.steps.length} step(s)…`);
      // The file's schema checked each step's shape; its values are the JSON a Step holds.
      const findings = (await replaySteps(ctx, ce.steps as Step[], ce.checkpoints ?? [])).filter((f) =>
        reproduces([f], ce),
      );
      if (findings.length > 0) reproduced++;
      process.stdout.write(
        `replay ${i}/${times}: ${findings.length > 0 ? `REPRODUCED (${findings[0]!.oracle}) ${findings[0]!.summary}` : 'did not reproduce'}\n`,
      );
    }
  } finally {
    client.close();
    await target.close();
  }
  const against =
    target.kind === 'embedded'
      ? `the embedded CRM${faults.length ? ` with ${faults.join(', ')}` : ' (clean)'}`
      : target.url;
  process.stdout.write(`reproduced ${reproduced}/${times} against ${against}\n`);
  return reproduced > 0 ? EXIT.leak : EXIT.clean;
}
