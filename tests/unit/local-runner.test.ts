import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ExerciseManifest, exerciseSchema } from '../../graders/core/exercise.ts';
import { UnknownExerciseError } from '../../graders/core/exercises.ts';
import type { Report } from '../../graders/core/report.ts';
import { tokenHeader } from '../../src/runtime/local-api.ts';
import { type LocalRunnerHandler, type LocalRunnerOptions, createLocalRunner } from '../../src/server/local-runner.ts';
import { AppStartError, AppUnreachableError, type LearnerApp, type RunnerEngine } from '../../src/server/runner-engine.ts';

/**
 * The course server's endpoints against a real http.Server on an ephemeral port, with a spy in
 * place of the grading engine: every refusal is proven to run no engine code at all.
 */

const manifests: Record<string, ExerciseManifest> = {
  'design-schema': exerciseSchema.parse({
    title: 'Design the schema',
    summary: 'A fake exercise for the endpoint tests.',
    stage: 'design',
    kind: 'sql-schema',
    difficulty: 'beginner',
    minutes: 5,
    files: { editable: ['schema.sql'], required: ['schema.sql'] },
  }),
  'test-late-fees': exerciseSchema.parse({
    title: 'Test late fees',
    summary: 'A fake exercise with read-only files.',
    stage: 'testing',
    kind: 'test-suite',
    difficulty: 'beginner',
    minutes: 5,
    files: { editable: ['test/late-fee.test.js'], readonly: ['src/late-fee.js', 'package.json'], required: ['test/late-fee.test.js'] },
  }),
  'build-api': exerciseSchema.parse({
    title: 'Build the API',
    summary: 'A fake API exercise for the panel endpoints.',
    stage: 'development',
    kind: 'http-api',
    difficulty: 'beginner',
    minutes: 5,
    files: { editable: ['src/server.js', 'package.json'], required: ['src/server.js'], extra: ['src/**/*.js'] },
  }),
};

function fakeReport(exerciseId: string): Report {
  return {
    version: 1,
    exercise: exerciseId,
    status: 'pass',
    checks: [{ id: 'one', title: 'One check', status: 'pass', points: 1, maxPoints: 1 }],
    score: 1,
    maxScore: 1,
    durationMs: 3,
    graderVersion: 'fake@1',
  };
}

interface FakeApp extends LearnerApp {
  stopped: boolean;
}

function fakeApp(): FakeApp {
  const app: FakeApp = {
    stopped: false,
    request: vi.fn(async (request) => ({ status: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ echo: request }), durationMs: 4 })),
    output: () => ({ text: app.stopped ? 'listening\n[Stopped.]' : 'listening\n', running: !app.stopped, exitCode: null }),
    stop: vi.fn(async () => {
      app.stopped = true;
    }),
  };
  return app;
}

/** A spy engine: records every call, so a refusal can be shown to have reached none of it. */
function spyEngine() {
  const apps: FakeApp[] = [];
  const engine = {
    manifest: vi.fn((id: string) => {
      const manifest = manifests[id];
      if (!manifest) throw new UnknownExerciseError(id, Object.keys(manifests));
      return manifest;
    }),
    grade: vi.fn(async (id: string, _files: ReadonlyMap<string, string>, _signal: AbortSignal) => fakeReport(id)),
    startApp: vi.fn(async () => {
      const app = fakeApp();
      apps.push(app);
      return app;
    }),
    dispose: vi.fn(async () => undefined),
  } satisfies RunnerEngine;
  return { engine, apps, codeRan: () => engine.grade.mock.calls.length + engine.startApp.mock.calls.length };
}

interface Running {
  runner: LocalRunnerHandler;
  server: http.Server;
  port: number;
  host: string;
  origin: string;
}

const servers: Running[] = [];

