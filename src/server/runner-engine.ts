import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SubmissionError } from '../../graders/core/checks.ts';
import type { ExerciseManifest } from '../../graders/core/exercise.ts';
import { assembleWorkspace, loadExercise, packageRoot } from '../../graders/core/exercises.ts';
import { disposeGraders, gradeSubmission } from '../../graders/core/grade.ts';
import { limits } from '../../graders/core/limits.ts';
import { leftoverProcesses } from '../../graders/core/sandbox.ts';
import type { Report } from '../../graders/core/report.ts';
import { send } from '../../graders/http-api/http.ts';
import { LearnerServer } from '../../graders/http-api/server.ts';
import type { AppOutputReply, AppRequestBody } from '../runtime/local-api.ts';
import type { TryResponse } from '../runtime/runner.ts';

/** A request-panel server may run this long at most; the idle stop usually ends it sooner. */
const appLifetimeMs = 60 * 60 * 1000;

/**
 * What the local runner's endpoints need from the grading side. The real one (below) is the very
 * engine the CLI uses, loaded once in the server process so warm resources (the PGlite worker)
 * serve every grade; the endpoint tests inject a spy instead, to prove that refused requests
 * never reach it.
 */
export interface RunnerEngine {
  /** The exercise's manifest; throws `UnknownExerciseError` for an id that is not an exercise. */
  manifest(exerciseId: string): ExerciseManifest;
  grade(exerciseId: string, files: ReadonlyMap<string, string>, signal: AbortSignal): Promise<Report>;
  /** Starts the learner's server; throws `AppStartError` when it does not come up. */
  startApp(exerciseId: string, files: ReadonlyMap<string, string>, signal: AbortSignal): Promise<LearnerApp>;
  /** Releases warm resources so the process can exit. */
  dispose(): Promise<void>;
}

/** A learner's running server, as the request panel sees it. */
export interface LearnerApp {
  request(request: Omit<AppRequestBody, 'session'>, signal: AbortSignal): Promise<TryResponse>;
  output(): AppOutputReply;
  stop(): Promise<void>;
}

/** The learner's server did not come up: the message and output say why, as a grade would. */
export class AppStartError extends Error {
  readonly output: string | undefined;
  constructor(message: string, output?: string) {
    super(message);
    this.name = 'AppStartError';
    this.output = output;
  }
}

/** The learner's server is gone or did not answer a request from the panel. */
export class AppUnreachableError extends Error {
  override name = 'AppUnreachableError';
}

/** The exercise has no server to start (only `http-api` exercises do). */
export class NotAnAppError extends Error {
  override name = 'NotAnAppError';
}

/** A request from the panel may take longer than a grader's probe (2 s): a learner may be debugging. */
export const panelRequestMs = 10_000;

/** Headers the panel may not set: the connection and the body length are ours to manage. */
const managedHeaders = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer']);

export const packageVersion: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;

/** The grading engine of graders/core, and the http-api kind's own way of starting a learner's server. */
export function createEngine(): RunnerEngine {
  return {
    manifest: (exerciseId) => loadExercise(exerciseId).manifest,
    grade: (exerciseId, files, signal) => gradeSubmission(exerciseId, files, { signal }),
    async startApp(exerciseId, files, signal) {
      const exercise = loadExercise(exerciseId);
      if (exercise.manifest.kind !== 'http-api') throw new NotAnAppError(`The exercise "${exerciseId}" has no server to start; only API exercises do.`);
      // Read-only files come from the exercise, exactly as in a grade.
      const workspace = assembleWorkspace(exercise, files);
      const server = new LearnerServer();
      // The server lives until stopped; the start request's own signal only cancels the start.
      const life = new AbortController();
      const cancelStart = () => life.abort(new Error('The start was cancelled.'));
      signal.addEventListener('abort', cancelStart, { once: true });
      try {
        // Any HTTP answer (a 404 too) means the server is up: the panel has no contract to probe.
        await server.start(workspace, { readyPath: '/', readyMs: limits.serverReadyMs, signal: life.signal, lifetimeMs: appLifetimeMs });
      } catch (error) {
        await server.dispose();
        if (signal.aborted) throw new AppStartError('The start was cancelled.');
        if (error instanceof SubmissionError) throw new AppStartError(error.message, error.details.output);
        throw error;
      } finally {
        signal.removeEventListener('abort', cancelStart);
      }
      return learnerApp(server, life);
    },
    dispose: disposeGraders,
  };
}

function learnerApp(server: LearnerServer, life: AbortController): LearnerApp {
  return {
    async request(request, signal) {
      if (server.exit) throw new AppUnreachableError(stoppedSentence(server));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers ?? {})) if (!managedHeaders.has(name.toLowerCase())) headers[name] = value;
      const started = performance.now();
      const result = await send(server.host, server.port, { method: request.method, path: request.path, headers, ...(request.body !== undefined ? { body: request.body } : {}) }, panelRequestMs, signal);
      const durationMs = Math.round(performance.now() - started);
      if (result.kind === 'response') {
        return { status: result.response.status, headers: result.response.headers, body: result.response.text, durationMs };
      }
      if (server.exit) throw new AppUnreachableError(stoppedSentence(server));
      if (result.kind === 'timeout') {
        if (signal.aborted) throw new AppUnreachableError('The request was cancelled.');
        throw new AppUnreachableError(
          `Your server did not answer \`${request.method} ${request.path}\` within ${panelRequestMs / 1000} s. A handler that never sends a response (a missing res.end() or res.json(), an await that never resolves) looks like this.`,
        );
      }
      throw new AppUnreachableError(`Your server did not accept the connection (${result.kind === 'refused' ? 'connection refused' : result.code}). Is it still listening on process.env.PORT?`);
    },
    output() {
      const exit = server.exit;
      const text = server.output();
      return { text: exit ? `${text}${text && !text.endsWith('\n') ? '\n' : ''}${stoppedNote(exit)}` : text, running: !exit, exitCode: exit?.exitCode ?? null };
    },
    async stop() {
      life.abort(new Error('stopped'));
      await server.dispose();
    },
  };
}

function stoppedSentence(server: LearnerServer): string {
  const exit = server.exit;
  if (exit?.killedFor === 'timeout') return stoppedNote(exit);
  return `Your server has stopped${exit?.exitCode !== null && exit?.exitCode !== undefined ? ` (exit code ${exit.exitCode})` : ''}: its output says why. Fix it and start it again.`;
}

/** A line appended to the output when the process ended, saying who ended it. */
function stoppedNote(exit: NonNullable<LearnerServer['exit']>): string {
  switch (exit.killedFor) {
    case 'timeout':
      return `[The course server stopped your server after ${appLifetimeMs / 60_000} minutes, the longest a server may run here. Start it again to go on trying requests.]`;
    case 'output-limit':
      return `[Your server printed more than ${limits.outputKillBytes / 1024 / 1024} MB, so it was stopped.]`;
    case 'out-of-memory':
      return `[Your server used more memory than it may (${limits.heapMb} MB of heap, ${limits.rssMb} MB in all), so it was stopped.]`;
    case 'aborted':
      return '[Stopped.]';
    default:
      return `[Your server exited${exit.exitCode !== null ? ` with code ${exit.exitCode}` : exit.exitSignal ? ` on ${exit.exitSignal}` : ''}.]`;
  }
}

/**
 * Kills, synchronously, every learner process this server started that is still alive. For the
 * course server's `exit` event (a crash included), when nothing asynchronous can run any more:
 * learner servers run in process groups of their own, so they would outlive it otherwise.
 */
export function killLeftoverProcesses(): void {
  for (const pid of leftoverProcesses()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
