import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExercise, readSolution, readStarter } from '../../graders/core/exercises.ts';
import { disposeGraders, gradeSubmission } from '../../graders/core/grade.ts';
import { type Report, verdictOf } from '../../graders/core/report.ts';
import { freePort } from '../../graders/http-api/server.ts';
import { buildAppPackages, buildGraderTree, webContainerKinds, zipFiles } from '../../scripts/build-webcontainer-bundle.mjs';
import { type Job, type JobReply, jobsFolder, readyMarker, repliesFolder, serviceEntry } from '../../src/runtime/container/protocol.ts';

/**
 * The prebuilt tree the WebContainer runner mounts, run by a real Node from a folder outside the
 * checkout: proof that it is self-contained (no file of the repository or its node_modules is
 * reached), that the grading service answers jobs through files as the page expects, and that its
 * verdicts are the CLI's. A real WebContainer cannot boot on this machine (no internet); the
 * system's Node 20, when present, stands in for a runtime older than ours.
 */

const root = mkdtempSync(join(tmpdir(), 'bw-wc-tree-'));
const graderRoot = join(root, 'grader');
const olderNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path) && /^v(18|20)\./.test(execFileSync(path, ['--version'], { encoding: 'utf8' })));
let graderFiles: Map<string, Uint8Array>;
let exercisesIndex: Record<string, { kind: string; checks: boolean }>;

function extract(files: Map<string, Uint8Array>, into: string): void {
  // Through the zip the page downloads, not the map: what is tested is what ships.
  for (const [path, bytes] of Object.entries(unzipSync(zipFiles(files)))) {
    mkdirSync(dirname(join(into, path)), { recursive: true });
    writeFileSync(join(into, path), bytes);
  }
}

let sequence = 0;

interface Service {
  job(job: Job, timeoutMs?: number): Promise<JobReply>;
  stop(): void;
}

