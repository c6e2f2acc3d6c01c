import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { isSubmittable, submissionLimits } from '../../graders/core/exercises.ts';
import type { ExerciseManifest } from '../../graders/core/exercise.ts';
import {
  type AppOutputReply,
  type AppRequestBody,
  type ErrorCode,
  type ErrorReply,
  type RunnerInfo,
  localApi,
  tokenHeader,
} from '../runtime/local-api.ts';
import { checkHost, confinePath, isCrossSite, isSameOrigin, tokenMatches } from './guards.ts';
import { AppStartError, AppUnreachableError, type LearnerApp, NotAnAppError, type RunnerEngine, createEngine, packageVersion } from './runner-engine.ts';

/**
 * The course server's endpoints for the browser's `LocalRunner` (src/runtime/local.ts): grade a
 * submission with the same engine as the CLI, and run a learner's API server for the request
 * panel. Plain Node `(req, res)`, mounted by server/serve.mjs in front of the Astro handler.
 *
 * Every request passes the guards of ARCHITECTURE.md (Runtimes) before any engine code runs, in
 * this order: the Host names this server (DNS rebinding), the browser does not mark it cross-site,
 * the per-start token, a same-origin Origin on POSTs, a JSON body within the size limit that the
 * schema accepts, and file paths confined to what the exercise lets a learner submit.
 */

export interface LocalRunnerOptions {
  /** The grading side; tests inject a spy. Default: graders/core and the http-api launcher. */
  engine?: RunnerEngine;
  /** Default: 32 random bytes, new at every start. */
  token?: string;
  version?: string;
  /** Names besides this server's own address that the Host header may use (`--host myname.local`). */
  hostNames?: readonly string[];
  /** Largest request body, in bytes (413 past it). */
  maxBodyBytes?: number;
  /** Grades running at once; more are refused with 429 and Retry-After. */
  maxConcurrentGrades?: number;
  /** Learner servers running at once (one per exercise in any case). */
  maxApps?: number;
  /** A learner server with no request for this long is stopped. */
  appIdleMs?: number;
}

export interface LocalRunnerHandler {
  readonly token: string;
  /** Serves `/api/*` and returns true; returns false for any other path, for the caller to serve. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  /** Live learner-server sessions (tests use it to prove nothing is left behind). */
  sessionCount(): number;
  /** Stops every learner server, refuses new work, and releases the engine's warm resources. */
  close(): Promise<void>;
}

export const defaultLimits = {
  maxBodyBytes: 1024 * 1024,
  maxConcurrentGrades: 2,
  maxApps: 3,
  appIdleMs: 10 * 60 * 1000,
} as const;

/** Seconds a refused grade is asked to wait: about one grade on this machine. */
const retryAfterSeconds = 2;

class Refusal extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;
  readonly output: string | undefined;
  constructor(status: number, code: ErrorCode, message: string, extra: { headers?: Record<string, string>; output?: string } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = extra.headers ?? {};
    this.output = extra.output;
  }
}

// ---- body schemas (zod): the only shapes the endpoints accept

const exerciseIdField = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be an exercise id such as "design-schema"');
const filesField = z
  .record(z.string().min(1).max(512), z.string().max(submissionLimits.maxFileBytes, `a file may hold at most ${submissionLimits.maxFileBytes / 1024} KB`))
  .refine((files) => Object.keys(files).length <= submissionLimits.maxFiles, `at most ${submissionLimits.maxFiles} files`);
const sessionField = z.uuid('must be a session id returned by /api/app/start');

const checkBodySchema = z.strictObject({ exerciseId: exerciseIdField, files: filesField });
const appRequestBodySchema = z.strictObject({
  session: sessionField,
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']),
  path: z.string().max(2048).regex(/^\/[^\s\u0000-\u001f\u007f]*$/, 'must start with "/" and hold no spaces or control characters'),
  headers: z
    .record(
      z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name holds letters, digits and - only'),
      z.string().max(8192).regex(/^[\t\u0020-\u007e\u0080-\u00ff]*$/, 'a header value must be printable text on one line'),
    )
    .refine((headers) => Object.keys(headers).length <= 50, 'at most 50 headers')
    .optional(),
  body: z.string().max(512 * 1024).optional(),
});
const appStopBodySchema = z.strictObject({ session: sessionField });

