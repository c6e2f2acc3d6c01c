import type { Report } from '../../graders/core/report.ts';
import {
  type AppOutputReply,
  type AppRequestBody,
  type AppStartReply,
  type CheckBody,
  type ErrorCode,
  type ErrorReply,
  type RunnerInfo,
  localApi,
  tokenHeader,
} from './local-api.ts';
import { AppStartError, type AppSession, type Runner, type RunnerState, RunnerStateStore, RunnerUnavailableError, type TryRequest, type TryResponse, type WorkspaceFiles } from './runner.ts';

/**
 * The runner for pages served by the course server (`npm start`): every check is a request to
 * its endpoints (src/server/local-runner.ts), which grade with the same engine as the CLI.
 * Cancelling a check aborts the fetch; the server sees the request close and aborts the grade.
 */

/** The server refused or failed a request; `code` says which rule, `message` is for the learner. */
export class LocalRunnerError extends Error {
  override name = 'LocalRunnerError';
  readonly status: number;
  readonly code: ErrorCode;
  /** What the learner's server printed before it failed to start. */
  readonly output: string | undefined;
  constructor(status: number, reply: ErrorReply) {
    super(reply.error);
    this.status = status;
    this.code = reply.code;
    this.output = reply.output;
  }
}

const notAnswering = 'The course server is not answering. Is `npm start` still running in your terminal? Start it again, then check again; your work is saved in this browser.';

/** How long `connect` waits for `/api/runner` before deciding the page is not served by the course server. */
const connectTimeoutMs = 3000;

/** Asks the page's own server whether it is the course server; its token if so. */
export async function fetchRunnerInfo(base = '', signal?: AbortSignal): Promise<RunnerInfo | undefined> {
  // One controller for both the caller's signal and our timeout (AbortSignal.any is too recent to rely on).
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The course server did not answer in time.', 'TimeoutError')), connectTimeoutMs);
  const forward = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', forward, { once: true });
  try {
    const response = await fetch(`${base}${localApi.runner}`, { signal: controller.signal, cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok || !response.headers.get('content-type')?.includes('application/json')) return undefined;
    const info = (await response.json()) as Partial<RunnerInfo>;
    return info.runner === 'local' && typeof info.token === 'string' ? (info as RunnerInfo) : undefined;
  } catch (error) {
    if (signal?.aborted) throw error;
    return undefined;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', forward);
  }
}

export class LocalRunner implements Runner {
  readonly kind = 'local' as const;
  readonly version: string;
  #base: string;
  #token: string;
  readonly #states = new RunnerStateStore({ phase: 'ready' });
  #sessions = new Set<LocalAppSession>();

  constructor(info: RunnerInfo, base = '') {
    this.#token = info.token;
    this.version = info.version;
    this.#base = base;
  }

  /** The local runner if this page is served by the course server, else `undefined`. */
  static async connect(base = '', signal?: AbortSignal): Promise<LocalRunner | undefined> {
    const info = await fetchRunnerInfo(base, signal);
    return info ? new LocalRunner(info, base) : undefined;
  }

  state(): RunnerState {
    return this.#states.get();
  }

  subscribe(listener: (state: RunnerState) => void): () => void {
    return this.#states.subscribe(listener);
  }

  #setState(state: RunnerState): void {
    this.#states.set(state);
  }

  async check(exerciseId: string, files: WorkspaceFiles, signal?: AbortSignal): Promise<Report> {
    const body: CheckBody = { exerciseId, files };
    return this.call<Report>('POST', localApi.check, body, signal);
  }

  async startApp(exerciseId: string, files: WorkspaceFiles, signal?: AbortSignal): Promise<AppSession> {
    const body: CheckBody = { exerciseId, files };
    const { session } = await this.call<AppStartReply>('POST', localApi.appStart, body, signal);
    const app = new LocalAppSession(this, session, () => this.#sessions.delete(app));
    this.#sessions.add(app);
    return app;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#sessions].map((session) => session.stop().catch(() => undefined)));
    this.#states.clear();
  }

  /**
   * One request to an endpoint. A token refused after the course server restarted is fetched
   * again once, so a page left open across a restart keeps working.
   */
  async call<T>(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal, retried = false): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        headers: { [tokenHeader]: this.#token, ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}) },
        ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
        cache: 'no-store',
        credentials: 'same-origin',
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      this.#setState({ phase: 'unavailable', reason: notAnswering });
      throw new RunnerUnavailableError(notAnswering);
    }
    const reply: unknown = await response.json().catch(() => undefined);
    if (response.ok && reply !== undefined) {
      this.#setState({ phase: 'ready' });
      return reply as T;
    }
    const error = isErrorReply(reply) ? new LocalRunnerError(response.status, reply) : undefined;
    if (error?.code === 'bad-token' && !retried) {
      const info = await fetchRunnerInfo(this.#base, signal);
      if (info) {
        this.#token = info.token;
        return this.call<T>(method, path, body, signal, true);
      }
    }
    if (error?.code === 'app-failed') throw new AppStartError(error.message, error.output);
    if (error) throw error;
    // Not one of our answers: something else now serves this address (or a proxy failed).
    this.#setState({ phase: 'unavailable', reason: notAnswering });
    throw new RunnerUnavailableError(`${notAnswering} (HTTP ${response.status})`);
  }
}

class LocalAppSession implements AppSession {
  #runner: LocalRunner;
  #id: string;
  #onStop: () => void;

  constructor(runner: LocalRunner, id: string, onStop: () => void) {
    this.#runner = runner;
    this.#id = id;
    this.#onStop = onStop;
  }

  request(request: TryRequest, signal?: AbortSignal): Promise<TryResponse> {
    const body: AppRequestBody = { session: this.#id, ...request };
    return this.#runner.call<TryResponse>('POST', localApi.appRequest, body, signal);
  }

  output(signal?: AbortSignal): Promise<AppOutputReply> {
    return this.#runner.call<AppOutputReply>('GET', `${localApi.appOutput}?session=${encodeURIComponent(this.#id)}`, undefined, signal);
  }

  async stop(): Promise<void> {
    this.#onStop();
    await this.#runner.call('POST', localApi.appStop, { session: this.#id });
  }
}

function isErrorReply(value: unknown): value is ErrorReply {
  return typeof value === 'object' && value !== null && typeof (value as ErrorReply).error === 'string' && typeof (value as ErrorReply).code === 'string';
}