async function startService(node: string): Promise<Service> {
  const child = spawn(node, [serviceEntry], { cwd: graderRoot, env: { PATH: process.env.PATH ?? '', HOME: root }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => output.includes(readyMarker) && (clearInterval(timer), resolve()), 20);
    child.on('exit', (code) => (clearInterval(timer), reject(new Error(`service exited ${code}: ${output}`))));
  });
  return {
    async job(job, timeoutMs = 40_000) {
      const id = `job-${process.pid}-${sequence++}`;
      await writeFile(join(graderRoot, jobsFolder, `${id}.json.tmp`), JSON.stringify(job));
      await rename(join(graderRoot, jobsFolder, `${id}.json.tmp`), join(graderRoot, jobsFolder, `${id}.json`));
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = await readFile(join(graderRoot, repliesFolder, `${id}.json`), 'utf8').catch(() => undefined);
        if (text) {
          await rm(join(graderRoot, repliesFolder, `${id}.json`));
          return JSON.parse(text) as JobReply;
        }
        if (Date.now() > deadline) throw new Error(`no reply to ${job.type} within ${timeoutMs} ms; service output: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: () => child.kill('SIGKILL'),
  };
}

function submission(id: string, withSolution: boolean): Record<string, string> {
  const exercise = loadExercise(id);
  const files = new Map([...readStarter(exercise), ...(withSolution ? readSolution(exercise) : [])]);
  return Object.fromEntries([...files].filter(([path]) => !exercise.manifest.files.readonly.includes(path)));
}

beforeAll(async () => {
  const tree = await buildGraderTree();
  graderFiles = tree.files;
  exercisesIndex = tree.exercises;
  extract(graderFiles, graderRoot);
});

afterAll(async () => {
  await disposeGraders();
  rmSync(root, { recursive: true, force: true });
});

describe('the prebuilt grader tree', () => {
  it('holds the compiled service, the graders of the browser kinds and their dependencies, and no answers', () => {
    const paths = [...graderFiles.keys()];
    expect(paths).toContain(serviceEntry);
    expect(paths).toContain('lib/graders/core/grade.js');
    expect(paths).toContain('lib/graders/sql-schema/worker.js');
    expect(paths).toContain('node_modules/@electric-sql/pglite/dist/pglite.wasm');
    expect(paths).toContain('node_modules/@electric-sql/pglite/dist/pglite.data');
    for (const [id, entry] of Object.entries(exercisesIndex)) {
      expect(paths).toContain(`exercises/${id}/exercise.yaml`);
      expect(paths.includes(`lib/exercises/${id}/grader.js`)).toBe(entry.checks);
      expect(entry.checks).toBe(webContainerKinds.includes(entry.kind));
    }
    // Solutions and golden fixtures stay on the server; TypeScript sources and source maps are not needed.
    expect(paths.filter((path) => /\/(solution|fixtures)\//.test(path) || /\.ts$|\.map$/.test(path))).toEqual([]);
    // Imports point at compiled siblings, never at .ts files.
    const grade = new TextDecoder().decode(graderFiles.get('lib/graders/core/grade.js'));
    expect(grade).toMatch(/from "\.\/exercises\.js"/);
    expect(grade).not.toMatch(/\.ts"/);
  });

  for (const [label, which] of [['our Node', () => process.execPath], ['an older Node (the system one)', () => olderNode]] as const) {
    const node = which();
    it.skipIf(!node)(`grades in a folder outside the checkout with ${label}, with the CLI's verdicts`, async () => {
      const service = await startService(node as string);
      try {
        const cases: [string, boolean][] = [
          ['write-dockerfile', false],
          ['write-dockerfile', true],
          ['design-schema', true],
          ['design-schema', false],
        ];
        for (const [id, withSolution] of cases) {
          const files = submission(id, withSolution);
          const reply = await service.job({ type: 'grade', exerciseId: id, files });
          expect(reply.ok, JSON.stringify(reply)).toBe(true);
          const report = (reply as { report: Report }).report;
          const direct = await gradeSubmission(id, new Map(Object.entries(files)));
          expect(verdictOf(report), `${id} ${withSolution ? 'solution' : 'starter'}`).toEqual(verdictOf(direct));
          expect(report.status).toBe(withSolution ? 'pass' : 'fail');
        }
        // A job the engine refuses is answered with why, not left unanswered.
        const bad = await service.job({ type: 'grade', exerciseId: 'no-such-exercise', files: {} });
        expect(bad).toEqual({ ok: false, error: expect.stringMatching(/There is no exercise "no-such-exercise"/) });
        expect(await readdir(join(graderRoot, jobsFolder))).toEqual([]);
      } finally {
        service.stop();
      }
    });
  }

  it('runs the build-api solution on the shipped packages, and the service relays a request to it', async () => {
    const apps = join(root, 'apps');
    extract(buildAppPackages(), apps);
    const app = join(apps, 'build-api');
    for (const [path, text] of Object.entries(submission('build-api', true))) {
      mkdirSync(dirname(join(app, path)), { recursive: true });
      writeFileSync(join(app, path), text);
    }
    const port = await freePort();
    const server = spawn(olderNode ?? process.execPath, ['src/server.js'], { cwd: app, env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    server.stdout.on('data', (chunk: Buffer) => (printed += chunk));
    server.stderr.on('data', (chunk: Buffer) => (printed += chunk));
    const service = await startService(process.execPath);
    try {
      await expect.poll(() => printed, { timeout: 10_000 }).toMatch(/listening/i);
      const reply = await service.job({ type: 'request', port, timeoutMs: 2000, method: 'GET', path: '/health' });
      expect(reply).toMatchObject({ ok: true, response: { status: 200 } });
      const refused = await service.job({ type: 'request', port: port + 1 === 65536 ? 1 : port + 1, timeoutMs: 500, method: 'GET', path: '/' });
      expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/did not accept the connection/) });
    } finally {
      service.stop();
      server.kill('SIGKILL');
    }
  });
});
