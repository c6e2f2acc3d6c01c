import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exerciseSchema } from '../../graders/core/exercise.ts';
import { UnknownExerciseError } from '../../graders/core/exercises.ts';
import type { Report } from '../../graders/core/report.ts';
import { chooseRunner } from '../../src/runtime/choose.ts';
import { LocalRunner, LocalRunnerError } from '../../src/runtime/local.ts';
import { AppStartError, RunnerUnavailableError } from '../../src/runtime/runner.ts';
import { UnavailableRunner } from '../../src/runtime/unavailable.ts';
import { WebContainerRunner } from '../../src/runtime/webcontainer.ts';
import { type LocalRunnerHandler, createLocalRunner } from '../../src/server/local-runner.ts';
import { AppStartError as ServerAppStartError, type RunnerEngine } from '../../src/server/runner-engine.ts';

/**
 * The page's LocalRunner against the real endpoints on a real http.Server (the engine behind them
 * is a spy). `fetch` is Node's, given the `Origin` header a browser adds to every POST.
 */

const manifest = exerciseSchema.parse({
  title: 'Build the API',
  summary: 'A fake API exercise for the runner tests.',
  stage: 'development',
  kind: 'http-api',
  difficulty: 'beginner',
  minutes: 5,
  files: { editable: ['src/server.js', 'package.json'], required: ['src/server.js'] },
});

const passing: Report = { version: 1, exercise: 'build-api', status: 'pass', checks: [], score: 0, maxScore: 0, durationMs: 1, graderVersion: 'fake@1' };

function spyEngine() {
  return {
    manifest: vi.fn((id: string) => {
      if (id !== 'build-api') throw new UnknownExerciseError(id, ['build-api']);
      return manifest;
    }),
    grade: vi.fn(async (_id: string, _files: ReadonlyMap<string, string>, _signal: AbortSignal): Promise<Report> => passing),
    startApp: vi.fn(async () => {
      let running = true;
      return {
        request: async () => ({ status: 200, headers: {}, body: 'ok', durationMs: 1 }),
        output: () => ({ text: 'listening\n', running, exitCode: null }),
        stop: async () => {
          running = false;
        },
      };
    }),
    dispose: vi.fn(async () => undefined),
  } satisfies RunnerEngine;
}

let engine: ReturnType<typeof spyEngine>;
let handler: LocalRunnerHandler;
let server: http.Server;
let base: string;
const realFetch = globalThis.fetch;

async function listen(port = 0): Promise<void> {
  server = http.createServer((request, response) => {
    if (!handler.handle(request, response)) response.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

beforeEach(async () => {
  engine = spyEngine();
  handler = createLocalRunner({ engine });
  await listen();
  // What a browser does for a same-origin POST from the page.
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init: RequestInit = {}) =>
    realFetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), ...(init.method === 'POST' ? { Origin: base } : {}) } }),
  );
});

afterEach(async () => {
  vi.unstubAllGlobals();
  await handler.close();
  await close();
});

