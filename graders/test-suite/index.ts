import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type CheckSpec, type Verdict, SubmissionError, fail, pass, skipped, toResult } from '../core/checks.ts';
import { isSubmittable, readStarter } from '../core/exercises.ts';
import type { GradeInput, GradeOutcome, Grader } from '../core/grader.ts';
import { limits } from '../core/limits.ts';
import type { CheckResult } from '../core/report.ts';
import { type FolderResult, loadErrorOf, resultsByFolder } from './results.ts';
import { type NodeTestRun, runNodeTests } from './run.ts';

/**
 * The `test-suite` grader kind: grades the learner's tests by the bugs they catch (mutation
 * testing). The tests run first against the exercise's own copy of the module, where they must
 * pass; then, in one `node --test` process, against one copy of the module per mutant. A mutant
 * is caught when any test fails or hangs on it (as in Stryker).
 *
 * An exercise's `grader.ts` reads like its rubric:
 *
 *   export default testSuiteGrader({
 *     module: 'src/late-fee.js',
 *     tests: ['test/late-fee.test.js'],
 *     mutants: [
 *       mutant('grace-boundary-exclusive', {
 *         title: 'a book returned exactly at the end of the grace period is charged',
 *         behaviour: 'no test returns a book exactly at the end of the grace period',
 *         patch: { find: 'lateMs <= graceDays * DAY_MS', replace: 'lateMs < graceDays * DAY_MS' },
 *       }),
 *     ],
 *   });
 */

export const testSuiteKindVersion = '1.0.0';

/** A textual edit of the module: `find` must occur exactly once in it. */
export interface Patch {
  find: string;
  replace: string;
}

export interface MutantSpec {
  /**
   * The bug in words a learner understands, never the diff. The check is titled
   * "Catches the bug: <title>", so it reads "the fee grows past the cap".
   */
  title: string;
  /**
   * What a suite that lets this bug through does not pin down, as the end of the sentence
   * "This bug went unnoticed: …", for example "no test returns a book exactly at the end of the
   * grace period".
   */
  behaviour: string;
  /** The bug: one or more edits of the correct module, applied in order. */
  patch: Patch | readonly Patch[];
  points?: number;
  /** Shown when the bug survives: a way of thinking about tests, not the missing test. */
  hint?: string;
}

export interface Mutant {
  id: string;
  title: string;
  behaviour: string;
  patches: readonly Patch[];
  points: number;
  hint: string;
}

const mutantIdPattern = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const defaultMutantHint =
  'Find an input where the specification and this bug give different answers, and write a test that asserts the specified answer for it.';

/** A hand-made bug in the module under test; each becomes one check of the report. */
export function mutant(id: string, spec: MutantSpec): Mutant {
  if (!mutantIdPattern.test(id)) throw new Error(`mutant id "${id}" must be lowercase words joined by hyphens`);
  const patches = Array.isArray(spec.patch) ? [...(spec.patch as readonly Patch[])] : [spec.patch as Patch];
  if (patches.length === 0) throw new Error(`mutant "${id}" has no patch`);
  return { id, title: spec.title, behaviour: spec.behaviour, patches, points: spec.points ?? 1, hint: spec.hint ?? defaultMutantHint };
}

/** The module with the mutant's bug in it. Throws when a patch does not match exactly once: a broken exercise, not a learner's fault. */
export function applyMutant(source: string, bug: Pick<Mutant, 'id' | 'patches'>): string {
  let text = source;
  for (const { find, replace } of bug.patches) {
    const at = text.indexOf(find);
    if (at === -1) throw new Error(`mutant "${bug.id}": the module does not contain ${JSON.stringify(find)}`);
    if (text.indexOf(find, at + 1) !== -1) throw new Error(`mutant "${bug.id}": ${JSON.stringify(find)} occurs more than once in the module`);
    if (find === replace) throw new Error(`mutant "${bug.id}": a patch that changes nothing`);
    text = text.slice(0, at) + replace + text.slice(at + find.length);
  }
  return text;
}

export interface TestSuiteConfig {
  /** The module under test, a read-only file of the exercise; mutants patch it. */
  module: string;
  /** The learner's test files, relative to the workspace root. */
  tests: readonly string[];
  mutants: readonly Mutant[];
  /** The check that the tests pass on the correct module. */
  baseline?: { title?: string; points?: number; hint?: string };
  /** Per test (and per test file: see run.ts). Defaults to `limits.testMs`. */
  testTimeoutMs?: number;
  /** Test files run at once on the mutants. */
  concurrency?: number;
}

