import type { Runner } from '../runtime/runner.ts';

/**
 * The workbench's one way to a runner: `chooseRunner()` from src/runtime/choose.ts, loaded with
 * `import()` on first need so neither runner costs the page anything before then. Whatever goes
 * wrong becomes a sentence for the learner; the page keeps working (and saving) without a runner.
 */

export type RunnerChoice = { ok: true; runner: Runner } | { ok: false; reason: string };

let choice: Promise<RunnerChoice> | undefined;

export function getRunner(): Promise<RunnerChoice> {
  choice ??= (async (): Promise<RunnerChoice> => {
    try {
      const { chooseRunner } = await import('../runtime/choose.ts');
      const runner = await chooseRunner();
      const state = runner.state();
      if (state.phase === 'unavailable') return { ok: false, reason: state.reason };
      return { ok: true, runner };
    } catch (error) {
      return { ok: false, reason: explainRunnerError(error) };
    }
  })();
  return choice;
}

/** Why no runner could be had, in words; the runner's own message when it gave one. */
export function explainRunnerError(error: unknown): string {
  if (error instanceof Error && error.name === 'RunnerUnavailableError') return error.message;
  if (error instanceof TypeError && /import|fetch|module/i.test(error.message)) {
    return 'The part of the page that runs checks could not be loaded. Check your connection and reload the page.';
  }
  return `Checking could not start: ${error instanceof Error ? error.message : String(error)}`;
}
