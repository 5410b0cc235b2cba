import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultsPrompter, terminalPrompter } from './init-prompts.ts';

describe('init prompts', () => {
  it('on a terminal: an empty answer takes the default, a choice is 1-based, a bad one is asked again', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d: Buffer) => (shown += d.toString()));
    const prompter = terminalPrompter(input, output);
    const target = prompter.ask('target URL', 'http://127.0.0.1:3000');
    input.write('\n');
    expect(await target).toBe('http://127.0.0.1:3000');
    const tenants = prompter.ask('tenants per run', '4');
    input.write('6\n');
    expect(await tenants).toBe('6');
    const flow = prompter.choose('how tenants are created', ['sign-up POST /signup', 'admin POST /tenants'], 0);
    input.write('9\n');
    // The second answer only once the question is asked again (readline drops a line nobody asked for).
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if ((shown.match(/choose 1-2 \[1\]: /g) ?? []).length === 2) {
          output.off('data', check);
          resolve();
        }
      };
      output.on('data', check);
      check();
    });
    input.write('2\n');
    expect(await flow).toBe(1);
    prompter.close();
    expect(shown).toContain('target URL [http://127.0.0.1:3000]: ');
    expect(shown).toContain('  2. admin POST /tenants');
    expect(shown.match(/choose 1-2 \[1\]: /g)).toHaveLength(2);
  });

  it('with --yes: every default, printed', async () => {
    const lines: string[] = [];
    const prompter = defaultsPrompter((l) => lines.push(l));
    expect(await prompter.ask('tenants per run', '4')).toBe('4');
    expect(await prompter.choose('how tenants are created', ['a', 'b'], 0)).toBe(0);
    expect(lines).toEqual(['tenants per run: 4', 'how tenants are created: a (of 2: a; b)']);
  });
});
