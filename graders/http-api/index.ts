import { type CheckSpec, runChecks } from '../core/checks.ts';
import type { Grader, GradeInput, GradeOutcome } from '../core/grader.ts';
import { limits } from '../core/limits.ts';
import type { SentRequest } from './http.ts';
import { ProbeSession } from './probe.ts';
import { LearnerServer, type ServerInfo } from './server.ts';

/**
 * The `http-api` grader kind: starts the learner's server as `npm start` would, then judges it
 * by real HTTP requests. An exercise's grader is a list of probes:
 *
 *   export default httpApi({
 *     version: '1.0.0',
 *     readyPath: '/health',
 *     checks: [
 *       probe({ id: 'health', title: 'GET /health answers 200', points: 1, hint: '…' }, async ({ request }) => {
 *         await request('GET /health').expectStatus(200).expectJson().expectField('status', 'ok');
 *       }),
 *     ],
 *   });
 *
 * Verdicts (ARCHITECTURE.md): a server that crashes at start-up, never answers, floods its output
 * or runs out of memory is an `error`; once it answers, the run is `pass`/`fail`, a hung handler
 * fails its own checks with `timeout` and the other probes go on.
 */

export interface HttpApiOptions {
  /** Version of this exercise's rubric; bump it when verdicts may change. */
  version: string;
  checks: readonly CheckSpec<ProbeSession>[];
  /** Polled until the server answers anything; also asked after a timeout to see if it still answers. Default `/`. */
  readyPath?: string;
  /** The address in the curl commands of failures: where `npm start` serves on the learner's machine. */
  displayBase?: string;
  /** Shorter limits, for tests of the kind itself. */
  limits?: { readyMs?: number; requestMs?: number };
  /** Observers for tests and tools (a request panel): the started process, each request sent. */
  observe?: {
    started?(info: ServerInfo): void;
    request?(request: SentRequest, checkId: string): void;
  };
}

/** Time kept back from the whole-grade limit for stopping the server and cleaning up. */
const reserveMs = 4_000;

export function httpApi(options: HttpApiOptions): Grader {
  const readyPath = options.readyPath ?? '/';
  const readyMs = options.limits?.readyMs ?? limits.serverReadyMs;
  const requestMs = options.limits?.requestMs ?? limits.requestMs;
  return {
    kind: 'http-api',
    version: options.version,
    async grade(input: GradeInput): Promise<GradeOutcome> {
      const started = performance.now();
      const server = new LearnerServer();
      try {
        await server.start(input.files, {
          readyPath,
          readyMs,
          signal: input.signal,
          ...(options.observe?.started ? { onStarted: options.observe.started } : {}),
        });
        const session = new ProbeSession(server, {
          seed: input.seed,
          requestMs,
          deadline: started + limits.gradeMs - reserveMs,
          displayBase: options.displayBase ?? 'http://localhost:3000',
          livenessPath: readyPath,
          signal: input.signal,
          ...(options.observe?.request ? { onRequest: options.observe.request } : {}),
        });
        const checks = await runChecks(options.checks, session, input.signal);
        if (input.signal.aborted) throw new Error('The grade was stopped before it finished.');
        const outcome = await server.stop();
        // Flooding output or memory is a fault of the whole run, even when it happened mid-way.
        if (outcome && (outcome.killedFor === 'output-limit' || outcome.killedFor === 'out-of-memory')) throw server.startFailure(outcome);
        const passed = checks.filter((check) => check.status === 'pass').length;
        return {
          checks,
          usedSeed: true,
          summary: `${passed} of ${checks.length} probes passed (${session.requestCount} requests; the server answered after ${server.readyAfterMs} ms)`,
        };
      } catch (error) {
        // Once the grade is stopped, whatever the server did since is not the learner's verdict.
        if (input.signal.aborted) throw new Error('The grade was stopped before it finished.');
        throw error;
      } finally {
        await server.dispose();
      }
    },
  };
}

export { probe, type ProbeContext, type ProbeSpec, Probe, ProbeSession } from './probe.ts';
export { Reply, type RequestOptions, type SentRequest, toCurl, renderReply } from './http.ts';
export { Random } from './random.ts';
export { shippedPackages } from './runtime.ts';
export type { ServerInfo } from './server.ts';