export interface TestSuiteGrader extends Grader {
  readonly kind: 'test-suite';
  readonly config: Readonly<TestSuiteConfig>;
  /** The correct module of an exercise and each mutant applied to it (for the exercise's own tests). */
  variants(exerciseDir: string): { correct: string; mutants: Map<string, string> };
}

/** Folder of the run on the correct module; mutant ids cannot start with `_`. */
const CORRECT = '_correct';
export const BASELINE_CHECK_ID = 'passes-on-correct-code';

/** What probe.js wrote: the test running last, and the assertions counted (null: not counted). */
interface ProbeState {
  current: string | null;
  count: number | null;
  finished: boolean;
}

export function testSuiteGrader(config: TestSuiteConfig): TestSuiteGrader {
  const ids = new Set<string>();
  for (const { id } of config.mutants) {
    if (ids.has(id) || id === BASELINE_CHECK_ID) throw new Error(`two checks share the id "${id}"`);
    ids.add(id);
  }
  if (config.tests.length === 0) throw new Error('testSuiteGrader needs at least one test file');
  const testTimeoutMs = config.testTimeoutMs ?? limits.testMs;
  const concurrency = config.concurrency ?? 2;
  const baseline: Pick<CheckSpec<unknown>, 'id' | 'title' | 'points' | 'hint'> = {
    id: BASELINE_CHECK_ID,
    title: config.baseline?.title ?? 'Your tests pass on the correct code',
    points: config.baseline?.points ?? 1,
    hint:
      config.baseline?.hint ??
      'Work out the expected value by hand from the specification. A test that fails on correct code would fail on every version, so it proves nothing about bugs.',
  };

  const variants = (exerciseDir: string) => {
    const correct = readFileSync(join(exerciseDir, 'starter', config.module), 'utf8');
    return { correct, mutants: new Map(config.mutants.map((bug) => [bug.id, applyMutant(correct, bug)])) };
  };
  const mutantChecks = config.mutants.map((bug) => ({ bug, spec: { id: bug.id, title: `Catches the bug: ${bug.title}`, points: bug.points, hint: bug.hint } }));

  async function grade(input: GradeInput): Promise<GradeOutcome> {
    const started = performance.now();
    const { manifest } = input.exercise;
    if (!manifest.files.readonly.includes(config.module)) {
      throw new Error(`${config.module} must be listed in files.readonly of exercises/${input.exercise.id}/exercise.yaml`);
    }
    // Read-only files always from the exercise itself, whatever the submission or the caller holds.
    const starter = readStarter(input.exercise);
    const workspace = new Map<string, string>();
    for (const [path, text] of input.files) if (isSubmittable(manifest, path)) workspace.set(path, text);
    for (const path of manifest.files.readonly) {
      const text = starter.get(path);
      if (text === undefined) throw new Error(`starter/${path} of exercise ${input.exercise.id} is missing`);
      workspace.set(path, text);
    }
    for (const test of config.tests) {
      if (!workspace.has(test)) throw new SubmissionError('missing-file', `The submission has no \`${test}\`. Create it and check again.`);
    }
    const correctModule = workspace.get(config.module) as string;
    const mutated = config.mutants.map((bug) => ({ bug, source: applyMutant(correctModule, bug) }));

    const root = await mkdtemp(join(tmpdir(), 'bw-test-suite-'));
    let writingMutants: Promise<unknown> | undefined;
    try {
      await writeFolder(join(root, CORRECT), workspace);
      // The mutants' folders are written while the tests run on the correct code.
      writingMutants = Promise.all(mutated.map(({ bug, source }) => writeFolder(join(root, bug.id), new Map([...workspace, [config.module, source]]))));
      const probeFile = join(root, 'probe.json');
      const correctRun = await runNodeTests({
        cwd: root,
        files: config.tests.map((test) => `${CORRECT}/${test}`),
        testTimeoutMs,
        concurrency: 1,
        timeoutMs: config.tests.length * testTimeoutMs + 3_000,
        probeFile,
        signal: input.signal,
      });
      const probe = readProbe(probeFile);
      throwIfStopped(correctRun, input.signal, 'on the correct code', probe);
      const result = resultsByFolder(correctRun.events, [CORRECT]).get(CORRECT) as FolderResult;
      const baselineVerdict = judgeBaseline(result, correctRun, probe, join(root, CORRECT), config.tests, testTimeoutMs);

      if (baselineVerdict.status !== 'pass') {
        const why =
          result.status === 'no-tests'
            ? 'Not judged: no test ran, so no bug can be caught.'
            : 'Not judged: your tests must pass on the correct code before they can tell a bug from it.';
        return {
          checks: [toResult(baseline, baselineVerdict), ...mutantChecks.map(({ spec }) => skipped(spec, why))],
          summary: `caught 0 of ${config.mutants.length} bugs: ${result.status === 'no-tests' ? 'no test ran' : 'your tests must pass on the correct code first'}`,
        };
      }

      await writingMutants;
      const rounds = Math.ceil((config.mutants.length * config.tests.length) / concurrency);
      const elapsed = performance.now() - started;
      const mutantRun = await runNodeTests({
        cwd: root,
        files: config.mutants.flatMap((bug) => config.tests.map((test) => `${bug.id}/${test}`)),
        testTimeoutMs,
        concurrency,
        timeoutMs: Math.max(1_000, Math.min(rounds * (testTimeoutMs + 1_000) + 3_000, limits.gradeMs - elapsed - 2_000)),
        signal: input.signal,
      });
      if (input.signal.aborted) throw stopped(input.signal);
      const results = resultsByFolder(
        mutantRun.events,
        config.mutants.map((bug) => bug.id),
      );
      const caughtIds = new Set(config.mutants.filter((bug) => isCaught(results.get(bug.id))).map((bug) => bug.id));
      // Told only when both facts agree: no bug caught, and not one assertion ran on the correct
      // code. A suite that checks by throwing its own errors catches bugs and is not told this.
      const assertsNothing = caughtIds.size === 0 && probe?.finished === true && probe.count === 0;
      const checks: CheckResult[] = [toResult(baseline, baselineVerdict)];
      for (const { bug, spec } of mutantChecks) checks.push(toResult(spec, judgeMutant(bug, results.get(bug.id) as FolderResult, mutantRun, assertsNothing)));
      const summary = `caught ${caughtIds.size} of ${config.mutants.length} bugs`;
      return {
        checks,
        summary: assertsNothing ? `${summary}; your tests never assert anything, so they pass whatever the code returns` : summary,
      };
    } finally {
      await writingMutants?.catch(() => undefined);
      await rm(root, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  return { kind: 'test-suite', version: testSuiteKindVersion, config, variants, grade };
}

function judgeBaseline(
  result: FolderResult,
  run: NodeTestRun,
  probe: ProbeState | undefined,
  folder: string,
  tests: readonly string[],
  testTimeoutMs: number,
): Verdict {
  const limit = `${testTimeoutMs / 1000} s`;
  const output = cleanOutput(result.stderr, folder);
  if (result.status === 'missing') {
    // Nothing reported at all: the runner itself was killed (a test can signal its parent), or it failed.
    if (run.process.exitSignal) {
      throw new SubmissionError('crash', `The test runner was stopped by ${run.process.exitSignal} before it reported anything. Do your tests end processes?`);
    }
    throw new Error(`node --test reported nothing (exit code ${run.process.exitCode}): ${run.process.stderr.slice(0, 500)}`);
  }
  if (result.status === 'timeout') {
    const name = result.hang?.name ?? probe?.current ?? undefined;
    const file = relativeTo(result.hang?.file ?? tests[0] ?? '');
    throw new SubmissionError(
      'timeout',
      name
        ? `Your test "${name}" never finished on the correct code and was stopped after ${limit}. Look for a loop that never ends or a promise that is never settled.`
        : `Your test file never finished loading on the correct code and was stopped after ${limit}: something outside any test runs for ever.`,
      { location: { file }, ...(output ? { output } : {}) },
    );
  }
  if (result.status === 'no-tests') {
    return fail(
      `No test ran: ${tests.map((test) => `\`${test}\``).join(', ')} defines no test (or skips them all), so it catches nothing. Write tests with test('…', () => { … }) from node:test.`,
      { location: { file: tests[0] as string } },
    );
  }
  if (result.status === 'fail') {
    if (result.firstFailure) {
      const { name, message, line, file } = result.firstFailure;
      return fail(`Your test "${name}" fails on the correct code: ${oneLine(message)}`, {
        location: { file: relativeTo(file), ...(line ? { line } : {}) },
        output: message.trim(),
      });
    }
    // The file failed outside any test: it did not load, or it threw after its tests.
    const file = relativeTo(result.fileFailure?.file ?? tests[0] ?? '');
    const loadError = loadErrorOf(result.stderr, join(folder, file));
    const location = { file, ...(loadError?.line ? { line: loadError.line } : {}) };
    if (loadError?.kind === 'syntax') {
      throw new SubmissionError('syntax', `\`${file}\` is not valid JavaScript${loadError.line ? ` (line ${loadError.line})` : ''}: ${loadError.message}`, {
        location,
        output,
      });
    }
    if (loadError && result.testsRun === 0) {
      const what = loadError.kind === 'import' ? 'could not load what it imports' : 'stopped with an error before any test ran';
      throw new SubmissionError('crash', `\`${file}\` ${what}${loadError.line ? ` (line ${loadError.line})` : ''}: ${loadError.message}`, { location, output });
    }
    return fail(`\`${file}\` failed outside any test on the correct code: ${oneLine(result.fileFailure?.message ?? loadError?.message ?? 'the file failed')}`, {
      location,
      ...(output ? { output } : {}),
    });
  }
  return pass();
}

