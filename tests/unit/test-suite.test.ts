import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubmissionError } from '../../graders/core/checks.ts';
import { loadExercise, readSolution, readStarter } from '../../graders/core/exercises.ts';
import type { GradeInput } from '../../graders/core/grader.ts';
import { livePidsInGroup } from '../../graders/core/sandbox.ts';
import { applyMutant, mutant, testSuiteGrader } from '../../graders/test-suite/index.ts';
import { type ReporterEvent, loadErrorOf, parseEvents, resultsByFolder, summarize } from '../../graders/test-suite/results.ts';
import { runNodeTests } from '../../graders/test-suite/run.ts';
import grader from '../../exercises/test-late-fees/grader.ts';

/**
 * The test-suite grader kind on its own: mutants, the reporter's mapping, hangs, clean-up, and the
 * exercise's own promises (every mutant can be caught, and the reference solution catches each).
 */

const exercise = loadExercise('test-late-fees');
const solutionFiles = () => new Map([...readStarter(exercise), ...readSolution(exercise)]);
const { correct, mutants } = grader.variants(exercise.dir);

const work = mkdtempSync(join(tmpdir(), 'bw-test-suite-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function input(files: Map<string, string>, signal = new AbortController().signal): GradeInput {
  return { exercise, files, seed: 1, signal };
}

function withTests(source: string): Map<string, string> {
  return new Map([...readStarter(exercise), ['test/late-fee.test.js', source]]);
}

async function waitUntilGone(pgid: number): Promise<number[]> {
  for (let attempt = 0; attempt < 40 && livePidsInGroup(pgid).length > 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
  return livePidsInGroup(pgid);
}

/** Live processes that run inside `folder` or mention it on their command line. */
function processesIn(folder: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd.startsWith(folder) || readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(folder)) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

const header = `import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lateFeeCents } from '../src/late-fee.js';
const DAY = 24 * 60 * 60 * 1000;
const dueAt = new Date('2026-03-01T12:00:00Z');
const after = (ms) => new Date(dueAt.getTime() + ms);
`;

describe('mutants', () => {
  it('every patch of the exercise matches the module exactly once and changes it', () => {
    expect(grader.config.mutants.length).toBeGreaterThanOrEqual(10);
    for (const bug of grader.config.mutants) {
      const source = mutants.get(bug.id);
      expect(source, bug.id).toBeDefined();
      expect(source, bug.id).not.toBe(correct);
    }
  });

  it('refuses a patch that matches nothing, matches twice, or changes nothing', () => {
    const text = 'a <= b; c <= d;';
    expect(() => applyMutant(text, mutant('missing', { title: 't', behaviour: 'b', patch: { find: 'x', replace: 'y' } }))).toThrow(/does not contain/);
    expect(() => applyMutant(text, mutant('twice', { title: 't', behaviour: 'b', patch: { find: '<=', replace: '<' } }))).toThrow(/more than once/);
    expect(() => applyMutant(text, mutant('same', { title: 't', behaviour: 'b', patch: { find: 'a', replace: 'a' } }))).toThrow(/changes nothing/);
    expect(applyMutant(text, mutant('ok', { title: 't', behaviour: 'b', patch: [{ find: 'a <=', replace: 'a <' }, { find: 'c <=', replace: 'c >=' }] }))).toBe('a < b; c >= d;');
    expect(() => mutant('Not An Id', { title: 't', behaviour: 'b', patch: { find: 'a', replace: 'b' } })).toThrow(/lowercase/);
    expect(() => testSuiteGrader({ module: 'm.js', tests: ['t.js'], mutants: [mutant('a', { title: 't', behaviour: 'b', patch: { find: 'a', replace: 'b' } }), mutant('a', { title: 't', behaviour: 'b', patch: { find: 'a', replace: 'c' } })] })).toThrow(/share the id/);
  });

  it('every mutant behaves differently from the correct module on some input (none is equivalent)', async () => {
    type Fee = (dueAt: unknown, returnedAt?: unknown, options?: Record<string, unknown>) => number;
    const load = async (source: string): Promise<Fee> => (await import(`data:text/javascript,${encodeURIComponent(source)}`)).lateFeeCents;
    const DAY = 24 * 60 * 60 * 1000;
    const due = new Date('2026-03-01T12:00:00Z');
    const after = (ms: number) => new Date(due.getTime() + ms);
    // Inputs from every class and boundary of the specification.
    const inputs: [string, unknown[]][] = [
      ['2 days early', [due, after(-2 * DAY)]],
      ['on time', [due, due]],
      ['12 h late', [due, after(DAY / 2)]],
      ['end of grace', [due, after(DAY)]],
      ['1 s past grace', [due, after(DAY + 1000)]],
      ['3 days', [due, after(3 * DAY)]],
      ['3.5 days', [due, after(3.5 * DAY)]],
      ['60 days', [due, after(60 * DAY)]],
      ['graceDays 3', [due, after(2.5 * DAY), { graceDays: 3 }]],
      ['rate 40', [due, after(3.5 * DAY), { dailyRateCents: 40 }]],
      ['cap 60', [due, after(3.5 * DAY), { capCents: 60 }]],
      ['invalid date', [new Date('nope'), due]],
      ['date string', ['2026-03-01T12:00:00Z', due]],
      ['negative rate', [due, after(3 * DAY), { dailyRateCents: -1 }]],
      ['fractional rate', [due, after(3 * DAY), { dailyRateCents: 2.5 }]],
    ];
    const outcome = (fee: Fee, args: unknown[]) => {
      try {
        return { value: fee(...(args as [unknown, unknown, Record<string, unknown>])) };
      } catch (error) {
        return { threw: (error as Error).constructor.name };
      }
    };
    const reference = await load(correct);
    for (const [id, source] of mutants) {
      const buggy = await load(source);
      const differing = inputs.filter(([, args]) => {
        const expected = outcome(reference, args);
        const actual = outcome(buggy, args);
        return !(Object.is(expected.value, actual.value) && expected.threw === actual.threw);
      });
      expect(differing.map(([name]) => name), `mutant ${id} behaves like the correct module on every input`).not.toEqual([]);
    }
  });

  it('the reference solution passes on the correct code and catches every mutant', async () => {
    const outcome = await grader.grade(input(solutionFiles()));
    expect(outcome.checks.filter((check) => check.status !== 'pass').map((check) => `${check.id}: ${check.message}`)).toEqual([]);
    expect(outcome.checks.map((check) => check.id)).toEqual(['passes-on-correct-code', ...grader.config.mutants.map((bug) => bug.id)]);
    expect(outcome.summary).toBe(`caught ${grader.config.mutants.length} of ${grader.config.mutants.length} bugs`);
  });

  it('always tests the exercise’s own module, whatever the submission holds', async () => {
    const files = solutionFiles();
    files.set('src/late-fee.js', 'export function lateFeeCents() { return 0; }\n');
    const outcome = await grader.grade(input(files));
    expect(outcome.checks.every((check) => check.status === 'pass')).toBe(true);
  });
});

describe('the reporter and its mapping', () => {
  const folders: Record<string, string> = {
    passing: `${header}describe('fees', () => { test('on time', () => assert.equal(lateFeeCents(dueAt, dueAt), 0)); test.skip('later', () => {}); });`,
    failing: `${header}describe('fees', () => { describe('cap', () => {\n  test('60 days', () => assert.equal(lateFeeCents(dueAt, after(60 * DAY)), 999));\n}); test('after', () => {}); });`,
    'sync-hang': `${header}test('first', () => {}); test('spins', () => { for (;;) {} });`,
    'never-settles': `${header}test('waits for nothing', async () => { await new Promise(() => {}); });`,
    empty: '',
    'only-skipped': `${header}test.skip('later', () => {}); test.todo('some day');`,
    'syntax-error': `${header}test('broken', () => {\n  assert.equal(1, 1;\n});`,
    'leaves-a-timer': `${header}test('starts an interval', () => { setInterval(() => {}, 1000); });`,
  };

  let events: ReporterEvent[];
  let pgid: number;
  beforeAll(async () => {
    const root = join(work, 'reporter');
    for (const [folder, test] of Object.entries(folders)) {
      writeFiles(join(root, folder), { 'package.json': '{ "type": "module" }', 'src/late-fee.js': correct, 'test/x.test.js': test });
    }
    // 1.5 s per file: the timeout covers the start of each file's process too, slow on a busy machine.
    const run = await runNodeTests({ cwd: root, files: Object.keys(folders).map((folder) => `${folder}/test/x.test.js`), concurrency: 2, testTimeoutMs: 1_500, timeoutMs: 20_000 });
    events = run.events;
    pgid = run.pgid;
  });

  it('maps each folder of one run to pass, fail, timeout or no tests', () => {
    const results = resultsByFolder(events, Object.keys(folders));
    const statuses = Object.fromEntries([...results].map(([folder, result]) => [folder, result.status]));
    expect(statuses).toEqual({
      passing: 'pass',
      failing: 'fail',
      'sync-hang': 'timeout',
      'never-settles': 'timeout',
      empty: 'no-tests',
      'only-skipped': 'no-tests',
      'syntax-error': 'fail',
      'leaves-a-timer': 'pass',
    });
    expect(results.get('passing')?.testsRun).toBe(1);
  });

  it('names the first failing test with its suites, its line and its assertion', () => {
    const failure = resultsByFolder(events, ['failing']).get('failing')?.firstFailure;
    expect(failure).toMatchObject({ name: 'fees > cap > 60 days', line: 8, file: 'failing/test/x.test.js' });
    expect(failure?.message).toMatch(/1000 !== 999/);
  });

  it('names a test that never settles; a test that blocks the event loop is left to the probe', () => {
    const results = resultsByFolder(events, ['never-settles', 'sync-hang']);
    expect(results.get('never-settles')?.hang?.name).toBe('waits for nothing');
    expect(results.get('sync-hang')?.hang).toEqual({ file: 'sync-hang/test/x.test.js' });
  });

  it('keeps the stderr of a file that does not parse, with the line', () => {
    const result = resultsByFolder(events, ['syntax-error']).get('syntax-error');
    const error = loadErrorOf(result?.stderr ?? '', join(work, 'reporter', 'syntax-error/test/x.test.js'));
    expect(error).toMatchObject({ kind: 'syntax', line: 8 });
  });

  it('leaves no process behind', async () => {
    expect(await waitUntilGone(pgid)).toEqual([]);
  });

  it('ignores what is not its own JSON, and a folder without events is missing', () => {
    const parsed = parseEvents('TAP version 13\n{"kind":"count","file":"a/t.js","passed":2,"failed":0,"skipped":0}\n{"kind":"test", broken\n');
    expect(parsed).toHaveLength(1);
    expect(summarize(parsed)).toMatchObject({ status: 'pass', testsRun: 2 });
    expect(resultsByFolder(parsed, ['a', 'b']).get('b')?.status).toBe('missing');
  });

  it('counts a test that failed because its suite failed as a failure, and a timeout over any failure', () => {
    const base = { kind: 'test', file: 'm/t.js', fileLevel: false, suite: false } as const;
    expect(
      summarize([
        { ...base, name: 's > a', outcome: 'fail', failureType: 'cancelledByParent', error: 'test did not finish before its parent and was cancelled' },
        { ...base, name: 's', outcome: 'fail', suite: true, failureType: 'hookFailure', error: 'before hook threw' },
      ]),
    ).toMatchObject({ status: 'fail', firstFailure: { name: 's', message: 'before hook threw' } });
    expect(
      summarize([
        { ...base, name: 'a', outcome: 'fail', failureType: 'testCodeFailure', error: 'x' },
        { ...base, name: 'b', outcome: 'fail', failureType: 'testTimeoutFailure', error: 'test timed out after 3000ms' },
      ]),
    ).toMatchObject({ status: 'timeout', hang: { name: 'b' } });
  });
});

describe('the probe on the correct code', () => {
  it('counts assertions of every style, and records the test that was running', async () => {
    const root = join(work, 'probe');
    writeFiles(root, {
      'p/package.json': '{ "type": "module" }',
      'p/test/x.test.js': `import { test } from 'node:test';
import assert, { equal } from 'node:assert/strict';
import loose from 'node:assert';
test('styles', (t) => { assert.equal(1, 1); equal(1, 1); assert(true); loose.ok(true); loose(true); t.assert.equal(1, 1); assert.throws(() => { throw new Error('x'); }); });
test('spins', () => { for (;;) {} });`,
    });
    const probeFile = join(root, 'probe.json');
    const run = await runNodeTests({ cwd: root, files: ['p/test/x.test.js'], testTimeoutMs: 1_500, timeoutMs: 10_000, probeFile });
    expect(resultsByFolder(run.events, ['p']).get('p')?.status).toBe('timeout');
    expect(JSON.parse(readFileSync(probeFile, 'utf8'))).toEqual({ current: 'spins', count: 7, finished: false });
    expect(await waitUntilGone(run.pgid)).toEqual([]);
  });
});

describe('grading', () => {
  const quick = testSuiteGrader({ ...grader.config, testTimeoutMs: 1_500 });

  it('a test that hangs on the correct code is a timeout error naming the test', async () => {
    const files = withTests(`${header}describe('cap', () => { test('walks to the cap', () => { let fee = 0; while (fee < 1000) fee = lateFeeCents(dueAt, after(2 * DAY)); }); });`);
    const error = await quick.grade(input(files)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SubmissionError);
    expect((error as SubmissionError).reason).toBe('timeout');
    expect((error as SubmissionError).message).toContain('"cap > walks to the cap"');
  });

  it('a test that hangs only on a mutant catches it', async () => {
    const files = withTests(
      `${header}test('the fee stops at a cap of 990', () => { let days = 2; while (lateFeeCents(dueAt, after(days * DAY), { capCents: 990 }) !== 990) days++; assert.equal(days, 40); });`,
    );
    const outcome = await quick.grade(input(files));
    const status = Object.fromEntries(outcome.checks.map((check) => [check.id, check.status]));
    expect(status['passes-on-correct-code']).toBe('pass');
    expect(status['cap-ignored']).toBe('pass');
    expect(status['cap-option-ignored']).toBe('pass');
    expect(status['grace-boundary-exclusive']).toBe('fail');
  });

  it('tests that fail on the correct code: the first failing test and its assertion, every bug skipped', async () => {
    const outcome = await quick.grade(
      input(
        withTests(`${header}describe('grace', () => {
  test('inside', () => assert.equal(lateFeeCents(dueAt, after(DAY / 2)), 0));
  test('at the end', () => assert.equal(lateFeeCents(dueAt, after(DAY)), 25));
  test('also wrong', () => assert.equal(lateFeeCents(dueAt, after(3 * DAY)), 1));
});`),
      ),
    );
    const [baseline, ...bugs] = outcome.checks;
    expect(baseline).toMatchObject({ id: 'passes-on-correct-code', status: 'fail', location: { file: 'test/late-fee.test.js', line: 9 } });
    expect(baseline?.message).toBe('Your test "grace > at the end" fails on the correct code: Expected values to be strictly equal: 0 !== 25');
    expect(bugs.every((check) => check.status === 'skipped')).toBe(true);
    expect(outcome.summary).toBe(`caught 0 of ${grader.config.mutants.length} bugs: your tests must pass on the correct code first`);
  });

  it('a file without tests catches nothing, and says so', async () => {
    const outcome = await quick.grade(input(withTests(`${header}// tests will go here\n`)));
    expect(outcome.checks[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('defines no test') });
    expect(outcome.summary).toBe(`caught 0 of ${grader.config.mutants.length} bugs: no test ran`);
  });

  it('a syntax error is reported with its line', async () => {
    const error = await quick.grade(input(withTests(`${header}test('x', () => {\n  assert.equal(1, 1;\n});\n`))).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SubmissionError);
    expect(error).toMatchObject({ reason: 'syntax', details: { location: { file: 'test/late-fee.test.js', line: 8 } } });
  });

  it('a survivor names the behaviour left unpinned, never the code', async () => {
    const outcome = await quick.grade(input(withTests(`${header}test('3.5 days', () => assert.equal(lateFeeCents(dueAt, after(3.5 * DAY)), 100));`)));
    const survivor = outcome.checks.find((check) => check.id === 'grace-boundary-exclusive');
    expect(survivor?.status).toBe('fail');
    expect(survivor?.message).toBe('This bug went unnoticed: no test returns a book exactly at the end of the grace period.');
    for (const check of outcome.checks) expect(check.message ?? '').not.toMatch(/<=|Math\.|=>|DAY_MS/);
    expect(outcome.summary).toBe(`caught 2 of ${grader.config.mutants.length} bugs`);
  });

  it('tests with no assertion are told that they catch nothing', async () => {
    const outcome = await quick.grade(input(withTests(`${header}test('runs it', () => { lateFeeCents(dueAt, after(3 * DAY)); });`)));
    expect(outcome.summary).toMatch(/^caught 0 of \d+ bugs; your tests never assert anything/);
    expect(outcome.checks.find((check) => check.id === 'cap-ignored')?.message).toMatch(/None of your tests asserts anything/);
  });

  it('a suite that asserts by throwing is not taken for one without assertions', async () => {
    const outcome = await quick.grade(
      input(withTests(`${header}test('end of grace', () => { if (lateFeeCents(dueAt, after(DAY)) !== 0) throw new Error('charged'); });`)),
    );
    expect(outcome.checks.find((check) => check.id === 'grace-boundary-exclusive')?.status).toBe('pass');
    expect(outcome.summary).toBe(`caught 2 of ${grader.config.mutants.length} bugs`);
  });

  it('stops at once when aborted, removes its folder and leaves no process behind', async () => {
    const previous = process.env.TMPDIR;
    const own = join(work, 'aborted');
    mkdirSync(own);
    process.env.TMPDIR = own;
    try {
      const controller = new AbortController();
      const files = withTests(`${header}test('spins', () => { for (;;) {} });`);
      const grading = quick.grade(input(files, controller.signal)).then(
        () => 'finished',
        () => 'stopped',
      );
      // Abort once the learner's test is running (its process sits in the grade's folder).
      for (let attempt = 0; attempt < 100 && processesIn(own).length < 2; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(processesIn(own).length).toBeGreaterThanOrEqual(2);
      const aborted = performance.now();
      controller.abort(new Error('cancelled by the test'));
      expect(await grading).toBe('stopped');
      expect(performance.now() - aborted).toBeLessThan(1_500);
      for (let attempt = 0; attempt < 40 && processesIn(own).length > 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(processesIn(own)).toEqual([]);
      expect(readdirSync(own)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
  });

  it('removes its temporary folder after every grade', async () => {
    const previous = process.env.TMPDIR;
    const own = join(work, 'clean');
    mkdirSync(own);
    process.env.TMPDIR = own;
    try {
      await quick.grade(input(solutionFiles()));
      await quick.grade(input(withTests('this is not javascript'))).catch(() => undefined);
      expect(existsSync(own) && readdirSync(own)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
  });
});
