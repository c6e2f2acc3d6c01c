import { type CheckSpec, type Verdict, fail, pass, timedOut } from '../core/checks.ts';
import { truncateOutput } from '../core/report.ts';
import { type JsonType, ProbeFailure, ProbeTimeout, Reply, type RequestOptions, type SentRequest, buildRequest, renderReply, send, toCurl } from './http.ts';
import { Random } from './random.ts';
import type { LearnerServer } from './server.ts';

/**
 * Probes: the checks of an HTTP API grader. A probe sends real requests to the learner's running
 * server and chains expectations on the replies; the first expectation that does not hold fails
 * the check with what was sent (as curl), what came back and the check's hint.
 */

/** The server can no longer be asked anything (it exited, or stopped answering altogether). */
export class ServerGone extends Error {
  readonly output: string;
  constructor(message: string, output = '') {
    super(message);
    this.name = 'ServerGone';
    this.output = output;
  }
}

export interface SessionOptions {
  seed: number;
  requestMs: number;
  /** performance.now() past which no request is sent, so the grade ends inside its own limit. */
  deadline: number;
  /** Where the learner's own server runs, for the curl commands in failures. */
  displayBase: string;
  /** Asked after a request times out, to tell one hung handler from a server that stopped answering. */
  livenessPath: string;
  signal: AbortSignal;
  onRequest?: (request: SentRequest, checkId: string) => void;
}

/** One grade's conversation with one running server, shared by its probes in order. */
export class ProbeSession {
  readonly server: LearnerServer;
  readonly options: SessionOptions;
  /** Set once the server cannot answer any more; later probes fail at once with this. */
  gone: ServerGone | undefined;
  requestCount = 0;
  currentCheck = '';

  constructor(server: LearnerServer, options: SessionOptions) {
    this.server = server;
    this.options = options;
  }

  async send(request: SentRequest): Promise<Reply> {
    if (this.gone) throw this.gone;
    const remaining = this.options.deadline - performance.now();
    if (remaining < 250) {
      this.gone = new ServerGone('Not checked: the time for this grade ran out, because earlier requests hung.');
      throw this.gone;
    }
    this.requestCount++;
    this.options.onRequest?.(request, this.currentCheck);
    const mark = this.server.outputMark();
    const timeoutMs = Math.min(this.options.requestMs, remaining);
    const result = await send(this.server.host, this.server.port, request, timeoutMs, this.options.signal);
    if (this.options.signal.aborted) throw new Error('The grade was stopped.');
    if (result.kind === 'response') {
      // A 5xx usually comes with a stack trace on stderr, which can arrive a moment after the response.
      if (result.response.status >= 500) await sleep(40);
      return new Reply(request, result.response, this.server.outputSince(mark));
    }
    if (result.kind === 'timeout') {
      const printed = this.server.outputSince(mark);
      await this.checkStillAnswering(request);
      throw new ProbeTimeout(`No complete answer within ${formatSeconds(timeoutMs)}: the request reached the server, but no response was finished.`, request, printed);
    }
    // The connection was refused or dropped: did the server die, or just hang up on us?
    await Promise.race([this.server.exited.catch(() => undefined), sleep(250)]);
    if (this.server.exit) {
      this.gone = new ServerGone(`Not checked: ${this.describeExit()} during an earlier check, so nothing could answer this one.`, tail(this.server.output()));
      const message = `${capitalize(this.describeExit())} while it handled this request.\nRequest: ${toCurl(request, this.options.displayBase)}`;
      throw new ServerGone(prefix(request) + message, tail(this.server.output()));
    }
    throw new ProbeFailure(`The server closed the connection without sending a response (${result.kind === 'refused' ? 'connection refused' : result.code}).`, request);
  }

  /** After a timeout: does anything still answer? An endless loop blocks every request, not just one. */
  private async checkStillAnswering(hung: SentRequest): Promise<void> {
    const remaining = this.options.deadline - performance.now();
    const ping: SentRequest = { method: 'GET', path: this.options.livenessPath, headers: {} };
    const result = await send(this.server.host, this.server.port, ping, Math.max(1, Math.min(1000, remaining)), this.options.signal);
    if (result.kind === 'response') return;
    if (this.server.exit) {
      this.gone = new ServerGone(`Not checked: ${this.describeExit()} during an earlier check, so nothing could answer this one.`, tail(this.server.output()));
    } else {
      this.gone = new ServerGone(
        `Not checked: after \`${hung.method} ${hung.path}\` hung, the server stopped answering anything (even \`GET ${this.options.livenessPath}\`). ` +
          'Code that never gives control back (an endless loop) blocks every request, not just its own.',
        tail(this.server.output()),
      );
    }
  }

  private describeExit(): string {
    const exit = this.server.exit;
    if (!exit) return 'the server stopped';
    if (exit.killedFor === 'output-limit') return 'the server was stopped for printing too much output';
    if (exit.killedFor === 'out-of-memory') return 'the server was stopped for using too much memory';
    return `the server exited (${exit.exitCode !== null ? `exit code ${exit.exitCode}` : `signal ${exit.exitSignal}`})`;
  }