/** A mutant is caught when any test fails on it or never finishes (as in Stryker). */
function isCaught(result: FolderResult | undefined): boolean {
  return result?.status === 'fail' || result?.status === 'timeout';
}

function judgeMutant(bug: Mutant, result: FolderResult, run: NodeTestRun, assertsNothing: boolean): Verdict {
  if (isCaught(result)) return pass();
  if (result.status === 'missing') {
    const why: Record<string, string> = {
      timeout: `the run over the buggy versions was stopped after ${limitText(run)}`,
      'output-limit': 'your tests printed too much on a buggy version and the run was stopped',
      'out-of-memory': 'your tests used too much memory on a buggy version and the run was stopped',
    };
    return {
      status: run.process.killedFor === 'timeout' ? 'timeout' : 'error',
      message: `This bug was not judged: ${why[run.process.killedFor ?? ''] ?? 'the test run ended before it got to this bug'}.`,
    };
  }
  return fail(
    `This bug went unnoticed: ${bug.behaviour}.` +
      (assertsNothing ? ' None of your tests asserts anything, so no bug can make them fail.' : ''),
  );
}

/** Turns a sandbox kill into the submission error it stands for. */
function throwIfStopped(run: NodeTestRun, signal: AbortSignal, where: string, probe: ProbeState | undefined): void {
  const killed = run.process.killedFor;
  if (signal.aborted || killed === 'aborted') throw stopped(signal);
  if (killed === 'output-limit') throw new SubmissionError('output-limit', `Your tests printed too much ${where} and were stopped. Print less, or nothing: assertions need no output.`);
  if (killed === 'out-of-memory') throw new SubmissionError('out-of-memory', `Your tests used more memory than allowed ${where} and were stopped.`);
  if (killed === 'timeout') {
    throw new SubmissionError(
      'timeout',
      probe?.current ? `Your test "${probe.current}" never finished ${where} and was stopped.` : `Your tests never finished ${where} and were stopped.`,
    );
  }
}

function stopped(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('The grade was stopped.');
}

function readProbe(file: string): ProbeState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProbeState;
  } catch {
    return undefined;
  }
}

async function writeFolder(folder: string, files: ReadonlyMap<string, string>): Promise<void> {
  const dirs = new Set([...files.keys()].map((path) => dirname(join(folder, path))));
  await Promise.all([...dirs].map((dir) => mkdir(dir, { recursive: true })));
  await Promise.all([...files].map(([path, text]) => writeFile(join(folder, path), text)));
}

/** `_correct/test/x.test.js` -> `test/x.test.js`. */
function relativeTo(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file : file.slice(slash + 1);
}

/** Learner-facing stderr: paths inside the temporary folder shortened, node's own stack frames dropped. */
function cleanOutput(stderr: string, folder: string): string {
  return stderr
    .split(`file://${folder}/`)
    .join('')
    .split(`${folder}/`)
    .join('')
    .split('\n')
    .filter((line) => !/^\s+at .*(node:internal|\(node:)/.test(line) && !/^Node\.js v\d/.test(line))
    .join('\n')
    .trim();
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}…` : flat;
}

function limitText(run: NodeTestRun): string {
  return `${(run.process.durationMs / 1000).toFixed(1)} s`;
}
