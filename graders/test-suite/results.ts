/**
 * From the reporter's lines to a verdict per folder: the pure half of the test-suite kind, kept
 * apart from processes so it can be tested on recorded events.
 */

/**
 * One line of `reporter.js`: failures (the first few per file) and the runner's stand-in for a
 * whole file are written as `test`; passing tests are only counted, in `count` lines (the last one
 * per file holds).
 */
export type ReporterEvent =
  | {
      kind: 'test';
      file: string;
      name: string;
      outcome: 'pass' | 'fail';
      fileLevel: boolean;
      suite: boolean;
      line?: number;
      failureType?: string;
      error?: string;
      errorName?: string;
    }
  | { kind: 'count'; file: string; passed: number; failed: number; skipped: number }
  | { kind: 'stderr'; file: string; text: string }
  | { kind: 'diagnostic'; file: string; text: string };

/** What one folder's tests did. `missing`: no event at all (the run was stopped before it). */
export type RunStatus = 'pass' | 'fail' | 'timeout' | 'no-tests' | 'missing';

export interface FailedTest {
  name: string;
  message: string;
  line?: number;
  file: string;
}

export interface FolderResult {
  status: RunStatus;
  /** Tests that ran (suites, skipped and todo tests not counted). */
  testsRun: number;
  /** The first test that failed for a reason of its own (not cancelled because another failed). */
  firstFailure?: FailedTest;
  /** Set when a test never finished; `name` is unknown when the process was killed mid-test. */
  hang?: { name?: string; file: string };
  /** The file failed outside any test (it did not load, or threw after its tests). */
  fileFailure?: { file: string; message: string };
  stderr: string;
  diagnostics: string[];
}

/** Parses the reporter's stdout; lines that are not its JSON are ignored. */
export function parseEvents(stdout: string): ReporterEvent[] {
  const events: ReporterEvent[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value = JSON.parse(line) as ReporterEvent;
      if (value && typeof value === 'object' && typeof value.file === 'string' && ['test', 'count', 'stderr', 'diagnostic'].includes(value.kind)) events.push(value);
    } catch {
      // a line cut by the output cap
    }
  }
  return events;
}

/** node:test's words for a test that never finished. */
const pendingPromise = /Promise resolution is still pending but the event loop has already resolved/;

function isHang(event: Extract<ReporterEvent, { kind: 'test' }>): boolean {
  return event.failureType === 'testTimeoutFailure' || (event.failureType === 'cancelledByParent' && pendingPromise.test(event.error ?? ''));
}

/** The first path segment: the folder a file belongs to (`grace-ignored/test/late-fee.test.js` -> `grace-ignored`). */
export function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file : file.slice(0, slash);
}

/** Folds the events of a run over one folder per variant into one result per folder. */
export function resultsByFolder(events: readonly ReporterEvent[], folders: readonly string[]): Map<string, FolderResult> {
  const grouped = new Map<string, ReporterEvent[]>(folders.map((folder) => [folder, []]));
  for (const event of events) grouped.get(folderOf(event.file))?.push(event);
  return new Map([...grouped].map(([folder, folderEvents]) => [folder, summarize(folderEvents)]));
}

/** The verdict of one folder's events. */
export function summarize(events: readonly ReporterEvent[]): FolderResult {
  const tests = events.filter((event) => event.kind === 'test');
  const stderr = events
    .filter((event) => event.kind === 'stderr')
    .map((event) => event.text)
    .join('');
  const diagnostics = events.filter((event) => event.kind === 'diagnostic').map((event) => event.text);
  if (events.length === 0) return { status: 'missing', testsRun: 0, stderr, diagnostics };

  const own = tests.filter((event) => !event.fileLevel && !event.suite);
  const counted = new Map<string, Extract<ReporterEvent, { kind: 'count' }>>();
  for (const event of events) if (event.kind === 'count') counted.set(event.file, event);
  const testsRun = [...counted.values()].reduce((sum, count) => sum + count.passed + count.failed, 0);
  const failures = tests.filter((event) => event.outcome === 'fail');
  const hanging = failures.find((event) => !event.suite && isHang(event));
  const ownFailure =
    own.find((event) => event.outcome === 'fail' && !isHang(event) && event.failureType !== 'cancelledByParent') ??
    failures.find((event) => !event.fileLevel && !isHang(event) && event.failureType !== 'cancelledByParent' && event.failureType !== 'subtestsFailed');
  const fileLevel = failures.find((event) => event.fileLevel);

  const result: FolderResult = { status: 'pass', testsRun, stderr, diagnostics };
  if (ownFailure) {
    result.firstFailure = {
      name: ownFailure.name,
      message: ownFailure.error ?? 'the test failed',
      file: ownFailure.file,
      ...(ownFailure.line !== undefined ? { line: ownFailure.line } : {}),
    };
  }
  if (hanging) {
    result.hang = { file: hanging.file, ...(hanging.fileLevel ? {} : { name: hanging.name }) };
  }
  if (fileLevel && !hanging) {
    result.fileFailure = { file: fileLevel.file, message: diagnostics.join('\n') || fileLevel.error || 'the test file failed' };
  }
  if (hanging) result.status = 'timeout';
  else if (failures.length > 0) result.status = 'fail';
  else if (testsRun === 0) result.status = 'no-tests';
  return result;
}

/** Where a test file failed to load: `{ line, message }` from node's report of a SyntaxError or a thrown error. */
export function loadErrorOf(stderr: string, file: string): { kind: 'syntax' | 'import' | 'crash'; line?: number; message: string } | undefined {
  const lines = stderr.split('\n');
  const errorLine = lines.find((line) => /^[A-Z][A-Za-z]*Error\b|^Error\b/.test(line) || /^\[?[A-Z][A-Za-z]*Error\]?:/.test(line));
  if (!errorLine) return undefined;
  // node prints `file:///…/test/late-fee.test.js:12` above the code frame of a load-time error.
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const at = stderr.match(new RegExp(`${escaped}:(\\d+)`));
  const line = at ? Number(at[1]) : undefined;
  const message = errorLine.trim();
  const withLine = line !== undefined ? { line } : {};
  if (/^SyntaxError\b/.test(message) && /does not provide an export named/.test(message)) return { kind: 'import', message, ...withLine };
  if (/^SyntaxError\b/.test(message)) return { kind: 'syntax', message, ...withLine };
  if (/ERR_MODULE_NOT_FOUND|Cannot find module|Cannot find package/.test(stderr)) return { kind: 'import', message, ...withLine };
  return { kind: 'crash', message, ...withLine };
}