describe('LocalRunner', () => {
  it('connects with the token the server hands out, and checks', async () => {
    const runner = await LocalRunner.connect(base);
    expect(runner).toBeInstanceOf(LocalRunner);
    expect(runner?.state()).toEqual({ phase: 'ready' });
    expect(await runner?.check('build-api', { 'src/server.js': 'x' })).toEqual(passing);
    expect(engine.grade).toHaveBeenCalledTimes(1);
  });

  it('cancels the grade on the server when the check is cancelled', async () => {
    let seen: AbortSignal | undefined;
    engine.grade.mockImplementationOnce((_id, _files, signal) => {
      seen = signal;
      return new Promise<Report>(() => {});
    });
    const runner = (await LocalRunner.connect(base)) as LocalRunner;
    const controller = new AbortController();
    const checking = runner.check('build-api', {}, controller.signal);
    await vi.waitFor(() => expect(seen).toBeDefined());
    controller.abort();
    await expect(checking).rejects.toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(seen?.aborted).toBe(true));
  });

  it('passes the server’s refusals on as errors with their code', async () => {
    const runner = (await LocalRunner.connect(base)) as LocalRunner;
    const failure = await runner.check('build-api', { '../escape.js': 'x' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LocalRunnerError);
    expect(failure).toMatchObject({ status: 400, code: 'bad-path' });
    expect(engine.grade).not.toHaveBeenCalled();
  });

  it('fetches a new token once when the course server restarted, and goes on', async () => {
    const runner = (await LocalRunner.connect(base)) as LocalRunner;
    await handler.close();
    handler = createLocalRunner({ engine }); // a new start: a new token
    expect((await runner.check('build-api', {})).status).toBe('pass');
  });

  it('is unavailable while the course server is down, and ready again when it is back', async () => {
    const runner = (await LocalRunner.connect(base)) as LocalRunner;
    const port = Number(new URL(base).port);
    await close();
    const failure = await runner.check('build-api', {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunnerUnavailableError);
    expect((failure as Error).message).toMatch(/not answering.*npm start/);
    expect(runner.state().phase).toBe('unavailable');
    await listen(port);
    expect((await runner.check('build-api', {})).status).toBe('pass');
    expect(runner.state()).toEqual({ phase: 'ready' });
  });

  it('starts an app session, sends requests, reads output and stops it', async () => {
    const runner = (await LocalRunner.connect(base)) as LocalRunner;
    const session = await runner.startApp('build-api', { 'src/server.js': 'x' });
    expect(await session.request({ method: 'GET', path: '/health' })).toMatchObject({ status: 200, body: 'ok' });
    expect(await session.output()).toEqual({ text: 'listening\n', running: true, exitCode: null });
    await session.stop();
    expect(handler.sessionCount()).toBe(0);
  });

  it('throws AppStartError with the server’s output when the app does not start', async () => {
    engine.startApp.mockRejectedValueOnce(new ServerAppStartError('Your server stopped during start-up (exit code 1).', 'ReferenceError: app is not defined'));
    const runner = (await LocalRunner.connect(base)) as LocalRunner;
    const failure = await runner.startApp('build-api', {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppStartError);
    expect(failure).toMatchObject({ message: 'Your server stopped during start-up (exit code 1).', output: 'ReferenceError: app is not defined' });
  });

  it('stops its sessions on dispose', async () => {
    const runner = (await LocalRunner.connect(base)) as LocalRunner;
    await runner.startApp('build-api', {});
    await runner.dispose();
    expect(handler.sessionCount()).toBe(0);
  });
});

describe('chooseRunner', () => {
  it('chooses the local runner when the page is served by the course server', async () => {
    const runner = await chooseRunner({ base, crossOriginIsolated: true });
    expect(runner.kind).toBe('local');
  });

  it('chooses the WebContainer runner on an isolated static host, without booting it yet', async () => {
    const runner = await chooseRunner({ base: `${base}/static-host`, crossOriginIsolated: true });
    expect(runner).toBeInstanceOf(WebContainerRunner);
    expect(runner.state()).toEqual({ phase: 'idle' });
  });

  it('is plainly unavailable on a host without isolation, and says what to do', async () => {
    const runner = await chooseRunner({ base: `${base}/static-host`, crossOriginIsolated: false });
    expect(runner).toBeInstanceOf(UnavailableRunner);
    const state = runner.state();
    expect(state.phase).toBe('unavailable');
    expect(state.phase === 'unavailable' && state.reason).toMatch(/cross-origin isolation.*npm start/);
    await expect(runner.check('build-api', {})).rejects.toBeInstanceOf(RunnerUnavailableError);
  });

  it('does not take a page that merely answers /api/runner with something else for the course server', async () => {
    const other = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>hello'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const runner = await chooseRunner({ base: `http://127.0.0.1:${(other.address() as AddressInfo).port}`, crossOriginIsolated: false });
      expect(runner).toBeInstanceOf(UnavailableRunner);
    } finally {
      other.close();
    }
  });
});
