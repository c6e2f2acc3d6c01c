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

export interface Runner {
  readonly kind: RunnerKind;
  state(): RunnerState;
  /** Calls `listener` on every state change; returns a function that unsubscribes. */
  subscribe(listener: (state: RunnerState) => void): () => void;
  /** Grades the files with the exercise's grader: the same report the CLI prints. */
  check(exerciseId: string, files: WorkspaceFiles, signal?: AbortSignal): Promise<Report>;
  /** Starts the learner's server (`npm start`) for the request panel. */
  startApp(exerciseId: string, files: WorkspaceFiles, signal?: AbortSignal): Promise<AppSession>;
  dispose(): Promise<void>;
}

/** Thrown when a runner cannot do what was asked; the message is shown to the learner as is. */
export class RunnerUnavailableError extends Error {
  override name = 'RunnerUnavailableError';
}
