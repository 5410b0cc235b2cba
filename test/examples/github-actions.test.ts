/**
 * examples/github-actions/nightly-isolation.yml: its structure (nightly schedule, a matrix of
 * shards, a merge job that always runs, code scanning upload with the permission it needs), and
 * every `tenantproof <command> …` it runs checked against the real CLI: the command exists, and
 * each flag appears in that command's `--help`. A renamed flag fails this test, not the nightly job.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.ts';

const WORKFLOW = path.join(REPO_ROOT, 'examples', 'github-actions', 'nightly-isolation.yml');

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  'runs-on'?: string;
  'timeout-minutes'?: number;
  permissions?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  on: { schedule?: Array<{ cron: string }>; workflow_dispatch?: unknown };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

export interface Invocation {
  subcommand: string;
  /** Shell words after the subcommand, `${{ … }}` expressions kept whole. */
  args: string[];
  /** The logical line it came from. */
  line: string;
}

/**
 * Every `tenantproof <subcommand> …` (or `npx tenantproof …`) in command position in a `run:`
 * script: line continuations joined, `${{ … }}` kept as one word, quotes removed, stopping at an
 * unquoted `;`, `|`, `&`, `>`, `<`, `)` or `#`.
 */
export function tenantproofInvocations(script: string): Invocation[] {
  const exprs: string[] = [];
  const text = script
    .replace(/\$\{\{[\s\S]*?\}\}/g, (m) => `\u0000${exprs.push(m) - 1}\u0000`)
    .replace(/\\\r?\n/g, ' ');
  const restore = (w: string): string => w.replace(/\u0000(\d+)\u0000/g, (_, i: string) => exprs[Number(i)]!);
  const out: Invocation[] = [];
  for (const raw of text.split('\n')) {
    const re = /(?:^|[;&|]|\$\()\s*(?:npx\s+(?:-[\w-]+\s+)*)?tenantproof\s+([a-z][\w-]*)/g;
    for (let m = re.exec(raw); m; m = re.exec(raw)) {
      const words: string[] = [];
      let i = m.index + m[0].length;
      let word: string | undefined;
      for (; i < raw.length; i++) {
        const c = raw[i]!;
        if (c === "'" || c === '"') {
          const end = raw.indexOf(c, i + 1);
          word = (word ?? '') + raw.slice(i + 1, end === -1 ? raw.length : end);
          i = end === -1 ? raw.length : end;
        } else if (c === '\\' && i + 1 < raw.length) {
          word = (word ?? '') + raw[++i];
        } else if (/\s/.test(c)) {
          if (word !== undefined) words.push(word);
          word = undefined;
        } else if (';|&><)'.includes(c) || (c === '#' && word === undefined)) {
          break;
        } else {
          word = (word ?? '') + c;
        }
      }
      if (word !== undefined) words.push(word);
      out.push({ subcommand: m[1]!, args: words.map(restore), line: restore(raw.trim()).replace(/\s+/g, ' ') });
    }
  }
  return out;
}

/** Flags (`--name`, `-x`) an invocation uses, without values. */
export function flagsOf(inv: Invocation): string[] {
  return inv.args.filter((a) => /^-[\w-]/.test(a)).map((a) => a.replace(/=.*$/, ''));
}

/** Problems with an invocation, given each subcommand's help text (undefined: no such subcommand). */
export function invocationProblems(inv: Invocation, helpOf: (sub: string) => string | undefined): string[] {
  const help = helpOf(inv.subcommand);
  if (help === undefined) return [`tenantproof ${inv.subcommand}: no such command (in: ${inv.line})`];
  const problems: string[] = [];
  for (const flag of flagsOf(inv)) {
    const esc = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (!new RegExp(`(^|[\\s,\\[])${esc}(?![\\w-])`, 'm').test(help))
      problems.push(`tenantproof ${inv.subcommand} has no ${flag} in its --help (in: ${inv.line})`);
  }
  return problems;
}

function valueOf(inv: Invocation, flag: string): string | undefined {
  const i = inv.args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i === -1) return undefined;
  const a = inv.args[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : inv.args[i + 1];
}

const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as Workflow;
const allSteps = Object.entries(workflow.jobs).flatMap(([job, j]) => j.steps.map((s) => ({ job, step: s })));
const invocations = allSteps.flatMap(({ job, step }) =>
  step.run ? tenantproofInvocations(step.run).map((inv) => ({ job, step, inv })) : [],
);
const inJob = (job: string, sub: string) => invocations.filter((i) => i.job === job && i.inv.subcommand === sub);

describe('tenantproofInvocations (the extractor the checks rely on)', () => {
  it('joins continuations, keeps ${{ }} whole, strips quotes, stops at shell operators, skips non-commands', () => {
    const script = [
      'set +e',
      'npx tenantproof run \\',
      '  --target "${{ secrets.STAGING_URL }}" \\',
      "  --shard ${{ matrix.shard }}/3 --out='my reports' # comment",
      'code=$?; tenantproof verify x --public-key k.pem && echo ok',
      'echo "(tenantproof merge exited 1)" ; ls ./tenantproof/provision.ts tenantproof-reports',
      'dir=$(npx tenantproof merge shards --out m)',
    ].join('\n');
    const found = tenantproofInvocations(script);
    expect(found.map((f) => f.subcommand)).toEqual(['run', 'verify', 'merge']);
    expect(found[0]!.args).toEqual([
      '--target',
      '${{ secrets.STAGING_URL }}',
      '--shard',
      '${{ matrix.shard }}/3',
      '--out=my reports',
    ]);
    expect(flagsOf(found[0]!)).toEqual(['--target', '--shard', '--out']);
    expect(found[1]!.args).toEqual(['x', '--public-key', 'k.pem']);
    expect(found[2]!.args).toEqual(['shards', '--out', 'm']);
  });

  it('reports a renamed flag and an unknown command', () => {
    const help = (sub: string) =>
      sub === 'run' ? 'Usage: tenantproof run\n  --shard I/N   one slice\n  --budget D' : undefined;
    const [inv] = tenantproofInvocations('npx tenantproof run --shards 1/3 --budget 5m');
    expect(invocationProblems(inv!, help)).toEqual([expect.stringContaining('has no --shards')]);
    const [bad] = tenantproofInvocations('npx tenantproof marge a b');
    expect(invocationProblems(bad!, help)).toEqual([expect.stringContaining('no such command')]);
  });
});

describe('examples/github-actions/nightly-isolation.yml', () => {
  it('runs nightly and on demand', () => {
    expect(workflow.on.schedule?.[0]?.cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(workflow.on).toHaveProperty('workflow_dispatch');
  });

  it('has a shard job over a matrix of shards that keeps going when one fails, and uploads its evidence always', () => {
    const shard = workflow.jobs['shard']!;
    expect(shard.strategy?.['fail-fast']).toBe(false);
    const matrix = shard.strategy?.matrix?.['shard'] as number[];
    expect(matrix.length).toBeGreaterThanOrEqual(2);
    expect(matrix).toEqual(Array.from({ length: matrix.length }, (_, i) => i + 1));
    expect(shard.steps.some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(true);
    expect(shard.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(20);
    expect(shard.steps.some((s) => s.run?.trim() === 'npm ci')).toBe(true);
    const upload = shard.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toMatch(/always\(\)/);
    expect(String(upload?.with?.['name'])).toContain('${{ matrix.shard }}');
    // It uploads the folder `run --out` writes to.
    const [run] = inJob('shard', 'run');
    const out = valueOf(run!.inv, '--out')!;
    expect(String(upload?.with?.['path'])).toContain(`${out}/`);
  });

  it('runs each shard as --shard ${{ matrix.shard }}/n with n the matrix size, against staging from secrets', () => {
    const runs = inJob('shard', 'run');
    expect(runs).toHaveLength(1);
    const { inv, step } = runs[0]!;
    const n = (workflow.jobs['shard']!.strategy!.matrix!['shard'] as number[]).length;
    expect(valueOf(inv, '--shard')).toBe(`\${{ matrix.shard }}/${n}`);
    expect(valueOf(inv, '--target')).toMatch(/^\$\{\{ secrets\.\w+ \}\}$/);
    expect(valueOf(inv, '--provision')).toMatch(/^(file|module):/);
    expect(valueOf(inv, '--budget')).toMatch(/^\d+[smh]$/);
    expect(Number(valueOf(inv, '--max-rps'))).toBeGreaterThan(0);
    expect(valueOf(inv, '--seed')).toBeDefined(); // every shard the same base seed
    expect(flagsOf(inv)).not.toContain('--admin-token'); // credentials come from the environment
    expect(step.env?.['TENANTPROOF_SIGNING_KEY']).toMatch(/secrets\.TENANTPROOF_SIGNING_KEY/);
    // Every shard's step name and artifact say which shard it is; the job name says of how many.
    expect(step.run).not.toMatch(/--shard \d+\//);
  });

  it('has a merge job that needs the shards, always runs, merges what it downloaded, verifies, uploads SARIF and fails on a leak', () => {
    const merge = workflow.jobs['merge']!;
    expect([merge.needs].flat()).toContain('shard');
    expect(merge.if).toMatch(/always\(\)/);
    expect({ ...workflow.permissions, ...merge.permissions }['security-events']).toBe('write');
    const download = merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download).toBeDefined();
    const merges = inJob('merge', 'merge');
    expect(merges).toHaveLength(1);
    expect(merges[0]!.inv.args[0]).toBe(download!.with!['path']);
    // A shard killed by its timeout still counts, with its sealed part only.
    expect(merges[0]!.inv.args).toContain('--allow-partial');
    expect(merges[0]!.step.env?.['TENANTPROOF_SIGNING_KEY']).toMatch(/secrets\.TENANTPROOF_SIGNING_KEY/);
    expect(inJob('merge', 'verify')).toHaveLength(1);
    const sarif = merge.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(sarif?.uses).toBe('github/codeql-action/upload-sarif@v3');
    expect(String(sarif?.with?.['sarif_file'])).toMatch(/results\.sarif$/);
    expect(sarif?.if).toMatch(/always\(\)/);
    expect(merge.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
    const failing = merge.steps.at(-1)!;
    expect(failing.run).toMatch(/leak/);
    expect(failing.run).toMatch(/exit 1/);
    expect(failing.run).toMatch(/evidence\.json/);
  });

  describe('against the real CLI', () => {
    const help = new Map<string, string | undefined>();
    beforeAll(async () => {
      const top = await runCli(['help']);
      const listed = new Set([...top.stdout.matchAll(/^ {2}([a-z]+)\s{2,}/gm)].map((m) => m[1]!));
      const subs = [...new Set(invocations.map((i) => i.inv.subcommand))];
      await Promise.all(
        subs.map(async (sub) => {
          if (!listed.has(sub)) return help.set(sub, undefined);
          const r = await runCli([sub, '--help']);
          help.set(sub, r.code === 0 ? r.stdout : undefined);
        }),
      );
    });

    it('uses run, merge and verify, and every command and flag it uses exists', () => {
      expect(new Set(invocations.map((i) => i.inv.subcommand))).toEqual(new Set(['run', 'merge', 'verify']));
      const problems = invocations.flatMap((i) => invocationProblems(i.inv, (s) => help.get(s)));
      expect(problems).toEqual([]);
    });
  });
});
