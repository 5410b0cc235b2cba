/**
 * Step 4 of `tenantproof init`: the questions it asks on a terminal, each with a default. Without a
 * terminal, or with --yes, every answer is its default and init prints what it took. It never asks
 * for a secret: secrets come from environment variables named in the generated module.
 */
import { createInterface } from 'node:readline/promises';

export interface Prompter {
  /** The answer, or `defaultValue` for an empty one. */
  ask(question: string, defaultValue: string): Promise<string>;
  /** The index of the chosen option (1-based on screen, 0-based returned). */
  choose(question: string, options: readonly string[], defaultIndex: number): Promise<number>;
  close(): void;
}

/** Takes every default, printing each choice on `print`. */
export function defaultsPrompter(print: (line: string) => void): Prompter {
  return {
    ask: async (question, defaultValue) => {
      print(`${question}: ${defaultValue || '(none)'}`);
      return defaultValue;
    },
    choose: async (question, options, defaultIndex) => {
      print(`${question}: ${options[defaultIndex]} (of ${options.length}: ${options.join('; ')})`);
      return defaultIndex;
    },
    close: () => undefined,
  };
}

/** Asks on a terminal (node:readline/promises). */
export function terminalPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  const rl = createInterface({ input, output });
  return {
    ask: async (question, defaultValue) => {
      const answer = (await rl.question(`${question}${defaultValue ? ` [${defaultValue}]` : ''}: `)).trim();
      return answer || defaultValue;
    },
    choose: async (question, options, defaultIndex) => {
      output.write(`${question}\n${options.map((o, i) => `  ${i + 1}. ${o}`).join('\n')}\n`);
      for (;;) {
        const answer = (await rl.question(`choose 1-${options.length} [${defaultIndex + 1}]: `)).trim();
        if (!answer) return defaultIndex;
        const n = Number(answer);
        if (Number.isInteger(n) && n >= 1 && n <= options.length) return n - 1;
      }
    },
    close: () => rl.close(),
  };
}