async function startServer(options: LocalRunnerOptions): Promise<Running> {
  const runner = createLocalRunner({ token: 'secret-token-of-this-start-0123456789', version: '9.9.9', ...options });
  const server = http.createServer((request, response) => {
    if (runner.handle(request, response)) return;
    response.statusCode = 200;
    response.end('a page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const running = { runner, server, port, host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` };
  servers.push(running);
  return running;
}

afterEach(async () => {
  for (const { runner, server } of servers.splice(0)) {
    await runner.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

interface Call {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as is; objects are JSON-encoded. */
  body?: unknown;
  /** Sent in chunks with no Content-Length. */
  chunked?: boolean;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  json: Record<string, unknown>;
}

/** A raw request (node:http, so Host and Origin are ours to set, as an attacker's would be). */
function call(port: number, path: string, options: Call = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const request = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text);
        } catch {
          json = { text };
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, json });
      });
    });
    request.on('error', reject);
    if (body !== undefined && options.chunked) {
      const size = 64 * 1024;
      for (let index = 0; index < body.length; index += size) request.write(body.slice(index, index + size));
      request.end();
    } else {
      request.end(body);
    }
  });
}

/** What the served page sends: the right Host, Origin, token and content type. */
function pageHeaders(running: Running, extra: Record<string, string> = {}): Record<string, string> {
  return { Host: running.host, Origin: running.origin, 'Content-Type': 'application/json', [tokenHeader]: running.runner.token, 'Sec-Fetch-Site': 'same-origin', ...extra };
}

