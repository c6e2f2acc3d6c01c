import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readFolder } from '../../graders/core/exercises.ts';
import { disposeGraders, gradeSubmission } from '../../graders/core/grade.ts';
import { reportSchema } from '../../graders/core/report.ts';
import { livePidsInGroup } from '../../graders/core/sandbox.ts';

/** The engine's verdict rules, on a throw-away exercise whose grader does what each case needs. */

const root = mkdtempSync(join(tmpdir(), 'bw-engine-'));
const core = (name: string) => pathToFileURL(join(process.cwd(), 'graders', 'core', name)).href;
mkdirSync(join(root, 'demo', 'starter'), { recursive: true });
writeFileSync(
  join(root, 'demo', 'exercise.yaml'),
  `title: Demo
summary: A throw-away exercise for the engine's tests.
stage: development
kind: test-suite
difficulty: beginner
minutes: 5
files:
  editable: [answer.txt, notes.txt]
  readonly: [given.txt]
  required: [answer.txt]
`,
);
writeFileSync(join(root, 'demo', 'starter', 'answer.txt'), '0');
writeFileSync(join(root, 'demo', 'starter', 'given.txt'), 'from the exercise');
writeFileSync(
  join(root, 'demo', 'grader.ts'),
  `import { SubmissionError, pass, fail, runChecks } from ${JSON.stringify(core('checks.ts'))};
export default {
  kind: 'test-suite',
  version: '0.0.1',
  async grade({ files, signal }) {
    const answer = files.get('answer.txt')?.trim();
    if (answer === 'syntax') throw new SubmissionError('syntax', 'answer.txt does not parse', { location: { file: 'answer.txt', line: 1 } });
    if (answer === 'hang') return new Promise(() => {});
    if (answer === 'stubborn') {
      // A learner process that ignores SIGTERM: only the sandbox's SIGKILL, after its grace period, ends it.
      const { runSandboxed, nodeBinary } = await import(${JSON.stringify(core('sandbox.ts'))});
      const child = runSandboxed(nodeBinary, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { cwd: process.cwd(), signal });
      globalThis.stubbornPid = child.pid;
      await child.exited;
      return { checks: [] };
    }
    if (answer === 'throw') throw new Error('grader bug');
    if (answer === 'nothing') return { checks: [] };
    if (answer === 'no-result') return undefined;
    if (answer === 'bad-location') throw new SubmissionError('syntax', 'answer.txt does not parse', { location: { file: 'answer.txt', line: 0 } });
    if (answer === 'bad-report') return { checks: [{ id: 'answer', title: '', status: 'pass', points: 1, maxPoints: 1, output: 'x'.repeat(2000) }] };
    return {
      checks: await runChecks([
        { id: 'answer', title: 'The answer is 42', points: 3, hint: 'Think deeply.', run: () => (answer === '42' ? pass() : fail('The answer was ' + answer)) },
        { id: 'given', title: 'The given file is the exercise\\'s', points: 1, hint: '-', run: () => (files.get('given.txt') === 'from the exercise' ? pass() : fail('given.txt came from the submission')) },
      ], files, signal),
    };
  },
};
`,
);
afterAll(async () => {
  await disposeGraders();
  rmSync(root, { recursive: true, force: true });
});

const grade = (files: Record<string, string>, timeoutMs?: number) =>
  gradeSubmission('demo', new Map(Object.entries(files)), { exercisesRoot: root, ...(timeoutMs ? { timeoutMs } : {}) });

