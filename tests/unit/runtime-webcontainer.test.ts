import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../graders/core/report.ts';
import type { TreeIndex } from '../../src/runtime/container/protocol.ts';
import { AppStartError, type RunnerState, RunnerUnavailableError } from '../../src/runtime/runner.ts';
import { type WebContainerApi, WebContainerRunner, type WebContainerRunnerOptions, plainText } from '../../src/runtime/webcontainer.ts';
import { fake, fakeApi } from '../fakes/webcontainer-api.ts';
import { type FakeGrade, echoShell, gradingService, learnerServer } from '../fakes/webcontainer-programs.ts';

/**
 * The WebContainer runner against the fake of @webcontainer/api (tests/fakes). A real boot needs
 * StackBlitz's servers, which this machine cannot reach; see the runtime-webcontainer-tree test
 * for the prebuilt tree itself, run by a real Node.
 */

const wasm = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0xff, 0xfe]);
const encode = (text: string) => new TextEncoder().encode(text);

/** A small tree with the real one's layout (grader/...), one binary file among the text ones. */
const graderZip = zipSync({
  'package.json': encode('{"name":"backend-workflow","type":"module"}'),
  'lib/src/runtime/container/service-main.js': encode('// the service'),
  'node_modules/@electric-sql/pglite/dist/pglite.wasm': wasm,
  'exercises/write-dockerfile/exercise.yaml': encode('title: Write the Dockerfile'),
  'exercises/write-dockerfile/starter/package.json': encode('{"name":"shelf"}'),
  'exercises/build-api/exercise.yaml': encode('title: Build the API'),
  'exercises/build-api/starter/README.md': encode('# Given with the exercise'),
});
const appZip = zipSync({ 'node_modules/express/package.json': encode('{"name":"express"}'), 'node_modules/express/index.js': encode('module.exports = {}') });

const index: TreeIndex = {
  version: 1,
  packageVersion: '0.1.0',
  grader: { file: 'grader-abc.zip', bytes: graderZip.length },
  app: { file: 'app-packages-def.zip', bytes: appZip.length },
  target: 'node18',
  exercises: {
    'write-dockerfile': { kind: 'dockerfile', checks: true, readonly: ['package.json'] },
    'build-api': { kind: 'http-api', checks: false, readonly: ['README.md'], why: 'Checking an API starts your server under limits.' },
  },
};

const fetched: string[] = [];
function fakeFetch(overrides: Record<string, Response | (() => Response)> = {}): typeof fetch {
  return async (input) => {
    const url = String(input);
    fetched.push(url);
    const name = url.slice(url.lastIndexOf('/') + 1);
    const override = overrides[name];
    if (override) return typeof override === 'function' ? override() : override;
    if (name === 'index.json') return Response.json(index);
    if (name === index.grader.file) return new Response(graderZip);
    if (name === index.app?.file) return new Response(appZip);
    return new Response('not found', { status: 404 });
  };
}

function report(exerciseId: string, files: ReadonlyMap<string, string>): Report {
  return {
    version: 1,
    exercise: exerciseId,
    status: files.get('Dockerfile')?.includes('USER node') ? 'pass' : 'fail',
    checks: [
      files.get('Dockerfile')?.includes('USER node')
        ? { id: 'non-root', title: 'Runs as a non-root user', status: 'pass', points: 2, maxPoints: 2 }
        : { id: 'non-root', title: 'Runs as a non-root user', status: 'fail', points: 0, maxPoints: 2, message: 'The container runs as root.', hint: 'Look at USER.' },
    ],
    score: files.get('Dockerfile')?.includes('USER node') ? 2 : 0,
    maxScore: 2,
    durationMs: 5,
    graderVersion: 'dockerfile@1.0.0',
  };
}

let grade: ReturnType<typeof vi.fn<FakeGrade>>;
const runners: WebContainerRunner[] = [];

function makeRunner(options: WebContainerRunnerOptions = {}): { runner: WebContainerRunner; states: RunnerState[] } {
  const runner = new WebContainerRunner({
    treeUrl: 'https://course.example/webcontainer/',
    loadApi: async () => fakeApi as unknown as WebContainerApi,
    fetch: fakeFetch(),
    pollMs: 5,
    ...options,
  });
  const states: RunnerState[] = [];
  runner.subscribe((state) => states.push(state));
  runners.push(runner);
  return { runner, states };
}