const post = (running: Running, path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(running.port, path, { method: 'POST', headers: pageHeaders(running, headers), body });

const goodCheck = { exerciseId: 'design-schema', files: { 'schema.sql': 'create table books (id int primary key);' } };

describe('GET /api/runner', () => {
  it('tells the page it is served by the course server and hands it the token', async () => {
    const running = await startServer({ engine: spyEngine().engine });
    const answer = await call(running.port, '/api/runner', { headers: { Host: running.host, 'Sec-Fetch-Site': 'same-origin' } });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ runner: 'local', token: running.runner.token, version: '9.9.9' });
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('answers as localhost too, on a loopback connection', async () => {
    const running = await startServer({ engine: spyEngine().engine });
    const answer = await call(running.port, '/api/runner', { headers: { Host: `localhost:${running.port}` } });
    expect(answer.status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding), so the token never leaks to another site', async () => {
    const running = await startServer({ engine: spyEngine().engine });
    for (const host of [`evil.example:${running.port}`, 'evil.example', `127.0.0.1:${running.port + 1}`, `127.0.0.1`, `localhost.evil.example:${running.port}`]) {
      const answer = await call(running.port, '/api/runner', { headers: { Host: host } });
      expect(answer.status, host).toBe(403);
      expect(answer.json.code).toBe('wrong-host');
      expect(JSON.stringify(answer.json)).not.toContain(running.runner.token);
    }
  });

  it('accepts a name the server was started with (--host)', async () => {
    const running = await startServer({ engine: spyEngine().engine, hostNames: ['shelf.test'] });
    expect((await call(running.port, '/api/runner', { headers: { Host: `shelf.test:${running.port}` } })).status).toBe(200);
    expect((await call(running.port, '/api/runner', { headers: { Host: `other.test:${running.port}` } })).status).toBe(403);
  });

  it('refuses a request the browser marks as cross-site', async () => {
    const running = await startServer({ engine: spyEngine().engine });
    for (const site of ['cross-site', 'same-site']) {
      const answer = await call(running.port, '/api/runner', { headers: { Host: running.host, 'Sec-Fetch-Site': site } });
      expect(answer.status).toBe(403);
      expect(answer.json.code).toBe('cross-site');
    }
  });
});

describe('refusals run no code', () => {
  it('refuses a wrong Host even with a valid token and origin', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine });
    const answer = await post(running, '/api/check', goodCheck, { Host: `attacker.example:${running.port}`, Origin: `http://attacker.example:${running.port}` });
    expect(answer.status).toBe(403);
    expect(answer.json.code).toBe('wrong-host');
    expect(codeRan()).toBe(0);
    expect(engine.manifest).not.toHaveBeenCalled();
  });

  it('refuses a POST without the token, or with a wrong one', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine });
    const missing = { ...pageHeaders(running) };
    delete missing[tokenHeader];
    const without = await call(running.port, '/api/check', { method: 'POST', headers: missing, body: goodCheck });
    expect(without.status).toBe(403);
    expect(without.json.code).toBe('bad-token');
    const wrong = await post(running, '/api/check', goodCheck, { [tokenHeader]: 'secret-token-of-this-start-0123456780' });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toMatch(/Reload the page/);
    expect(codeRan()).toBe(0);
  });

  it('refuses a POST whose Origin is missing or another site', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine });
    const noOrigin = { ...pageHeaders(running) };
    delete noOrigin.Origin;
    expect((await call(running.port, '/api/check', { method: 'POST', headers: noOrigin, body: goodCheck })).json.code).toBe('bad-origin');
    for (const origin of ['http://evil.example', `http://localhost:${running.port}`, `https://127.0.0.1:${running.port}`, 'null']) {
      const answer = await post(running, '/api/check', goodCheck, { Origin: origin });
      expect(answer.status, origin).toBe(403);
      expect(answer.json.code).toBe('bad-origin');
    }
    expect(codeRan()).toBe(0);
  });

  it('refuses a body that is not JSON by its type (a form post from another page)', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine });
    const answer = await post(running, '/api/check', goodCheck, { 'Content-Type': 'text/plain' });
    expect(answer.status).toBe(415);
    expect(codeRan()).toBe(0);
  });

  it('refuses a body over the limit, declared or streamed (413)', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine, maxBodyBytes: 100 * 1024 });
    const big = { exerciseId: 'design-schema', files: { 'schema.sql': 'x'.repeat(200 * 1024) } };
    const declared = await post(running, '/api/check', big);
    expect(declared.status).toBe(413);
    expect(declared.json.code).toBe('too-large');
    const streamed = await call(running.port, '/api/check', { method: 'POST', headers: pageHeaders(running), body: big, chunked: true });
    expect(streamed.status).toBe(413);
    expect(codeRan()).toBe(0);
  });

  it('refuses a body that is not valid JSON', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine });
    const answer = await post(running, '/api/check', '{"exerciseId": "design-schema", "files": {');
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('bad-json');
    expect(codeRan()).toBe(0);
  });

  it('refuses a body the schema does not accept, and says which field', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine });
    const cases: [unknown, RegExp][] = [
      [{ exerciseId: 'design-schema' }, /files/],
      [{ ...goodCheck, extra: true }, /extra/],
      [{ exerciseId: '../etc', files: {} }, /exerciseId: must be an exercise id/],
      [{ exerciseId: 'design-schema', files: { 'schema.sql': 42 } }, /files\.schema\.sql/],
      [[goodCheck], /the body/],
    ];
    for (const [body, message] of cases) {
      const answer = await post(running, '/api/check', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.code).toBe('invalid-body');
      expect(answer.json.error).toMatch(message);
    }
    expect(codeRan()).toBe(0);
  });

  it('refuses file paths that leave the folder or that the exercise does not accept', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine });
    const cases: [string, string, RegExp][] = [
      ['design-schema', '../schema.sql', /climbs out/],
      ['design-schema', 'sub/../../schema.sql', /climbs out/],
      ['design-schema', '/etc/passwd', /absolute/],
      ['design-schema', 'C:/schema.sql', /absolute/],
      ['design-schema', 'sub\\schema.sql', /backslash/],
      ['design-schema', 'schema.sql\u0000.txt', /NUL/],
      ['design-schema', 'schema\n.sql', /control character/],
      ['design-schema', 'notes.txt', /not a file this exercise accepts/],
      // A read-only file always comes from the exercise: sending one is refused, not ignored.
      ['test-late-fees', 'src/late-fee.js', /not a file this exercise accepts/],
    ];
    for (const [exerciseId, path, message] of cases) {
      const answer = await post(running, '/api/check', { exerciseId, files: { [path]: 'text' } });
      expect(answer.status, path).toBe(400);
      expect(answer.json.code).toBe('bad-path');
      expect(answer.json.error).toMatch(message);
    }
    const twice = await post(running, '/api/check', { exerciseId: 'design-schema', files: { 'schema.sql': 'a', './schema.sql': 'b' } });
    expect(twice.json.error).toMatch(/twice/);
    expect(codeRan()).toBe(0);
  });

  it('answers an unknown exercise with 404', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine });
    const answer = await post(running, '/api/check', { exerciseId: 'no-such-exercise', files: {} });
    expect(answer.status).toBe(404);
    expect(answer.json.code).toBe('unknown-exercise');
    expect(codeRan()).toBe(0);
  });

  it('answers unknown endpoints and wrong methods in JSON', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine });
    const unknown = await call(running.port, '/api/nothing', { headers: { Host: running.host } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/application\/json/);
    const wrongMethod = await call(running.port, '/api/check', { method: 'GET', headers: pageHeaders(running) });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    // A CORS preflight gets no CORS headers, so a browser never lets another origin through.
    const preflight = await call(running.port, '/api/check', { method: 'OPTIONS', headers: { Host: running.host, Origin: 'http://evil.example' } });
    expect(preflight.status).toBe(405);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(codeRan()).toBe(0);
  });

  it('leaves every other path to the site', async () => {
    const running = await startServer({ engine: spyEngine().engine });
    const page = await call(running.port, '/exercises/design-schema/', { headers: { Host: running.host } });
    expect(page.json.text).toBe('a page');
  });

  it('guards the panel endpoints the same way', async () => {
    const { engine, codeRan } = spyEngine();
    const running = await startServer({ engine });
    const noToken = await call(running.port, '/api/app/output?session=00000000-0000-4000-8000-000000000000', { headers: { Host: running.host } });
    expect(noToken.status).toBe(403);
    const start = await post(running, '/api/app/start', { exerciseId: 'build-api', files: { 'src/../../x.js': '' } });
    expect(start.json.code).toBe('bad-path');
    const notApp = await post(running, '/api/app/start', goodCheck);
    expect(notApp.json.code).toBe('not-an-app');
    const badRequest = await post(running, '/api/app/request', { session: '00000000-0000-4000-8000-000000000000', method: 'GET', path: 'no-slash' });
    expect(badRequest.json.error).toMatch(/path: must start with "\/"/);
    const badHeader = await post(running, '/api/app/request', { session: '00000000-0000-4000-8000-000000000000', method: 'GET', path: '/', headers: { 'X-A': 'line\r\nInjected: yes' } });
    expect(badHeader.json.code).toBe('invalid-body');
    expect(codeRan()).toBe(0);
  });
});

