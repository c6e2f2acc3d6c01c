import type { Report } from '../../graders/core/report.ts';
import { type AppSession, type Runner, type RunnerKind, type RunnerState, RunnerUnavailableError } from './runner.ts';

/**
 * The runner of a page where nothing can run the learner's work (a static host without
 * cross-origin isolation, a browser without WebContainer support). It says why, plainly, every
 * time it is asked; the workbench keeps editing and saving as usual.
 */
export class UnavailableRunner implements Runner {
  readonly kind: RunnerKind;
  readonly #state: RunnerState;

  constructor(kind: RunnerKind, reason: string) {
    this.kind = kind;
    this.#state = { phase: 'unavailable', reason };
  }

  state(): RunnerState {
    return this.#state;
  }

  subscribe(): () => void {
    return () => undefined;
  }

  check(): Promise<Report> {
    return Promise.reject(new RunnerUnavailableError(this.#reason()));
  }

  startApp(): Promise<AppSession> {
    return Promise.reject(new RunnerUnavailableError(this.#reason()));
  }

  async dispose(): Promise<void> {}

  #reason(): string {
    return this.#state.phase === 'unavailable' ? this.#state.reason : 'Checks cannot run here.';
  }
}
