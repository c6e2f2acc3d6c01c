import type { Report } from '../../graders/core/report.ts';
import type { TryResponse } from './runner.ts';

/**
 * The wire contract between the browser's `LocalRunner` and the course server's endpoints
 * (`src/server/local-runner.ts`). Both sides import it, so a path or a field renamed on one side
 * is a type error on the other. Node runs the server side directly: erasable TypeScript only.
 */

/** Every POST (and every GET but `/api/runner`) carries the per-start token in this header. */
export const tokenHeader = 'x-runner-token';

export const localApi = {
  runner: '/api/runner',
  check: '/api/check',
  appStart: '/api/app/start',
  appRequest: '/api/app/request',
  appOutput: '/api/app/output',
  appStop: '/api/app/stop',
} as const;

/** `GET /api/runner`: proves the page is served by the course server and hands it the token. */
export interface RunnerInfo {
  runner: 'local';
  token: string;
  version: string;
}

export interface CheckBody {
  exerciseId: string;
  files: Record<string, string>;
}
export type CheckReply = Report;

export type AppStartBody = CheckBody;
export interface AppStartReply {
  session: string;
}

export interface AppRequestBody {
  session: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
export type AppRequestReply = TryResponse;

export interface AppOutputReply {
  text: string;
  running: boolean;
  exitCode: number | null;
}

export interface AppStopBody {
  session: string;
}
export interface AppStopReply {
  stopped: boolean;
}

/** Every refusal and failure: a sentence for the learner and a stable code for the program. */
export interface ErrorReply {
  error: string;
  code: ErrorCode;
  /** What a learner's server printed before it failed to start (app/start only). */
  output?: string;
}

export type ErrorCode =
  | 'wrong-host'
  | 'cross-site'
  | 'bad-token'
  | 'bad-origin'
  | 'not-found'
  | 'method-not-allowed'
  | 'unsupported-media-type'
  | 'too-large'
  | 'bad-json'
  | 'invalid-body'
  | 'bad-path'
  | 'unknown-exercise'
  | 'not-an-app'
  | 'busy'
  | 'unknown-session'
  | 'app-failed'
  | 'app-unreachable'
  | 'internal';