describe('POST /api/check', () => {
  it('grades through the engine with normalised paths and returns the report', async () => {
    const { engine } = spyEngine();
    const running = await startServer({ engine });
    const answer = await post(running, '/api/check', { exerciseId: 'build-api', files: { './src//server.js': 'a', 'src/./routes/books.js': 'b', 'package.json': '{}' } });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(fakeReport('build-api'));
    const [id, files] = engine.grade.mock.calls[0] ?? [];
    expect(id).toBe('build-api');
    expect([...(files?.keys() ?? [])].sort()).toEqual(['package.json', 'src/routes/books.js', 'src/server.js']);
  });

  it('refuses grades past the concurrency limit with 429 and Retry-After', async () => {
    const { engine } = spyEngine();
    let release = () => {};
    engine.grade.mockImplementationOnce(async (id) => {
      await new Promise<void>((resolve) => (release = resolve));
      return fakeReport(id);
    });
    const running = await startServer({ engine, maxConcurrentGrades: 1 });
    const first = post(running, '/api/check', goodCheck);
    await vi.waitFor(() => expect(engine.grade).toHaveBeenCalledTimes(1));
    const second = await post(running, '/api/check', goodCheck);
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('2');
    expect(engine.grade).toHaveBeenCalledTimes(1);
    release();
    expect((await first).status).toBe(200);
    expect((await post(running, '/api/check', goodCheck)).status).toBe(200);
  });

  it('aborts the grade when the browser cancels the request', async () => {
    const { engine } = spyEngine();
    let seen: AbortSignal | undefined;
    engine.grade.mockImplementationOnce((_id, _files, signal) => {
      seen = signal;
      return new Promise<Report>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const running = await startServer({ engine });
    const request = http.request({ host: '127.0.0.1', port: running.port, path: '/api/check', method: 'POST', headers: pageHeaders(running) });
    request.on('error', () => undefined);
    request.end(JSON.stringify(goodCheck));
    await vi.waitFor(() => expect(seen).toBeDefined());
    expect(seen?.aborted).toBe(false);
    request.destroy();
    await vi.waitFor(() => expect(seen?.aborted).toBe(true));
    // The slot is free again.
    expect((await post(running, '/api/check', goodCheck)).status).toBe(200);
  });

  it('answers an engine failure with a JSON 500, not a hang', async () => {
    const { engine } = spyEngine();
    engine.grade.mockRejectedValueOnce(new Error('disk on fire'));
    const running = await startServer({ engine });
    vi.spyOn(console, 'error').mockImplementationOnce(() => undefined);
    const answer = await post(running, '/api/check', goodCheck);
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({ code: 'internal', error: 'The course server failed: disk on fire' });
  });
});

describe('the request panel endpoints', () => {
  const apiFiles = { exerciseId: 'build-api', files: { 'src/server.js': 'listen()', 'package.json': '{}' } };

  it('starts a server, forwards a request, shows output and stops it', async () => {
    const { engine, apps } = spyEngine();
    const running = await startServer({ engine });
    const start = await post(running, '/api/app/start', apiFiles);
    expect(start.status).toBe(200);
    const session = start.json.session as string;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    const answer = await post(running, '/api/app/request', { session, method: 'POST', path: '/books?x=1', headers: { 'Content-Type': 'application/json' }, body: '{"title":"Dune"}' });
    expect(answer.status).toBe(200);
    expect(answer.json.status).toBe(201);
    expect(apps[0]?.request).toHaveBeenCalledWith({ method: 'POST', path: '/books?x=1', headers: { 'Content-Type': 'application/json' }, body: '{"title":"Dune"}' }, expect.any(AbortSignal));
    const output = await call(running.port, `/api/app/output?session=${session}`, { headers: pageHeaders(running) });
    expect(output.json).toEqual({ text: 'listening\n', running: true, exitCode: null });
    const stop = await post(running, '/api/app/stop', { session });
    expect(stop.json).toEqual({ stopped: true });
    expect(apps[0]?.stopped).toBe(true);
    expect(running.runner.sessionCount()).toBe(0);
    const gone = await post(running, '/api/app/request', { session, method: 'GET', path: '/' });
    expect(gone.status).toBe(404);
    expect(gone.json.code).toBe('unknown-session');
  });

  it('keeps one server per exercise: a new start stops the old one', async () => {
    const { engine, apps } = spyEngine();
    const running = await startServer({ engine });
    await post(running, '/api/app/start', apiFiles);
    await post(running, '/api/app/start', apiFiles);
    expect(apps).toHaveLength(2);
    expect(apps[0]?.stopped).toBe(true);
    expect(apps[1]?.stopped).toBe(false);
    expect(running.runner.sessionCount()).toBe(1);
  });

  it('limits how many servers run at once', async () => {
    const { engine } = spyEngine();
    const running = await startServer({ engine, maxApps: 0 });
    const answer = await post(running, '/api/app/start', apiFiles);
    expect(answer.status).toBe(429);
    expect(engine.startApp).not.toHaveBeenCalled();
  });

  it('stops a server after the idle time and says why in its output', async () => {
    const { engine, apps } = spyEngine();
    const running = await startServer({ engine, appIdleMs: 150 });
    const session = (await post(running, '/api/app/start', apiFiles)).json.session as string;
    await vi.waitFor(() => expect(apps[0]?.stopped).toBe(true), { timeout: 2000 });
    const output = await call(running.port, `/api/app/output?session=${session}`, { headers: pageHeaders(running) });
    expect(output.json.running).toBe(false);
    expect(output.json.text).toMatch(/Stopped after 0?\.?\d* ?s? ?.*without a request/);
    expect((await post(running, '/api/app/request', { session, method: 'GET', path: '/' })).status).toBe(409);
  });

  it('says why a server did not start, with what it printed', async () => {
    const { engine } = spyEngine();
    engine.startApp.mockRejectedValueOnce(new AppStartError('Your server stopped during start-up (exit code 1).', 'TypeError: boom'));
    const running = await startServer({ engine });
    const answer = await post(running, '/api/app/start', apiFiles);
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ code: 'app-failed', error: 'Your server stopped during start-up (exit code 1).', output: 'TypeError: boom' });
    expect(running.runner.sessionCount()).toBe(0);
  });

  it('turns an unreachable server into a 502 with the reason', async () => {
    const { engine, apps } = spyEngine();
    const running = await startServer({ engine });
    const session = (await post(running, '/api/app/start', apiFiles)).json.session as string;
    vi.mocked(apps[0]!.request).mockRejectedValueOnce(new AppUnreachableError('Your server did not answer within 10 s.'));
    const answer = await post(running, '/api/app/request', { session, method: 'GET', path: '/slow' });
    expect(answer.status).toBe(502);
    expect(answer.json.error).toBe('Your server did not answer within 10 s.');
  });

  it('stops every server and releases the engine on close, then refuses new work', async () => {
    const { engine, apps } = spyEngine();
    const running = await startServer({ engine });
    await post(running, '/api/app/start', apiFiles);
    await running.runner.close();
    expect(apps[0]?.stopped).toBe(true);
    expect(engine.dispose).toHaveBeenCalled();
    expect((await post(running, '/api/check', goodCheck)).status).toBe(503);
  });
});

