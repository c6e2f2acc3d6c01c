import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CheckSpec, SubmissionError, toResult } from '../../graders/core/checks.ts';
import type { GradeOutcome, LoadedExercise } from '../../graders/core/grader.ts';
import { livePidsInGroup } from '../../graders/core/sandbox.ts';
import { Reply, renderReply, toCurl } from '../../graders/http-api/http.ts';
import { type ProbeSession, type SentRequest, type ServerInfo, httpApi, probe } from '../../graders/http-api/index.ts';

/**
 * The http-api kind on its own, with small servers written for each situation: readiness, the
 * per-request timeout, the faults that make a run an error, curl rendering, seed replay, and that
 * nothing is left behind (process group and run folder) whatever happened.
 */

const exercise = { id: 'http-api-unit', dir: '/nonexistent', manifest: {} } as unknown as LoadedExercise;

const packageJson = JSON.stringify({ name: 'unit', type: 'module', scripts: { start: 'node src/server.js' } });

function workspace(server: string, extra: Record<string, string> = {}): Map<string, string> {
  return new Map([['package.json', packageJson], ['src/server.js', server], ...Object.entries(extra)]);
}

/** A node:http server with /health, /echo (POST, echoes the JSON body) and whatever `routes` adds. */
function nodeServer(options: { routes?: string; listen?: string; before?: string } = {}): string {
  return `
import { createServer } from 'node:http';
${options.before ?? ''}
const server = createServer(async (req, res) => {
  const json = (status, body) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
  if (req.url === '/health') return json(200, { status: 'ok' });
  if (req.url === '/echo' && req.method === 'POST') {
    let text = '';
    for await (const chunk of req) text += chunk;
    return json(200, JSON.parse(text));
  }
  ${options.routes ?? ''}
  json(404, { error: { message: 'no route' } });
});
${options.listen ?? 'server.listen(Number(process.env.PORT), process.env.HOST);'}
`;
}

const checks: CheckSpec<ProbeSession>[] = [
  probe({ id: 'health', title: 'GET /health answers', points: 1, hint: 'health hint' }, async ({ request }) => {
    await request('GET /health').expectStatus(200).expectJson().expectField('status', 'ok');
  }),
  probe({ id: 'echo', title: 'POST /echo echoes', points: 1, hint: 'echo hint' }, async ({ request, random }) => {
    const body = { word: random.word(), number: random.int(1, 1_000_000) };
    await request('POST /echo', { json: body }).expectStatus(200).expectJson().expectField('word', body.word).expectField('number', body.number);
  }),
  probe({ id: 'slow', title: 'GET /slow answers', points: 1, hint: 'slow hint' }, async ({ request }) => {
    await request('GET /slow').expectStatus(200);
  }),
  probe({ id: 'after', title: 'GET /health still answers', points: 1, hint: 'after hint' }, async ({ request }) => {
    await request('GET /health').expectStatus(200);
  }),
];

interface Run {
  outcome?: GradeOutcome;
  error?: unknown;
  started?: ServerInfo;
  requests: { check: string; request: SentRequest }[];
  ms: number;
}

interface GradeOptions {
  seed?: number;
  signal?: AbortSignal;
  readyMs?: number;
  specs?: CheckSpec<ProbeSession>[];
  onRequest?: (request: SentRequest) => void;
}

async function grade(files: Map<string, string>, options: GradeOptions = {}): Promise<Run> {
  const run: Run = { requests: [], ms: 0 };
  const grader = httpApi({
    version: 'test',
    readyPath: '/health',
    checks: options.specs ?? checks,
    limits: { readyMs: options.readyMs ?? 3_000, requestMs: 400 },
    observe: {
      started: (info) => (run.started = info),
      request: (request, check) => {
        run.requests.push({ check, request });
        options.onRequest?.(request);
      },
    },
  });
  const started = performance.now();
  try {
    run.outcome = await grader.grade({ exercise, files, seed: options.seed ?? 42, signal: options.signal ?? new AbortController().signal });
  } catch (error) {
    run.error = error;
  }
  run.ms = performance.now() - started;
  return run;
}

