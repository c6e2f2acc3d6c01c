import { fileURLToPath } from 'node:url';
import { limits } from '../core/limits.ts';
import { type ProcessOutcome, nodeBinary, runSandboxed } from '../core/sandbox.ts';
import { type ReporterEvent, parseEvents } from './results.ts';

/**
 * One `node --test` process over some test files, in the sandbox, reported by `reporter.js`.
 *
 * Measured on Node 22.23: with process isolation (the default), `--test-timeout` bounds each test
 * file as a whole as well as each test, because the runner gives every file's stand-in test the
 * same timeout. A file whose tests take 3 s together is stopped like a file with one hanging test.
 */

export interface NodeTestOptions {
  /** The folder the run starts in; `files` are relative to it. */
  cwd: string;
  files: string[];
  /** `--test-timeout`, per test (and per file, see above). */
  testTimeoutMs?: number;
  /** Test files run at the same time (`--test-concurrency`). */
  concurrency?: number;
  /** Wall clock of the whole run; the process group is killed past it. */
  timeoutMs: number;
  /** Preloads `probe.js`, which writes the running test and the assertion count to this file. */
  probeFile?: string;
  signal?: AbortSignal;
  /** Called with the process group id as soon as the run starts (tests prove it is gone afterwards). */
  onStart?: (pgid: number) => void;
}

export interface NodeTestRun {
  events: ReporterEvent[];
  process: ProcessOutcome;
  pgid: number;
}

// Plain JavaScript beside this module, from sources and from `lib/` alike (the build copies
// non-TypeScript files as they are): see the note at the top of reporter.js.
const reporterUrl = new URL('./reporter.js', import.meta.url).href;
const probeUrl = new URL('./probe.js', import.meta.url).href;

export async function runNodeTests(options: NodeTestOptions): Promise<NodeTestRun> {
  const args = [
    // Module hooks announce themselves as experimental on every start; learners need not see it.
    '--disable-warning=ExperimentalWarning',
    ...(options.probeFile ? ['--import', probeUrl] : []),
    '--test',
    `--test-timeout=${options.testTimeoutMs ?? limits.testMs}`,
    `--test-concurrency=${options.concurrency ?? 1}`,
    // A test that leaves a timer or a socket open must not be taken for a test that hangs.
    '--test-force-exit',
    `--test-reporter=${reporterUrl}`,
    '--test-reporter-destination=stdout',
    ...options.files,
  ];
  const child = runSandboxed(nodeBinary, args, {
    cwd: options.cwd,
    env: options.probeFile ? { BW_PROBE_FILE: options.probeFile } : {},
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  options.onStart?.(child.pid);
  const outcome = await child.exited;
  return { events: parseEvents(outcome.stdout), process: outcome, pgid: child.pid };
}

/** For messages and tests: where the reporter and the probe live. */
export const runnerFiles = { reporter: fileURLToPath(reporterUrl), probe: fileURLToPath(probeUrl) };
