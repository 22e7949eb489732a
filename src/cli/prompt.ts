// Line prompts for interactive commands (`halo init`), on injected streams so tests answer
// them without a terminal. Answers are read as lines; the end of input is an answer too
// (undefined), so a script that feeds too few lines gets a usage error, not a hang.

import { createInterface } from 'node:readline/promises';

export interface Prompter {
  /**
   * Shows `question [default]: ` and resolves to the answer: the default (or '') when the
   * line is empty, undefined once the input has ended.
   */
  ask(question: string, fallback?: string): Promise<string | undefined>;
  close(): void;
}

export function createPrompter(
  input: NodeJS.ReadableStream,
  output: (text: string) => void,
): Prompter {
  const rl = createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
  const lines = rl[Symbol.asyncIterator]();
  let ended = false;
  return {
    async ask(question, fallback) {
      output(
        fallback === undefined || fallback === '' ? `${question}: ` : `${question} [${fallback}]: `,
      );
      if (ended) return undefined;
      const next = await lines.next();
      if (next.done) {
        ended = true;
        output('\n');
        return undefined;
      }
      const answer = String(next.value).trim();
      return answer === '' ? (fallback ?? '') : answer;
    },
    close() {
      rl.close();
    },
  };
}