function parseBody<T>(schema: z.ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'the body'}: ${issue.message}`);
  throw new Refusal(400, 'invalid-body', `The request body was not accepted. ${problems.join('; ')}.`);
}

// ---- routes

type Route = { method: 'GET' | 'POST'; needsToken: boolean };
const routes: Record<string, Route> = {
  [localApi.runner]: { method: 'GET', needsToken: false },
  [localApi.check]: { method: 'POST', needsToken: true },
  [localApi.appStart]: { method: 'POST', needsToken: true },
  [localApi.appRequest]: { method: 'POST', needsToken: true },
  [localApi.appOutput]: { method: 'GET', needsToken: true },
  [localApi.appStop]: { method: 'POST', needsToken: true },
};

interface Session {
  id: string;
  exerciseId: string;
  app: LearnerApp;
  idleTimer: NodeJS.Timeout | undefined;
  /** Set once the session's server was stopped for idleness: what the panel shows from then on. */
  final: AppOutputReply | undefined;
}

/** Creates the endpoints. Call `close()` when the server shuts down. */
export function createLocalRunner(options: LocalRunnerOptions = {}): LocalRunnerHandler {
  const engine = options.engine ?? createEngine();
  const token = options.token ?? randomBytes(32).toString('base64url');
  const version = options.version ?? packageVersion;
  const hostNames = options.hostNames ?? [];
  const maxBodyBytes = options.maxBodyBytes ?? defaultLimits.maxBodyBytes;
  const maxConcurrentGrades = options.maxConcurrentGrades ?? defaultLimits.maxConcurrentGrades;
  const maxApps = options.maxApps ?? defaultLimits.maxApps;
  const appIdleMs = options.appIdleMs ?? defaultLimits.appIdleMs;

  let gradesRunning = 0;
  let closed = false;
  const sessions = new Map<string, Session>();
  /** Starts in progress, by exercise: a second start for the same exercise cancels the first. */
  const starting = new Map<string, AbortController>();

  // ---- the guards, in order; each throws a Refusal

  function guard(request: IncomingMessage, pathname: string): { route: Route; host: string } {
    const host = checkHost(request, hostNames);
    if (!host) {
      throw new Refusal(
        403,
        'wrong-host',
        `This server answers only to its own address, not to "${request.headers.host ?? ''}". Open the course at the address \`npm start\` printed.`,
      );
    }
    const route = routes[pathname];
    if (!route) throw new Refusal(404, 'not-found', `There is no endpoint ${pathname}.`);
    if (request.method !== route.method) throw new Refusal(405, 'method-not-allowed', `${pathname} takes ${route.method} only.`, { headers: { Allow: route.method } });
    if (isCrossSite(request)) throw new Refusal(403, 'cross-site', 'Requests from other web sites are refused: only the course’s own pages may run code here.');
    if (route.needsToken && !tokenMatches(request.headers[tokenHeader], token)) {
      throw new Refusal(403, 'bad-token', 'The request does not carry this server’s current token (it changes at every start). Reload the page.');
    }
    if (route.method === 'POST') {
      if (!isSameOrigin(request, host)) throw new Refusal(403, 'bad-origin', `A request that runs code must come from a page of http://${host} itself.`);
      const type = request.headers['content-type'] ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) throw new Refusal(415, 'unsupported-media-type', 'Send the body as JSON (Content-Type: application/json).');
    }
    if (closed) throw new Refusal(503, 'busy', 'The course server is shutting down.');
    return { route, host };
  }

  function readJson(request: IncomingMessage): Promise<unknown> {
    const tooLarge = () => new Refusal(413, 'too-large', `The request body is larger than ${Math.round(maxBodyBytes / 1024)} KB. A submission that large is not an exercise's files.`);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) return Promise.reject(tooLarge());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      request.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > maxBodyBytes) {
          done = true;
          reject(tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      request.on('end', () => {
        if (done) return;
        done = true;
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(new Refusal(400, 'bad-json', `The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`));
        }
      });
      request.on('error', (error) => {
        if (done) return;
        done = true;
        reject(error);
      });
    });
  }

  /** The manifest, or a 404 that lists nothing a stranger could use. */
  function manifestOf(exerciseId: string): ExerciseManifest {
    try {
      return engine.manifest(exerciseId);
    } catch (error) {
      if (error instanceof Error && error.name === 'UnknownExerciseError') throw new Refusal(404, 'unknown-exercise', error.message);
      throw error;
    }
  }

  /** Confines every path and keeps only what the exercise accepts from a learner. */
  function submission(manifest: ExerciseManifest, files: Record<string, string>): Map<string, string> {
    const accepted = new Map<string, string>();
    for (const [raw, text] of Object.entries(files)) {
      const confined = confinePath(raw);
      if (!confined.ok) throw new Refusal(400, 'bad-path', `The file path "${printable(raw)}" ${confined.reason}.`);
      if (!isSubmittable(manifest, confined.path)) {
        const allowed = [...manifest.files.editable, ...manifest.files.extra].join(', ');
        throw new Refusal(400, 'bad-path', `"${confined.path}" is not a file this exercise accepts from you (it accepts ${allowed}).`);
      }
      if (accepted.has(confined.path)) throw new Refusal(400, 'bad-path', `"${confined.path}" is sent twice under different spellings.`);
      accepted.set(confined.path, text);
    }
    return accepted;
  }

  /** An AbortSignal that fires when the browser goes away (a cancelled fetch closes the request). */
  function abortOnDisconnect(response: ServerResponse): AbortController {
    const controller = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) controller.abort(new Error('The browser cancelled the request.'));
    });
    return controller;
  }

  // ---- sessions

  function touch(session: Session): void {
    clearTimeout(session.idleTimer);
    session.idleTimer = setTimeout(() => void expire(session), appIdleMs);
    session.idleTimer.unref();
  }

  async function expire(session: Session): Promise<void> {
    const last = session.app.output();
    await session.app.stop().catch(() => undefined);
    const minutes = Math.round(appIdleMs / 60_000);
    const note = `[Stopped after ${minutes >= 1 ? `${minutes} minutes` : `${Math.round(appIdleMs / 1000)} s`} without a request, to free this computer. Start it again to go on.]`;
    session.final = { text: `${last.text}${last.text && !last.text.endsWith('\n') ? '\n' : ''}${note}`, running: false, exitCode: last.exitCode };
    // The panel can still read why it stopped for a while; then the record goes too.
    session.idleTimer = setTimeout(() => sessions.delete(session.id), appIdleMs);
    session.idleTimer.unref();
  }

  async function stopSession(session: Session): Promise<void> {
    clearTimeout(session.idleTimer);
    sessions.delete(session.id);
    if (!session.final) await session.app.stop();
  }

  function sessionOf(id: string): Session {
    const session = sessions.get(id);
    if (!session) throw new Refusal(404, 'unknown-session', 'That server session is over (stopped, replaced by a newer start, or the course server restarted). Start your server again.');
    return session;
  }

  // ---- the endpoints

  async function check(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = parseBody(checkBodySchema, await readJson(request));
    const files = submission(manifestOf(body.exerciseId), body.files);
    if (gradesRunning >= maxConcurrentGrades) {
      throw new Refusal(429, 'busy', `${gradesRunning} checks are running already; try again in a moment.`, { headers: { 'Retry-After': String(retryAfterSeconds) } });
    }
    gradesRunning++;
    const cancel = abortOnDisconnect(response);
    try {
      const report = await engine.grade(body.exerciseId, files, cancel.signal);
      reply(response, 200, report);
    } finally {
      gradesRunning--;
    }
  }

  async function appStart(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = parseBody(checkBodySchema, await readJson(request));
    const manifest = manifestOf(body.exerciseId);
    const files = submission(manifest, body.files);
    if (manifest.kind !== 'http-api') throw new Refusal(400, 'not-an-app', `The exercise "${body.exerciseId}" has no server to start; only API exercises do.`);
    // One server per exercise: a new start replaces the old one (and any start still under way).
    starting.get(body.exerciseId)?.abort(new Error('replaced by a newer start'));
    starting.delete(body.exerciseId);
    for (const session of [...sessions.values()]) if (session.exerciseId === body.exerciseId) await stopSession(session);
    const live = [...sessions.values()].filter((session) => !session.final).length + starting.size;
    if (live >= maxApps) {
      throw new Refusal(429, 'busy', `${live} of your servers are running already (for other exercises). Stop one, then start this one.`, {
        headers: { 'Retry-After': String(retryAfterSeconds) },
      });
    }
    const cancel = abortOnDisconnect(response);
    starting.set(body.exerciseId, cancel);
    let app: LearnerApp;
    try {
      app = await engine.startApp(body.exerciseId, files, cancel.signal);
    } catch (error) {
      if (error instanceof AppStartError) throw new Refusal(422, 'app-failed', error.message, error.output ? { output: error.output } : {});
      if (error instanceof NotAnAppError) throw new Refusal(400, 'not-an-app', error.message);
      throw error;
    } finally {
      if (starting.get(body.exerciseId) === cancel) starting.delete(body.exerciseId);
    }
    // The page went away (or the server began shutting down) while the server started: nobody will stop it.
    if (cancel.signal.aborted || closed) {
      await app.stop();
      return;
    }
    const session: Session = { id: randomUUID(), exerciseId: body.exerciseId, app, idleTimer: undefined, final: undefined };
    sessions.set(session.id, session);
    touch(session);
    reply(response, 200, { session: session.id });
  }

  async function appRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body: AppRequestBody = parseBody(appRequestBodySchema, await readJson(request));
    const session = sessionOf(body.session);
    if (session.final) throw new Refusal(409, 'app-unreachable', 'Your server was stopped after a long time without requests. Start it again.');
    touch(session);
    const cancel = abortOnDisconnect(response);
    try {
      const { session: _, ...toSend } = body;
      reply(response, 200, await session.app.request(toSend, cancel.signal));
    } catch (error) {
      if (error instanceof AppUnreachableError) throw new Refusal(502, 'app-unreachable', error.message);
      throw error;
    }
  }

  function appOutput(url: URL, response: ServerResponse): void {
    const id = url.searchParams.get('session') ?? '';
    if (!sessionField.safeParse(id).success) throw new Refusal(400, 'invalid-body', 'Name the session: /api/app/output?session=<the id /api/app/start returned>.');
    // Reading output is not activity: a tab left open must not keep a server alive forever.
    const session = sessionOf(id);
    reply(response, 200, session.final ?? session.app.output());
  }

  async function appStop(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = parseBody(appStopBodySchema, await readJson(request));
    const session = sessions.get(body.session);
    if (session) await stopSession(session);
    reply(response, 200, { stopped: session !== undefined });
  }

  async function serve(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    guard(request, url.pathname);
    switch (url.pathname) {
      case localApi.runner: {
        const info: RunnerInfo = { runner: 'local', token, version };
        return reply(response, 200, info);
      }
      case localApi.check:
        return check(request, response);
      case localApi.appStart:
        return appStart(request, response);
      case localApi.appRequest:
        return appRequest(request, response);
      case localApi.appOutput:
        return appOutput(url, response);
      case localApi.appStop:
        return appStop(request, response);
    }
  }

  return {
    token,
    handle(request, response) {
      const url = new URL(request.url ?? '/', 'http://local');
      if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return false;
      serve(request, response, url).catch((error: unknown) => {
        if (error instanceof Refusal) {
          const body: ErrorReply = { error: error.message, code: error.code, ...(error.output ? { output: error.output } : {}) };
          // An unread upload is not worth draining: answer and close the connection.
          if (error.status === 413) response.setHeader('Connection', 'close');
          reply(response, error.status, body, error.headers);
          if (error.status === 413) response.on('finish', () => request.destroy());
          return;
        }
        // The browser went away mid-request (a cancelled check): nobody is left to answer.
        if (response.destroyed) return;
        console.error('local runner:', error);
        const body: ErrorReply = { error: `The course server failed: ${error instanceof Error ? error.message : String(error)}`, code: 'internal' };
        reply(response, 500, body);
      });
      return true;
    },
    sessionCount: () => [...sessions.values()].filter((session) => !session.final).length + starting.size,
    async close() {
      closed = true;
      for (const controller of starting.values()) controller.abort(new Error('The course server is shutting down.'));
      await Promise.all([...sessions.values()].map((session) => stopSession(session).catch(() => undefined)));
      await engine.dispose();
    },
  };
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.end(JSON.stringify(body));
}

/** A path as it can be shown in a message: control characters made visible. */
function printable(text: string): string {
  return text.slice(0, 200).replace(/[\u0000-\u001f\u007f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