describe('gradeSubmission', () => {
  it('passes when every check passes, and always takes read-only files from the exercise', async () => {
    const report = await grade({ 'answer.txt': '42', 'given.txt': 'tampered' });
    expect(reportSchema.parse(report)).toEqual(report);
    expect(report.status).toBe('pass');
    expect(report.score).toBe(4);
    expect(report.maxScore).toBe(4);
    expect(report.graderVersion).toBe('test-suite@0.0.1');
  });

  it('fails with points and the hint when a check fails', async () => {
    const report = await grade({ 'answer.txt': '41' });
    expect(report.status).toBe('fail');
    expect(report.score).toBe(1);
    const answer = report.checks.find((check) => check.id === 'answer')!;
    expect(answer).toMatchObject({ status: 'fail', points: 0, maxPoints: 3, message: 'The answer was 41', hint: 'Think deeply.' });
  });

  it('reports a missing required file as an error without running the grader', async () => {
    const report = await grade({ 'notes.txt': 'hello' });
    expect(report).toMatchObject({ status: 'error', reason: 'missing-file', checks: [] });
    expect(report.message).toContain('answer.txt');
  });

  it('names a file that is almost the required one (other capitals, an extra extension)', async () => {
    const capitals = await grade({ 'Answer.txt': '42' });
    expect(capitals).toMatchObject({ status: 'error', reason: 'missing-file' });
    expect(capitals.message).toMatch(/no `answer\.txt`; there is `Answer\.txt`/);
    const extension = await grade({ 'answer.txt.bak': '42' });
    expect(extension.message).toMatch(/there is `answer\.txt\.bak`/);
    expect((await grade({ 'notes.txt': '' })).message).not.toMatch(/there is/);
  });

  it('turns a SubmissionError into an error report with its location', async () => {
    const report = await grade({ 'answer.txt': 'syntax' });
    expect(report).toMatchObject({ status: 'error', reason: 'syntax', location: { file: 'answer.txt', line: 1 } });
  });

  it('treats "nothing ran" as a fail, never a pass', async () => {
    const report = await grade({ 'answer.txt': 'nothing' });
    expect(report.status).toBe('fail');
    expect(report.message).toMatch(/nothing/i);
  });

  it('stops a grade that runs past the whole-grade limit', async () => {
    const report = await grade({ 'answer.txt': 'hang' }, 300);
    expect(report).toMatchObject({ status: 'error', reason: 'timeout' });
    expect(report.durationMs).toBeLessThan(2_000);
  });

  it('has killed the learner\'s processes by the time a timed-out grade reports, within the limit', async () => {
    const report = await grade({ 'answer.txt': 'stubborn' }, 1_500);
    const pid = (globalThis as { stubbornPid?: number }).stubbornPid;
    expect(pid).toBeGreaterThan(0);
    expect(livePidsInGroup(pid!)).toEqual([]);
    expect(report).toMatchObject({ status: 'error', reason: 'timeout' });
    expect(report.durationMs).toBeLessThanOrEqual(1_600);
  });

  it('blames the grader, not the learner, when the grader throws', async () => {
    const report = await grade({ 'answer.txt': 'throw' });
    expect(report).toMatchObject({ status: 'error', reason: 'internal' });
    expect(report.message).toContain('grader bug');
    const empty = await grade({ 'answer.txt': 'no-result' });
    expect(empty).toMatchObject({ status: 'error', reason: 'internal', message: 'The grader failed: it returned no list of checks' });
  });

  it('turns a grader result that breaks the report schema into an internal error, never a throw', async () => {
    for (const answer of ['bad-location', 'bad-report']) {
      const report = await grade({ 'answer.txt': answer });
      expect(report).toMatchObject({ status: 'error', reason: 'internal', checks: [] });
      expect(report.message).toMatch(/not a valid report: .*(title|line)/);
      expect(reportSchema.safeParse(report).success).toBe(true);
    }
  });

  it('names the exercises when asked for one that does not exist', async () => {
    await expect(gradeSubmission('nope', new Map(), { exercisesRoot: root })).rejects.toThrow(/no exercise "nope".*demo/);
  });

  it('reads a submission folder with the learner\'s own lib/ and dist/ folders, skipping node_modules, .git and top-level build output', () => {
    const folder = join(root, 'submission');
    for (const [path, text] of Object.entries({
      'src/server.js': 'server',
      'src/lib/store.js': 'store',
      'src/dist/helpers.js': 'helpers',
      'lib/compiled.js': 'build output',
      'node_modules/express/index.js': 'dependency',
      'src/node_modules/local/index.js': 'dependency',
      '.git/HEAD': 'ref',
    })) {
      mkdirSync(join(folder, path, '..'), { recursive: true });
      writeFileSync(join(folder, path), text);
    }
    expect([...readFolder(folder).keys()].sort()).toEqual(['src/dist/helpers.js', 'src/lib/store.js', 'src/server.js']);
  });
});
