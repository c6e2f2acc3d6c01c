import type { Report } from '../../graders/core/report.ts';

/**
 * One interface for every place the browser can run a learner's work: the course server
 * (`local`) and a WebContainer in the page (`webcontainer`). svelte.dev's tutorial `Adapter` is
 * the model. The page picks one with `chooseRunner()` and never talks to either directly.
 */

/** The learner's files: path (relative, forward slashes) -> text. */
export type WorkspaceFiles = Record<string, string>;

export type RunnerKind = 'local' | 'webcontainer';

export type RunnerState =
  | { phase: 'idle' }
  | { phase: 'starting'; step: string; detail?: string }
  | { phase: 'ready' }
  | { phase: 'unavailable'; reason: string };

export interface TryRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  /** Path and query, starting with `/`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface TryResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  durationMs: number;
}

/** The learner's own server, started so they can try requests against it (API exercises). */
export interface AppSession {
  request(request: TryRequest, signal?: AbortSignal): Promise<TryResponse>;
  /** What the server printed so far, and whether it still runs. */
  output(signal?: AbortSignal): Promise<{ text: string; running: boolean; exitCode: number | null }>;
  stop(): Promise<void>;
}

/**
 * An interactive shell in the runner's environment, for a terminal (xterm) on the page. Only the
 * WebContainer runner has one: the course server does not hand a shell on the learner's own
 * machine to a web page.
 */
export interface ShellSession {
  /** Everything the shell prints, as terminal data (ANSI escapes included), for `terminal.write`. */
  readonly output: ReadableStream<string>;
  /** Sends keystrokes (what xterm's `onData` gives). */
  write(data: string): Promise<void>;
  resize(size: { cols: number; rows: number }): void;
  /** Resolves with the exit code when the shell ends. */
  readonly exit: Promise<number>;
  kill(): void;
}

export interface ShellOptions {
  cols: number;
  rows: number;
  /** Working folder, relative to the container's workdir; default: the learner's app folder if one runs, else the workdir. */
  cwd?: string;
}

export interface Runner {
  readonly kind: RunnerKind;
  state(): RunnerState;
  /** Calls `listener` on every state change; returns a function that unsubscribes. */
  subscribe(listener: (state: RunnerState) => void): () => void;
  /** Grades the files with the exercise's grader: the same report the CLI prints. */
  check(exerciseId: string, files: WorkspaceFiles, signal?: AbortSignal): Promise<Report>;
  /** Starts the learner's server (`npm start`) for the request panel. */
  startApp(exerciseId: string, files: WorkspaceFiles, signal?: AbortSignal): Promise<AppSession>;
  /** A shell for the terminal panel, where the runner has one (added for the WebContainer runner). */
  shell?(options: ShellOptions, signal?: AbortSignal): Promise<ShellSession>;
  dispose(): Promise<void>;
}

/** Thrown when a runner cannot do what was asked; the message is shown to the learner as is. */
export class RunnerUnavailableError extends Error {
  override name = 'RunnerUnavailableError';
}

/**
 * The learner's server did not come up (it crashed, never listened, printed too much). The
 * message says why, as a grade would; `output` is what the server printed, for the panel's log.
 */
export class AppStartError extends Error {
  override name = 'AppStartError';
  readonly output: string;
  constructor(message: string, output = '') {
    super(message);
    this.output = output;
  }
}

/** A runner's current state and who listens to it: the part every Runner implementation shares. */
export class RunnerStateStore {
  #state: RunnerState;
  readonly #listeners = new Set<(state: RunnerState) => void>();

  constructor(initial: RunnerState) {
    this.#state = initial;
  }

  get(): RunnerState {
    return this.#state;
  }

  subscribe(listener: (state: RunnerState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Moves to `state` and tells the listeners; an unchanged state tells nobody. */
  set(state: RunnerState): void {
    if (JSON.stringify(state) === JSON.stringify(this.#state)) return;
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }

  /** Forgets every listener (the runner is disposed). */
  clear(): void {
    this.#listeners.clear();
  }
}