/** The real engine behind the endpoint: the CLI's grade, warm between requests. */
describe('with the real engine', () => {
  let running: Running;
  beforeAll(async () => {
    running = await startServer({});
    servers.splice(servers.indexOf(running), 1);
  });
  afterAll(async () => {
    await running.runner.close();
    running.server.closeAllConnections();
    await new Promise((resolve) => running.server.close(resolve));
  });

  it('grades write-dockerfile through the endpoint exactly as the engine does', async () => {
    const { gradeSubmission } = await import('../../graders/core/grade.ts');
    const { loadExercise, readSolution, readStarter } = await import('../../graders/core/exercises.ts');
    const exercise = loadExercise('write-dockerfile');
    const submittable = (files: Map<string, string>) => Object.fromEntries([...files].filter(([path]) => exercise.manifest.files.editable.includes(path)));
    const solution = { ...submittable(readStarter(exercise)), ...submittable(readSolution(exercise)) };
    const answer = await post(running, '/api/check', { exerciseId: 'write-dockerfile', files: solution });
    expect(answer.status).toBe(200);
    expect(answer.json.status).toBe('pass');
    const direct = await gradeSubmission('write-dockerfile', new Map(Object.entries(solution)));
    expect((answer.json.checks as { id: string; status: string }[]).map((check) => [check.id, check.status])).toEqual(direct.checks.map((check) => [check.id, check.status]));
    const starter = await post(running, '/api/check', { exerciseId: 'write-dockerfile', files: submittable(readStarter(exercise)) });
    expect(starter.json.status).not.toBe('pass');
    expect((starter.json.checks as { hint?: string }[]).some((check) => check.hint)).toBe(true);
  });

  it('runs the learner server of build-api for the panel, and leaves no process behind', async () => {
    const { loadExercise, readSolution, readStarter } = await import('../../graders/core/exercises.ts');
    const { leftoverProcesses } = await import('../../graders/core/sandbox.ts');
    const exercise = loadExercise('build-api');
    const files = Object.fromEntries([...readStarter(exercise), ...readSolution(exercise)].filter(([path]) => !exercise.manifest.files.readonly.includes(path)));
    const start = await post(running, '/api/app/start', { exerciseId: 'build-api', files });
    expect(start.status, JSON.stringify(start.json)).toBe(200);
    const session = start.json.session as string;
    const created = await post(running, '/api/app/request', { session, method: 'POST', path: '/books', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: 'Dune', author: 'Frank Herbert', isbn: '9780441013593', copies: 2 }) });
    expect(created.status).toBe(200);
    expect(created.json.status).toBeGreaterThanOrEqual(200);
    expect(created.json.status).toBeLessThan(500);
    const health = await post(running, '/api/app/request', { session, method: 'GET', path: '/health' });
    expect(health.json.status).toBe(200);
    expect(typeof health.json.durationMs).toBe('number');
    const output = await call(running.port, `/api/app/output?session=${session}`, { headers: pageHeaders(running) });
    expect(output.json.running).toBe(true);
    expect(output.json.text).toMatch(/listening/i);
    await post(running, '/api/app/stop', { session });
    expect(leftoverProcesses()).toEqual([]);
  });

  it('leaves no learner server behind when the course server process crashes', async () => {
    const { mkdtempSync, readFileSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { pathToFileURL } = await import('node:url');
    const { spawnSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'bw-crash-'));
    const module = (path: string) => JSON.stringify(pathToFileURL(join(process.cwd(), path)).href);
    // A stand-in for server/serve.mjs: the same exit hook, an app session, then an uncaught error.
    writeFileSync(
      join(dir, 'crash.ts'),
      `import { createEngine, killLeftoverProcesses } from ${module('src/server/runner-engine.ts')};
import { leftoverProcesses } from ${module('graders/core/sandbox.ts')};
import { loadExercise, readSolution, readStarter } from ${module('graders/core/exercises.ts')};
process.on('exit', killLeftoverProcesses);
const exercise = loadExercise('build-api');
await createEngine().startApp('build-api', new Map([...readStarter(exercise), ...readSolution(exercise)]), new AbortController().signal);
console.log(JSON.stringify(leftoverProcesses()));
throw new Error('the course server crashed');
`,
    );
    try {
      const crashed = spawnSync(process.execPath, [join(dir, 'crash.ts')], { encoding: 'utf8', timeout: 30_000 });
      expect(crashed.stderr).toContain('the course server crashed');
      const pids = JSON.parse(crashed.stdout.trim().split('\n').at(-1) ?? '[]') as number[];
      expect(pids.length).toBeGreaterThan(0);
      // Dead means gone from /proc or a zombie waiting to be reaped (no init reaps at once in a container).
      const running = (pid: number) => {
        try {
          return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
        } catch {
          return false;
        }
      };
      await vi.waitFor(() => expect(pids.filter(running)).toEqual([]), { timeout: 5000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a server that crashes at start-up with its own words', async () => {
    const start = await post(running, '/api/app/start', {
      exerciseId: 'build-api',
      files: { 'package.json': '{"type":"module","scripts":{"start":"node src/server.js"}}', 'src/server.js': 'throw new TypeError("no books here");' },
    });
    expect(start.status).toBe(422);
    expect(start.json.code).toBe('app-failed');
    expect(start.json.output).toMatch(/no books here/);
  });
});