function statuses(run: Run): Record<string, string> {
  return Object.fromEntries((run.outcome?.checks ?? []).map((check) => [check.id, check.status]));
}

function submissionError(run: Run): SubmissionError {
  expect(run.error, `expected a SubmissionError, got ${JSON.stringify(run.outcome?.checks)}`).toBeInstanceOf(SubmissionError);
  return run.error as SubmissionError;
}

/** Nothing of the run is left: no live process in its group, no run folder. */
function expectCleanedUp(run: Run): void {
  expect(run.started, 'the server was started').toBeDefined();
  const { pid, dir } = run.started as ServerInfo;
  expect(livePidsInGroup(pid)).toEqual([]);
  expect(existsSync(dir)).toBe(false);
}

describe('http-api: a server that works', () => {
  it('passes every probe, reports the seed as used, and leaves nothing behind', async () => {
    const run = await grade(workspace(nodeServer({ routes: `if (req.url === '/slow') return json(200, {});` })));
    expect(statuses(run)).toEqual({ health: 'pass', echo: 'pass', slow: 'pass', after: 'pass' });
    expect(run.outcome?.usedSeed).toBe(true);
    expect(run.outcome?.summary).toMatch(/4 of 4 probes passed/);
    expectCleanedUp(run);
  });

  it('waits for a server that takes its time to listen', async () => {
    const late = nodeServer({ listen: 'setTimeout(() => server.listen(Number(process.env.PORT), process.env.HOST), 600);' });
    const run = await grade(workspace(late), { specs: checks.slice(0, 2) });
    expect(statuses(run)).toEqual({ health: 'pass', echo: 'pass' });
    expect(run.ms).toBeGreaterThan(600);
    expectCleanedUp(run);
  });

  it('finds a server that listens on ::1 only (what `localhost` may mean)', async () => {
    const run = await grade(workspace(nodeServer({ listen: `server.listen(Number(process.env.PORT), '::1');` })), { specs: checks.slice(0, 2) });
    expect(statuses(run)).toEqual({ health: 'pass', echo: 'pass' });
    expectCleanedUp(run);
  });

  it('runs a server written with a shipped framework (fastify), resolved from the course tree', async () => {
    const server = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.post('/echo', async (request) => request.body);
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST });
`;
    const run = await grade(workspace(server), { specs: checks.slice(0, 2) });
    expect(statuses(run)).toEqual({ health: 'pass', echo: 'pass' });
    expectCleanedUp(run);
  });
});

describe('http-api: a handler that misbehaves once the server answers', () => {
  it('gives a hung handler status timeout after the request limit, and the other probes go on', async () => {
    const run = await grade(workspace(nodeServer({ routes: `if (req.url === '/slow') return;` })));
    expect(statuses(run)).toEqual({ health: 'pass', echo: 'pass', slow: 'timeout', after: 'pass' });
    const slow = run.outcome?.checks.find((check) => check.id === 'slow');
    expect(slow?.message).toMatch(/No complete answer within 400 ms/);
    expect(slow?.message).toContain('curl -i http://localhost:3000/slow');
    expect(slow?.hint).toBe('slow hint');
    expect(run.ms).toBeLessThan(3_000);
    expectCleanedUp(run);
  });

  it('fails the later probes at once when an endless loop blocks the whole server', async () => {
    const run = await grade(workspace(nodeServer({ routes: `if (req.url === '/slow') for (;;) {}` })));
    expect(statuses(run)).toEqual({ health: 'pass', echo: 'pass', slow: 'timeout', after: 'fail' });
    expect(run.outcome?.checks.find((check) => check.id === 'after')?.message).toMatch(/stopped answering anything/);
    expectCleanedUp(run);
  });

  it('fails the current and remaining probes with a clear message when the server dies mid-run', async () => {
    const run = await grade(workspace(nodeServer({ routes: `if (req.url === '/slow') { console.error('giving up'); process.exit(3); }` })));
    expect(statuses(run)).toEqual({ health: 'pass', echo: 'pass', slow: 'fail', after: 'fail' });
    const [slow, after] = ['slow', 'after'].map((id) => run.outcome?.checks.find((check) => check.id === id));
    expect(slow?.message).toMatch(/exited \(exit code 3\) while it handled this request/);
    expect(slow?.output).toContain('giving up');
    expect(after?.message).toMatch(/^Not checked: the server exited/);
    expectCleanedUp(run);
  });

  it('shows the reply of a failed expectation, and what the server printed for a 5xx', async () => {
    const run = await grade(workspace(nodeServer({ routes: `if (req.url === '/slow') { console.error('TypeError: books is not iterable'); res.writeHead(500); return res.end('oops'); }` })));
    const slow = run.outcome?.checks.find((check) => check.id === 'slow');
    expect(slow?.status).toBe('fail');
    expect(slow?.message).toMatch(/^Expected 200 OK, got 500 Internal Server Error\.\nRequest: curl -i/);
    expect(slow?.output).toMatch(/^HTTP 500 Internal Server Error\n\nYour server printed:\nTypeError: books is not iterable/);
    expectCleanedUp(run);
  });
});

describe('http-api: a server that cannot be judged', () => {
  it('reports a crash at start-up with its stderr and the line that threw', async () => {
    const run = await grade(workspace(`const books = [];\nthrow new Error('no database configured');\n`));
    const error = submissionError(run);
    expect(error.reason).toBe('crash');
    expect(error.details.output).toContain('no database configured');
    expect(error.details.location).toEqual({ file: 'src/server.js', line: 2, column: 7 });
    expect(run.ms).toBeLessThan(2_000);
    expectCleanedUp(run);
  });

  it('reports a syntax error with its file and line', async () => {
    const run = await grade(workspace(`const a = 1;\nconst b = {;\n`));
    const error = submissionError(run);
    expect(error.reason).toBe('syntax');
    expect(error.details.location).toEqual({ file: 'src/server.js', line: 2 });
    expectCleanedUp(run);
  });

  it('names a package the course does not ship (and does not find the grader\'s own packages)', async () => {
    // zod is installed beside the grader, but not in the tree a learner's server resolves from.
    const run = await grade(workspace(`import { z } from 'zod';\n`));
    const error = submissionError(run);
    expect(error.reason).toBe('crash');
    expect(error.message).toMatch(/imports the package `zod`, which the course does not provide/);
    expect(error.message).toContain('`express`, `hono`, `@hono/node-server`, `fastify`');
    expectCleanedUp(run);
  });

  it('names a missing file of the submission', async () => {
    const run = await grade(workspace(`import './store.js';\n`));
    expect(submissionError(run).message).toMatch(/needs `src\/store\.js`, which is not in your submission/);
    expectCleanedUp(run);
  });

  it('stops a server that never answers after the ready limit, with its output and a hint about PORT', async () => {
    const run = await grade(workspace(`console.log('listening on 3000 (not really)');\nsetInterval(() => {}, 1000);\n`), { readyMs: 800 });
    const error = submissionError(run);
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(/did not answer on port \d+ within 0\.8 s/);
    expect(error.message).toContain('listen(process.env.PORT)');
    expect(error.details.output).toContain('listening on 3000 (not really)');
    expect(run.ms).toBeGreaterThan(800);
    expect(run.ms).toBeLessThan(3_000);
    expectCleanedUp(run);
  });

  it('says when a server accepts connections but never answers the readiness request', async () => {
    const run = await grade(workspace(nodeServer({ before: '', routes: '' }).replace("if (req.url === '/health') return json(200, { status: 'ok' });", 'return;')), { readyMs: 800 });
    const error = submissionError(run);
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(/accepted connections .* but did not answer `GET \/health`/);
    expectCleanedUp(run);
  });

  it('reports an output flood as output-limit and kills it', async () => {
    const flood = `for (;;) { process.stdout.write('x'.repeat(64 * 1024) + '\\n'); await new Promise((resolve) => setImmediate(resolve)); }\n`;
    const run = await grade(workspace(flood));
    const error = submissionError(run);
    expect(error.reason).toBe('output-limit');
    expect(error.details.output?.startsWith('xxxx')).toBe(true);
    expectCleanedUp(run);
  });

  it('reports an output flood that starts mid-run as output-limit for the whole run', async () => {
    // A debug log that dumps a big value on every tick once /slow was asked for.
    const routes = `if (req.url === '/slow') { setInterval(() => process.stdout.write('y'.repeat(64 * 1024)), 1); return setTimeout(() => json(200, {}), 300); }`;
    const run = await grade(workspace(nodeServer({ routes })));
    expect(submissionError(run).reason).toBe('output-limit');
    expectCleanedUp(run);
  });

  it('explains a start script that names a missing file or a command that is not there', async () => {
    const wrongFile = new Map([['package.json', JSON.stringify({ scripts: { start: 'node src/index.js' } })], ['src/server.js', nodeServer()]]);
    const missingFile = submissionError(await grade(wrongFile));
    expect(missingFile.reason).toBe('crash');
    expect(missingFile.message).toMatch(/needs `src\/index\.js`, which is not in your submission/);

    const nodemon = new Map([['package.json', JSON.stringify({ scripts: { start: 'nodemon src/server.js' } })], ['src/server.js', nodeServer()]]);
    const notThere = submissionError(await grade(nodemon));
    expect(notThere.reason).toBe('crash');
    expect(notThere.message).toMatch(/names a command that does not exist here/);
  });

  it('reads the start command from package.json, and explains a missing or broken one', async () => {
    const noStart = new Map([['package.json', '{"name": "x", "scripts": {}}'], ['src/server.js', '']]);
    const missing = await grade(noStart);
    expect(submissionError(missing).reason).toBe('crash');
    expect(submissionError(missing).message).toMatch(/no "start" script/);

    const broken = new Map([['package.json', '{\n  "name": "x",\n  "scripts": {\n    "start": "node src/server.js",\n  }\n}'], ['src/server.js', '']]);
    const error = submissionError(await grade(broken));
    expect(error.reason).toBe('syntax');
    expect(error.details.location).toEqual({ file: 'package.json', line: 5 });

    // npm runs `prestart` first; so does the grader.
    const prestart = JSON.stringify({ type: 'module', scripts: { prestart: 'echo preparing >&2', start: 'node src/server.js' } });
    const run = await grade(new Map([['package.json', prestart], ['src/server.js', nodeServer()]]), { specs: checks.slice(0, 1) });
    expect(statuses(run)).toEqual({ health: 'pass' });
  });

  it('stops the server and removes its folder when the grade is aborted', async () => {
    const controller = new AbortController();
    const files = workspace(nodeServer({ routes: `if (req.url === '/slow') return;` }));
    // Abort while the server holds a request that will never be answered.
    const onRequest = (request: SentRequest) => {
      if (request.path === '/slow') setTimeout(() => controller.abort(new Error('cancelled by the test')), 100);
    };
    const run = await grade(files, { signal: controller.signal, onRequest });
    expect(run.error).toBeInstanceOf(Error);
    expect(run.error).not.toBeInstanceOf(SubmissionError);
    expect((run.error as Error).message).toMatch(/stopped before it finished/);
    expectCleanedUp(run);
  });

  it('stops a server that is still starting when the grade is aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const run = await grade(workspace('setInterval(() => {}, 1000);\n'), { signal: controller.signal });
    expect(run.error).toBeInstanceOf(Error);
    expect(run.error).not.toBeInstanceOf(SubmissionError);
    expect(run.ms).toBeLessThan(1_500);
    expectCleanedUp(run);
  });
});

describe('http-api: probes', () => {
  it('replays the same requests for the same seed, and different ones for another seed', async () => {
    const files = workspace(nodeServer({ routes: `if (req.url === '/slow') return json(200, {});` }));
    const key = (run: Run) => run.requests.map(({ check, request }) => `${check} ${request.method} ${request.path} ${request.body ?? ''}`);
    const first = await grade(files, { seed: 1234 });
    const again = await grade(files, { seed: 1234 });
    const other = await grade(files, { seed: 4321 });
    expect(key(first).length).toBeGreaterThan(3);
    expect(key(again)).toEqual(key(first));
    expect(key(other)).not.toEqual(key(first));
  });

  it('treats a probe that is never awaited as a fault of the grader, not a pass', async () => {
    const careless = probe({ id: 'careless', title: 'forgets await', points: 1, hint: '' }, async ({ request }) => {
      request('GET /health').expectStatus(404);
    });
    const run = await grade(workspace(nodeServer()), { specs: [careless] });
    expect(statuses(run)).toEqual({ careless: 'error' });
    expect(run.outcome?.checks[0]?.message).toMatch(/never awaited/);
  });
});

describe('http-api: curl and replies as the learner sees them', () => {
  it('renders requests as commands to paste into a shell', () => {
    expect(toCurl({ method: 'GET', path: '/books?limit=2&offset=4', headers: {} })).toBe(`curl -i 'http://localhost:3000/books?limit=2&offset=4'`);
    expect(toCurl({ method: 'GET', path: '/health', headers: {} }, 'http://127.0.0.1:8080/')).toBe('curl -i http://127.0.0.1:8080/health');
    expect(toCurl({ method: 'POST', path: '/books', headers: { 'Content-Type': 'application/json' }, body: `{"title":"Lovers' Discourse"}` })).toBe(
      String.raw`curl -i http://localhost:3000/books -H 'Content-Type: application/json' -d '{"title":"Lovers'\'' Discourse"}'`,
    );
    expect(toCurl({ method: 'PATCH', path: '/books/7', headers: { 'Content-Type': 'application/json' }, body: '{"title":"x"}' })).toBe(
      `curl -i -X PATCH http://localhost:3000/books/7 -H 'Content-Type: application/json' -d '{"title":"x"}'`,
    );
    expect(toCurl({ method: 'DELETE', path: '/books/7', headers: {} })).toBe('curl -i -X DELETE http://localhost:3000/books/7');
    expect(toCurl({ method: 'POST', path: '/books', headers: {}, body: '@secret' })).toBe('curl -i http://localhost:3000/books --data-raw @secret');
  });

  it('renders a reply like `curl -i`, without the noise headers, and cuts it to 500 characters in the report', () => {
    const request: SentRequest = { method: 'GET', path: '/books', headers: {} };
    const reply = new Reply(request, { status: 404, statusText: 'Not Found', headers: { 'content-type': 'text/html', date: 'today', 'x-powered-by': 'Express' }, text: '<pre>Cannot GET /books</pre>' });
    expect(renderReply(reply)).toBe('HTTP 404 Not Found\ncontent-type: text/html\n\n<pre>Cannot GET /books</pre>');
    expect(() => reply.expectJson()).toThrow('Expected a JSON body with `Content-Type: application/json`, got `Content-Type: text/html`.');
    expect(() => reply.expectStatus([404, 405])).not.toThrow();
    expect(() => reply.expectStatus(200, 'the list exists')).toThrow('Expected 200 OK (the list exists), got 404 Not Found.');

    const long = new Reply(request, { status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, text: JSON.stringify({ items: 'z'.repeat(2_000) }) });
    let message = '';
    try {
      long.expectField('items', 'short');
    } catch (error) {
      message = (error as Error).message;
    }
    const result = toResult({ id: 'long', title: 'a long body', points: 1, hint: 'h' }, { status: 'fail', message, output: renderReply(long) });
    expect(result.output?.length).toBeLessThanOrEqual(500);
    expect(result.output).toMatch(/^HTTP 200 OK\ncontent-type: application\/json\n\n\{"items":"zzz/);
    expect(result.message).toMatch(/^Expected `items` to be "short", got "zzzz.*…\.$/);
  });
});