  /** The verdict of a probe that threw. */
  verdictFor(error: unknown): Verdict | undefined {
    const base = this.options.displayBase;
    if (error instanceof ProbeFailure) {
      const output = error.reply ? renderReply(error.reply) : undefined;
      return fail(`${prefix(error.request)}${error.message}\nRequest: ${toCurl(error.request, base)}`, output ? { output } : {});
    }
    if (error instanceof ProbeTimeout) {
      const output = error.serverOutput.trim() ? `Your server printed:\n${error.serverOutput.trim()}` : undefined;
      return timedOut(`${prefix(error.request)}${error.message}\nRequest: ${toCurl(error.request, base)}`, output ? { output } : {});
    }
    if (error instanceof ServerGone) return fail(error.message, error.output ? { output: error.output } : {});
    return undefined;
  }
}

function prefix(request: SentRequest): string {
  return request.purpose ? `While ${request.purpose}: ` : '';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** The end of a process's output: for a crash, the last lines say the most. */
function tail(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > 480 ? `…${trimmed.slice(-479)}` : truncateOutput(trimmed);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type Step = (reply: Reply) => unknown;

/**
 * A request not yet sent, with the expectations to check on its reply. Awaiting it sends the
 * request and resolves to the Reply once every expectation holds.
 */
export class Probe implements PromiseLike<Reply> {
  readonly request: SentRequest;
  consumed = false;
  private readonly steps: Step[] = [];
  private readonly sendRequest: (request: SentRequest) => Promise<Reply>;
  private promise: Promise<Reply> | undefined;

  constructor(request: SentRequest, sendRequest: (request: SentRequest) => Promise<Reply>) {
    this.request = request;
    this.sendRequest = sendRequest;
  }

  private step(step: Step): this {
    this.steps.push(step);
    return this;
  }

  expectStatus(expected: number | readonly number[], why?: string): this {
    return this.step((reply) => reply.expectStatus(expected, why));
  }
  expectSuccess(why?: string): this {
    return this.step((reply) => reply.expectSuccess(why));
  }
  expectJson(): this {
    return this.step((reply) => reply.expectJson());
  }
  expectEmptyBody(): this {
    return this.step((reply) => reply.expectEmptyBody());
  }
  expectHeader(name: string, test?: (value: string) => boolean, description?: string): this {
    return this.step((reply) => reply.expectHeader(name, test, description));
  }
  expectField(path: string, expected: unknown, why?: string): this {
    return this.step((reply) => reply.expectField(path, expected, why));
  }
  expectFieldType(path: string, type: JsonType): this {
    return this.step((reply) => reply.expectFieldType(path, type));
  }
  expectError(status: number | readonly number[], options?: { fields?: readonly string[]; why?: string }): this {
    return this.step((reply) => reply.expectError(status, options));
  }
  expect(test: (reply: Reply) => boolean, description: string): this {
    return this.step((reply) => reply.expect(test, description));
  }

  then<A = Reply, B = never>(onFulfilled?: ((reply: Reply) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    this.consumed = true;
    this.promise ??= this.sendRequest(this.request).then((reply) => {
      for (const step of this.steps) step(reply);
      return reply;
    });
    return this.promise.then(onFulfilled, onRejected);
  }
}

/** What a probe's body is given. */
export interface ProbeContext {
  /** A request such as `request('POST /books', { json: book })`; chain expectations, then await it. */
  request(line: string, options?: RequestOptions): Probe;
  /** This check's own random stream (from the run's seed and the check's id). */
  random: Random;
}

export interface ProbeSpec {
  id: string;
  title: string;
  points: number;
  hint: string;
}

/** A check that talks to the learner's server: `probe({ id, title, points, hint }, async ({ request }) => { ... })`. */
export function probe(spec: ProbeSpec, body: (context: ProbeContext) => Promise<void>): CheckSpec<ProbeSession> {
  return {
    ...spec,
    async run(session) {
      if (session.gone) return fail(session.gone.message, session.gone.output ? { output: session.gone.output } : {});
      session.currentCheck = spec.id;
      const probes: Probe[] = [];
      const sentBefore = session.requestCount;
      const context: ProbeContext = {
        random: Random.derive(session.options.seed, spec.id),
        request(line, options) {
          const pending = new Probe(buildRequest(line, options), (request) => session.send(request));
          probes.push(pending);
          return pending;
        },
      };
      try {
        await body(context);
      } catch (error) {
        const verdict = session.verdictFor(error);
        if (verdict) return verdict;
        throw error;
      }
      // A probe that is built but never awaited would pass without asking anything.
      const forgotten = probes.find((pending) => !pending.consumed);
      if (forgotten) throw new Error(`the probe "${forgotten.request.method} ${forgotten.request.path}" was never awaited`);
      if (session.requestCount === sentBefore) throw new Error('this check sent no request, so it observed nothing');
      return pass();
    },
  };
}