beforeEach(() => {
  fake.reset();
  fetched.length = 0;
  grade = vi.fn<FakeGrade>(async (exerciseId, files) => report(exerciseId, files));
  fake.programs.set('node', gradingService((...args) => grade(...args)));
  fake.programs.set('npm', learnerServer(async (request) => ({ status: request.path === '/health' ? 200 : 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: request.path, method: request.method, body: request.body ?? null }) })));
  fake.programs.set('jsh', echoShell);
});

afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.dispose();
});

describe('checks in a WebContainer', () => {
  it('boots, mounts the prebuilt tree, starts the grading service and returns its report, with visible stages', async () => {
    const { runner, states } = makeRunner();
    expect(runner.state()).toEqual({ phase: 'idle' });
    const result = await runner.check('write-dockerfile', { Dockerfile: 'FROM node:22\nUSER node\n' });
    expect(result.status).toBe('pass');
    expect(result.checks[0]?.id).toBe('non-root');
    expect(grade).toHaveBeenCalledTimes(1);
    expect(Object.fromEntries(grade.mock.calls[0]![1])).toEqual({ Dockerfile: 'FROM node:22\nUSER node\n' });

    const steps = states.map((state) => (state.phase === 'starting' ? state.step : state.phase));
    expect([...new Set(steps)]).toEqual(['booting Node.js in your browser', 'loading the grader', 'mounting files', 'starting the grader', 'ready']);
    const loading = states.filter((state) => state.phase === 'starting' && state.step === 'loading the grader').map((state) => state.phase === 'starting' && state.detail);
    expect(loading.at(-1)).toMatch(/of 0\.0 MB$/);
    expect(runner.state()).toEqual({ phase: 'ready' });

    expect(fake.bootOptions).toEqual([{ coep: 'require-corp', workdirName: 'shelf' }]);
    // The service runs the prebuilt entry from the grader folder; nothing was installed.
    expect(fake.spawns.map((spawn) => [spawn.command, ...spawn.args, spawn.options?.cwd])).toEqual([['node', 'lib/src/runtime/container/service-main.js', 'grader']]);
    expect(fake.spawns.some((spawn) => spawn.command === 'npm' && spawn.args.includes('install'))).toBe(false);
  });

  it('mounts text files in one tree and writes binary files as bytes', async () => {
    const { runner } = makeRunner();
    await runner.check('write-dockerfile', { Dockerfile: 'FROM node:22' });
    const files = fake.instance!.fs;
    expect(files.text('grader/package.json')).toContain('backend-workflow');
    expect(files.text('grader/exercises/write-dockerfile/starter/package.json')).toBe('{"name":"shelf"}');
    expect(fake.mounts[0]?.mountPoint).toBe('grader');
    expect(fake.mounts[0]?.paths).not.toContain('grader/node_modules/@electric-sql/pglite/dist/pglite.wasm');
    expect([...(files.files.get('grader/node_modules/@electric-sql/pglite/dist/pglite.wasm') ?? [])]).toEqual([...wasm]);
  });

  it('boots once per page and keeps the service warm between checks', async () => {
    const { runner } = makeRunner();
    await runner.check('write-dockerfile', { Dockerfile: 'FROM node:22' });
    const second = await runner.check('write-dockerfile', { Dockerfile: 'FROM node:22\nUSER node' });
    expect(second.status).toBe('pass');
    expect(fake.bootCalls).toBe(1);
    expect(fake.spawns.filter((spawn) => spawn.command === 'node')).toHaveLength(1);
    expect(fetched.filter((url) => url.endsWith('.zip'))).toHaveLength(1);
    // Replies are read once and removed: nothing piles up in the container.
    expect(await fake.instance!.fs.readdir('grader/.replies')).toEqual([]);
    expect(await fake.instance!.fs.readdir('grader/.jobs')).toEqual([]);
  });

  it('cancels a check: the page stops waiting and the service aborts the grade', async () => {
    let seen: AbortSignal | undefined;
    grade.mockImplementationOnce((_id, _files, signal) => {
      seen = signal;
      return new Promise<Report>((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));
    });
    const { runner } = makeRunner();
    const controller = new AbortController();
    const checking = runner.check('write-dockerfile', { Dockerfile: 'FROM node:22' }, controller.signal);
    await vi.waitFor(() => expect(seen).toBeDefined());
    controller.abort(new DOMException('The user cancelled the check.', 'AbortError'));
    await expect(checking).rejects.toThrow('The user cancelled the check.');
    await vi.waitFor(() => expect(seen?.aborted).toBe(true));
    // The next check runs normally.
    expect((await runner.check('write-dockerfile', { Dockerfile: 'USER node' })).status).toBe('pass');
  });

  it('turns a boot that never ends (offline) into `unavailable` after its own timeout', async () => {
    fake.boot = 'hang';
    const { runner, states } = makeRunner({ bootTimeoutMs: 60 });
    const failure = await runner.check('write-dockerfile', { Dockerfile: 'FROM node:22' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunnerUnavailableError);
    expect((failure as Error).message).toMatch(/did not start within 0\.06 s.*stackblitz\.com.*npm start/s);
    expect(runner.state()).toEqual({ phase: 'unavailable', reason: (failure as Error).message });
    expect(states[0]).toEqual({ phase: 'starting', step: 'booting Node.js in your browser' });
    // Trying again waits for the same boot rather than starting a second one (the API forbids it).
    await expect(runner.check('write-dockerfile', { Dockerfile: 'FROM node:22' })).rejects.toBeInstanceOf(RunnerUnavailableError);
    expect(fake.bootCalls).toBe(1);
    expect(grade).not.toHaveBeenCalled();
  });

  it('says why when the boot fails', async () => {
    fake.boot = 'reject';
    fake.bootError = 'Unable to create more instances';
    const { runner } = makeRunner();
    await expect(runner.check('write-dockerfile', { Dockerfile: 'x' })).rejects.toThrow(/could not start: Unable to create more instances/);
    expect(runner.state().phase).toBe('unavailable');
  });

  it('refuses exercises whose kind cannot be checked in the browser, without booting', async () => {
    const { runner } = makeRunner();
    const failure = await runner.check('build-api', { 'src/server.js': '' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunnerUnavailableError);
    expect((failure as Error).message).toMatch(/Checking an API starts your server under limits\. Run the course on your computer \(`npm start`\).*npx backend-workflow grade build-api/);
    expect(fake.bootCalls).toBe(0);
    await expect(runner.check('no-such-exercise', {})).rejects.toThrow(/does not know the exercise "no-such-exercise"/);
  });

  it('says so when the site was published without the tree', async () => {
    const { runner } = makeRunner({ fetch: fakeFetch({ 'index.json': new Response('missing', { status: 404 }) }) });
    await expect(runner.check('write-dockerfile', {})).rejects.toThrow(/published without its in-browser grader/);
    expect(fake.bootCalls).toBe(0);
  });

  it('reports a grading service that crashes as it starts, with its output', async () => {
    fake.programs.set('node', gradingService(grade, { crashOnStart: 'SyntaxError: Unexpected token (node 16?)' }));
    const { runner } = makeRunner();
    await expect(runner.check('write-dockerfile', {})).rejects.toThrow(/stopped as it started: SyntaxError: Unexpected token/);
    expect(runner.state().phase).toBe('unavailable');
  });

  it('restarts a grading service that died between checks, in the same container', async () => {
    const { runner } = makeRunner();
    await runner.check('write-dockerfile', { Dockerfile: 'x' });
    fake.instance!.processes[0]!.kill();
    await fake.instance!.processes[0]!.exit;
    expect((await runner.check('write-dockerfile', { Dockerfile: 'USER node' })).status).toBe('pass');
    expect(fake.spawns.filter((spawn) => spawn.command === 'node')).toHaveLength(2);
    expect(fake.bootCalls).toBe(1);
  });

  it('refuses a reply that is not a report', async () => {
    grade.mockResolvedValueOnce({ version: 2, nonsense: true } as unknown as Report);
    const { runner } = makeRunner();
    await expect(runner.check('write-dockerfile', {})).rejects.toThrow(/report in an unknown format/);
  });

  it('tears the container down on dispose, so the page can boot again', async () => {
    const { runner } = makeRunner();
    await runner.check('write-dockerfile', {});
    await runner.dispose();
    expect(fake.teardowns).toBe(1);
    const { runner: next } = makeRunner();
    await next.check('write-dockerfile', {});
    expect(fake.bootCalls).toBe(2);
  });
});

describe('a learner server in a WebContainer', () => {
  const files = { 'src/server.js': 'app.listen(process.env.PORT)', 'package.json': '{"scripts":{"start":"node src/server.js"}}' };

  it('runs `npm start` with PORT, waits for server-ready and forwards requests through the container', async () => {
    const { runner } = makeRunner();
    const session = await runner.startApp('build-api', files);
    const spawn = fake.spawns.find((entry) => entry.command === 'npm');
    expect(spawn?.args).toEqual(['start']);
    expect(spawn?.options?.cwd).toBe('apps/build-api');
    const port = Number(spawn?.options?.env?.PORT);
    expect((session as unknown as { url: string }).url).toBe(`https://fake${port}.local-credentialless.webcontainer-api.io`);

    // The learner's files, the exercise's read-only files, and the shipped packages beside them.
    const fs = fake.instance!.fs;
    expect(fs.text('apps/build-api/src/server.js')).toBe(files['src/server.js']);
    expect(fs.text('apps/build-api/README.md')).toBe('# Given with the exercise');
    expect(fs.text('apps/node_modules/express/package.json')).toContain('express');

    const answer = await session.request({ method: 'POST', path: '/books', headers: { 'content-type': 'application/json' }, body: '{"title":"Dune"}' });
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ path: '/books', method: 'POST', body: '{"title":"Dune"}' });
    expect((await session.request({ method: 'GET', path: '/health' })).status).toBe(200);

    const output = await session.output();
    expect(output.running).toBe(true);
    // Terminal output becomes plain text: no \r, no colour escapes.
    expect(output.text).toContain(`Shelf API listening on port ${port}\n`);
    expect(output.text).not.toMatch(/\r|\u001b/);

    await session.stop();
    expect((await session.output()).running).toBe(false);
    await expect(session.request({ method: 'GET', path: '/health' })).rejects.toThrow(/has stopped/);
  });

  it('keeps one server per exercise', async () => {
    const { runner } = makeRunner();
    const first = await runner.startApp('build-api', files);
    await runner.startApp('build-api', files);
    expect((await first.output()).running).toBe(false);
  });

  it('explains a server that crashes at start-up, with its output', async () => {
    const { runner } = makeRunner();
    const failure = await runner.startApp('build-api', { ...files, 'src/server.js': 'throw new Error("no books here")' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppStartError);
    expect((failure as AppStartError).message).toMatch(/stopped during start-up \(exit code 1\)/);
    expect((failure as AppStartError).output).toContain('Error: no books here');
  });

  it('gives up on a server that never listens, and stops it', async () => {
    const { runner } = makeRunner({ appReadyMs: 80 });
    const failure = await runner.startApp('build-api', { ...files, 'src/server.js': '// never-listen' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppStartError);
    expect((failure as Error).message).toMatch(/did not listen on port \d+ within 0\.08 s.*process\.env\.PORT/);
    const npm = fake.instance!.processes.at(-1)!;
    await expect(npm.exit).resolves.toBe(130);
  });
});

describe('a shell in the WebContainer', () => {
  it('spawns jsh on a terminal of the given size and passes keystrokes and resizes through', async () => {
    const { runner } = makeRunner();
    const shell = await runner.shell({ cols: 100, rows: 30 });
    expect(fake.spawns.at(-1)).toMatchObject({ command: 'jsh', args: [], options: { terminal: { cols: 100, rows: 30 } } });
    const reader = shell.output.getReader();
    let seen = '';
    const readUntil = async (text: string) => {
      while (!seen.includes(text)) seen += (await reader.read()).value ?? '';
    };
    await shell.write('echo hi\r');
    await readUntil('echo hi\r\n');
    shell.resize({ cols: 80, rows: 24 });
    expect(fake.instance!.processes.at(-1)!.resizes).toEqual([{ cols: 80, rows: 24 }]);
    await shell.write('exit\r');
    await expect(shell.exit).resolves.toBe(0);
  });
});

describe('plainText', () => {
  it('turns terminal output into text', () => {
    expect(plainText('\u001b[1m\u001b[32mready\u001b[39m\u001b[22m\r\nnext\r\n')).toBe('ready\nnext\n');
  });
});
