import type { Report } from '../../../graders/core/report.ts';
import type { TryRequest, TryResponse } from '../runner.ts';

/**
 * How the page's `WebContainerRunner` and the grading service inside the container talk: through
 * files, never through the terminal. A process's `output` in a WebContainer is a pseudo-terminal
 * (line endings rewritten, stdout and stderr mixed), so parsing a report out of it would be
 * fragile; the container's file system is exact.
 *
 * The page writes `<jobs>/<id>.json` (atomically: a `.tmp` file renamed), the service answers in
 * `<replies>/<id>.json`; a `<jobs>/<id>.cancel` file aborts the job. Paths are relative to the
 * WebContainer's workdir; the service runs with `graderDir` as its working directory.
 */

/** The folder the prebuilt grader tree is mounted as. */
export const graderDir = 'grader';
/** Where learners' servers run: `apps/<exercise>/`, with the shipped packages in `apps/node_modules`. */
export const appsDir = 'apps';
export const jobsFolder = '.jobs';
export const repliesFolder = '.replies';
/** The service's entry, relative to `graderDir` (compiled from src/runtime/container/service-main.ts). */
export const serviceEntry = 'lib/src/runtime/container/service-main.js';
/** Printed by the service once it polls for jobs. */
export const readyMarker = 'backend-workflow grading service ready';

export type Job =
  | { type: 'grade'; exerciseId: string; files: Record<string, string> }
  | ({ type: 'request'; port: number; timeoutMs: number } & TryRequest);

export type JobReply = { ok: true; report: Report } | { ok: true; response: TryResponse } | { ok: false; error: string };

/** The prebuilt tree's table of contents, served beside it as `webcontainer/index.json`. */
export interface TreeIndex {
  version: 1;
  /** Package version the tree was built from. */
  packageVersion: string;
  /** The zipped grader tree (file name, content-hashed, beside index.json). */
  grader: { file: string; bytes: number };
  /** The packages a learner's server may import, zipped, fetched only for the request panel. */
  app: { file: string; bytes: number } | null;
  /** Node syntax level the tree was compiled for. */
  target: string;
  exercises: Record<string, TreeExercise>;
}

export interface TreeExercise {
  kind: string;
  /** Whether its grader is in the tree and can run in a WebContainer. */
  checks: boolean;
  /** Files the exercise gives (in `grader/exercises/<id>/starter/`), for starting a learner's server. */
  readonly: string[];
  /** Why it cannot be checked in the browser, for the learner, when `checks` is false. */
  why?: string;
}
