// @ts-check
import { relative } from 'node:path';

/**
 * A `node --test` reporter (`--test-reporter=<this file>`) that turns the runner's events into one
 * JSON object per line on stdout, read by `parseEvents` in `results.ts` (whose `ReporterEvent`
 * type describes the lines).
 *
 * Why a reporter of our own rather than TAP or the built-in ones: each line names the file it
 * belongs to, so one run over a folder per mutant maps back to the mutants; the output stays small
 * whatever the suite (passing tests are counted, only the first failures of a file are written);
 * and nothing the learner's tests print can pass for a result (their stdout is dropped, their
 * stderr is capped and wrapped in JSON).
 *
 * Plain JavaScript on purpose: it is loaded by every `node --test` process the grader starts, and
 * Node's type stripping costs about 80 ms per process on this machine (measured), a sixth of the
 * grade's budget. It imports nothing from the project, so it works unchanged from `lib/`.
 */

/** Learner stderr kept per file: enough for a syntax error and its stack, not a flood. */
const STDERR_KEEP = 4096;
/** Failures written per file; the rest are only counted, so thousands of generated tests stay a few lines. */
const FAILURES_KEPT = 5;
const NAME_KEEP = 300;

/**
 * @typedef {{ failureType?: string, message?: string, cause?: unknown }} TestError
 * @typedef {{ file?: string, name?: string, nesting?: number, line?: number, column?: number,
 *   message?: string, skip?: unknown, todo?: unknown,
 *   details?: { type?: string, error?: TestError } }} TestEventData
 */

/** @param {TestError | undefined} error */
function causeOf(error) {
  if (!error) return {};
  const cause = /** @type {{ message?: unknown, name?: unknown } | string | undefined} */ (error.cause);
  if (cause && typeof cause === 'object') {
    return {
      text: typeof cause.message === 'string' ? cause.message : String(cause),
      name: typeof cause.name === 'string' ? cause.name : undefined,
    };
  }
  if (typeof cause === 'string') return { text: cause };
  return { text: error.message };
}

/** @param {AsyncIterable<{ type: string, data?: TestEventData }>} source */
export default async function* lineReporter(source) {
  const cwd = process.cwd();
  /** @param {TestEventData} data */
  const fileOf = (data) => (data.file ? relative(cwd, data.file.startsWith('file:') ? new URL(data.file).pathname : data.file) : '');
  /** Names of the suites around the test being reported, per file (events of one file arrive in order). @type {Map<string, string[]>} */
  const stacks = new Map();
  /** @type {Map<string, number>} */
  const stderrKept = new Map();
  /** @type {Map<string, { passed: number, failed: number, skipped: number, written: number }>} */
  const counts = new Map();
  /** @param {string} file */
  const countOf = (file) => {
    let count = counts.get(file);
    if (!count) counts.set(file, (count = { passed: 0, failed: 0, skipped: 0, written: 0 }));
    return count;
  };
  /** @param {string} file */
  const countLine = (file) => {
    const { passed, failed, skipped } = countOf(file);
    return JSON.stringify({ kind: 'count', file, passed, failed, skipped }) + '\n';
  };

  for await (const event of source) {
    const data = event.data ?? {};
    const file = fileOf(data);
    switch (event.type) {
      case 'test:start': {
        const stack = stacks.get(file) ?? [];
        stack.length = data.nesting ?? 0;
        stack.push((data.name ?? '').slice(0, NAME_KEEP));
        stacks.set(file, stack);
        break;
      }
      case 'test:pass':
      case 'test:fail': {
        const nesting = data.nesting ?? 0;
        // The runner's stand-in for a whole file (an empty file, a file that failed outside any
        // test, or one it stopped at the timeout) is named after the file's path.
        const fileLevel = nesting === 0 && data.name === file && data.line === 1 && data.column === 1;
        const suite = data.details?.type === 'suite';
        const count = countOf(file);
        if (event.type === 'test:pass') {
          if (!fileLevel && !suite) {
            if (data.skip || data.todo) count.skipped++;
            else count.passed++;
          }
          if (!fileLevel) break;
        } else if (!fileLevel && !suite) {
          count.failed++;
        }
        if (!fileLevel && count.written >= FAILURES_KEPT) break;
        count.written++;
        const stack = stacks.get(file) ?? [];
        const cause = causeOf(data.details?.error);
        const line = {
          kind: 'test',
          file,
          name: [...stack.slice(0, nesting), (data.name ?? '').slice(0, NAME_KEEP)].join(' > '),
          outcome: event.type === 'test:pass' ? 'pass' : 'fail',
          fileLevel,
          suite,
          ...(data.line !== undefined && !fileLevel ? { line: data.line } : {}),
          ...(event.type === 'test:fail'
            ? { failureType: data.details?.error?.failureType, error: cause.text?.slice(0, 2000), errorName: cause.name }
            : {}),
        };
        yield JSON.stringify(line) + '\n';
        break;
      }
      case 'test:summary':
        // Each file's own summary arrives when that file is done.
        if (data.file) yield countLine(file);
        break;
      case 'test:stderr': {
        const kept = stderrKept.get(file) ?? 0;
        if (kept >= STDERR_KEEP) break;
        const text = String(data.message ?? '').slice(0, STDERR_KEEP - kept);
        stderrKept.set(file, kept + text.length);
        yield JSON.stringify({ kind: 'stderr', file, text }) + '\n';
        break;
      }
      case 'test:diagnostic':
        // The runner's own counters ("tests 4") name no file; diagnostics about a file do.
        if (data.file) yield JSON.stringify({ kind: 'diagnostic', file, text: String(data.message ?? '').slice(0, 2000) }) + '\n';
        break;
      default:
        // test:stdout is what the learner's tests print: dropped, so it can neither flood nor forge a result.
        break;
    }
  }
  for (const file of counts.keys()) yield countLine(file);
}
