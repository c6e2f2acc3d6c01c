import { createServer } from 'node:net';
import { SubmissionError } from '../core/checks.ts';
import { limits } from '../core/limits.ts';
import { type ProcessOutcome, type SandboxedProcess, runSandboxed } from '../core/sandbox.ts';
import { type SentRequest, send } from './http.ts';
import { removeRun, shippedPackages, writeRun } from './runtime.ts';

/**
 * Starts a learner's server the way `npm start` would, waits until it answers, and takes it down
 * again with everything it started.
 *
 * Why not run npm itself: measured on this machine, `npm start` took 260–450 ms to a first answer
 * against 130–210 ms for `sh -c "<scripts.start>"`, and npm stays resident as the group leader
 * (~64 MB RSS more) for the whole grade. `sh -c` runs the very same command line npm would
 * (`prestart` first when there is one, and `node server.js` when there is no `start`, as npm
 * does), with the course's node first on PATH.
 */

export interface ServerInfo {
  pid: number;
  /** The run folder the submission was written to. */
  dir: string;
  port: number;
}

export interface StartOptions {
  /** Polled until any HTTP response comes back. */
  readyPath: string;
  readyMs: number;
  signal: AbortSignal;
  onStarted?: (info: ServerInfo) => void;
  /** How long the server may run at most; a grade's limit by default (the request panel's is longer). */
  lifetimeMs?: number;
}

/** Node and libuv phrasing for "the process was given less memory than it wanted". */
const heapExhausted = /JavaScript heap out of memory|Reached heap limit|Allocation failed/;

export class LearnerServer {
  host = '127.0.0.1';
  port = 0;
  dir: string | undefined;
  /** Set once the process has exited (on its own, killed by the sandbox, or stopped by us). */
  exit: ProcessOutcome | undefined;
  readyAfterMs = 0;
  private child: SandboxedProcess | undefined;

  /** Writes the workspace, starts the server and resolves once it answers; throws a SubmissionError otherwise. */
  async start(files: ReadonlyMap<string, string>, options: StartOptions): Promise<void> {
    const command = startCommand(files);
    this.dir = await writeRun(files);
    this.port = await freePort();
    const started = performance.now();
    this.child = runSandboxed('sh', ['-c', command], {
      cwd: this.dir,
      env: {
        PORT: String(this.port),
        HOST: '127.0.0.1',
        // A deeper stack than the default 10 frames reaches the learner's own file when a framework throws.
        NODE_OPTIONS: `--max-old-space-size=${limits.heapMb} --stack-trace-limit=40`,
        npm_lifecycle_event: 'start',
      },
      timeoutMs: options.lifetimeMs ?? limits.gradeMs,
      signal: options.signal,
    });
    options.onStarted?.({ pid: this.child.pid, dir: this.dir, port: this.port });
    void this.child.exited.then((outcome) => {
      this.exit = outcome;
    });
    const host = await this.waitUntilReady(options);
    this.host = host;
    this.readyAfterMs = Math.round(performance.now() - started);
  }

  /** Everything the server printed so far (kept part), with run-folder paths made relative. */
  output(): string {
    return this.relative(this.child?.output() ?? '');
  }

  /** Length of the raw output so far, to slice what a single request made it print. */
  outputMark(): number {
    return this.child?.output().length ?? 0;
  }

  outputSince(mark: number): string {
    return this.relative((this.child?.output() ?? '').slice(mark));
  }

  /** Resolves when the process has exited. */
  get exited(): Promise<ProcessOutcome> {
    return this.child?.exited ?? Promise.reject(new Error('the server was never started'));
  }

  /** Kills the whole process group (if it still runs) and returns how the process ended. */
  async stop(): Promise<ProcessOutcome | undefined> {
    if (!this.child) return undefined;
    this.exit = await this.child.kill('aborted');
    return this.exit;
  }

  /** Stops the server and removes the run folder; safe to call more than once. */
  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    if (this.dir) await removeRun(this.dir);
    this.dir = undefined;
  }

  private async waitUntilReady(options: StartOptions): Promise<string> {
    const child = this.child as SandboxedProcess;
    const deadline = performance.now() + options.readyMs;
    const probe: SentRequest = { method: 'GET', path: options.readyPath, headers: {} };
    const exited = child.exited.then(() => ({ kind: 'exited' as const }));
    let accepted = false;
    for (;;) {
      if (options.signal.aborted) throw options.signal.reason ?? new Error('The grade was stopped.');
      if (this.exit) throw this.startFailure(this.exit);
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      // A server told HOST=127.0.0.1 may still bind `localhost`, which is only ::1 on some machines.
      for (const host of ['127.0.0.1', '::1']) {
        const result = await Promise.race([send(host, this.port, probe, Math.min(remaining, 1000), options.signal), exited]);
        if (result.kind === 'response') return host;
        if (result.kind === 'exited') break;
        if (result.kind === 'timeout') accepted = true;
      }
      await Promise.race([sleep(50), exited]);
    }
    if (options.signal.aborted) throw options.signal.reason ?? new Error('The grade was stopped.');
    const outcome = await child.kill('timeout');
    // The sandbox may have stopped it for memory or output just as the clock ran out.
    if (outcome.killedFor === 'output-limit' || outcome.killedFor === 'out-of-memory') throw this.startFailure(outcome);
    const seconds = options.readyMs / 1000;
    throw new SubmissionError(
      'timeout',
      accepted
        ? `Your server accepted connections on port ${this.port} but did not answer \`GET ${options.readyPath}\` within ${seconds} s. ` +
            'Something before the response never finishes (an await that never resolves, a missing res.end()).'
        : `Your server did not answer on port ${this.port} within ${seconds} s. The grader starts it with \`npm start\` and gives ` +
            'the port in the PORT environment variable: does it call listen(process.env.PORT)? A fixed port or another variable name ' +
            'leaves the grader knocking on a closed door.',
      { output: this.relative(outcome.output) || '(your server printed nothing)' },
    );
  }

  /** Explains why the server ended before it answered anything. */
  startFailure(outcome: ProcessOutcome): SubmissionError {
    const output = this.relative(outcome.output);
    const stderr = this.relative(outcome.stderr);
    const shown = (stderr.trim() ? stderr : output) || '(your server printed nothing)';
    if (outcome.killedFor === 'output-limit') {
      return new SubmissionError(
        'output-limit',
        `Your server printed more than ${limits.outputKillBytes / 1024 / 1024} MB, so it was stopped. Log a line per event, not whole collections in a loop.`,
        { output: output || shown },
      );
    }
    if (outcome.killedFor === 'out-of-memory' || heapExhausted.test(outcome.stderr)) {
      return new SubmissionError(
        'out-of-memory',
        `Your server used more memory than it may (${limits.heapMb} MB of JavaScript heap, ${limits.rssMb} MB in all), so it was stopped. ` +
          'Look for a collection or buffer that grows without end.',
        { output: shown },
      );
    }
    if (outcome.killedFor === 'timeout') {
      return new SubmissionError('timeout', `Your server ran longer than the whole grade may take (${limits.gradeMs / 1000} s) and was stopped.`, { output: shown });
    }
    const syntax = this.syntaxError(outcome.stderr);
    if (syntax) return syntax;
    const code = outcome.exitCode ?? outcome.exitSignal ?? 'unknown';
    const location = this.firstOwnFrame(outcome.stderr);
    const details = { output: shown, ...(location ? { location } : {}) };
    const missingPackage = /Cannot find (?:package|module) '([^']+)'/.exec(outcome.stderr);
    if (missingPackage?.[1] && /ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND/.test(outcome.stderr)) {
      const specifier = missingPackage[1];
      if (this.dir && specifier.startsWith(this.dir)) {
        return new SubmissionError(
          'crash',
          `Your server needs \`${this.relative(specifier)}\`, which is not in your submission. Check the path in the start script or the import, ` +
            'and the file extension (ES modules need `.js` in relative imports).',
          details,
        );
      }
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) {
        return new SubmissionError(
          'crash',
          `Your server imports the package \`${packageName(specifier)}\`, which the course does not provide. A graded server may import only ` +
            `Node's built-in modules (node:http, node:crypto, …) and ${shippedPackages.map((name) => `\`${name}\``).join(', ')}.`,
          details,
        );
      }
    }
    if (/PathError|pathToRegexpError/.test(outcome.stderr)) {
      return new SubmissionError(
        'crash',
        'Your server stopped during start-up: a route path uses syntax that Express 5 no longer accepts (a bare `*` or an optional `:param?`). ' +
          'Wildcards need a name in Express 5 (`/*rest`), and a handler for every other route needs no path at all.',
        details,
      );
    }
    if (/EADDRINUSE/.test(outcome.stderr)) {
      return new SubmissionError('crash', 'Your server tried to listen on a port that is already taken. Listen on process.env.PORT, the port the grader gives it, not a fixed one.', details);
    }
    if (outcome.exitCode === 0) {
      return new SubmissionError(
        'crash',
        'Your server ended (exit code 0) before it answered any request: nothing kept it running. A server keeps running once it calls listen(process.env.PORT).',
        details,
      );
    }
    if (outcome.exitCode === 127 && /not found/.test(outcome.stderr)) {
      return new SubmissionError('crash', 'The "start" script in package.json names a command that does not exist here. Start your server with `node <file>`.', details);
    }
    return new SubmissionError('crash', `Your server stopped during start-up (exit code ${code}) before it answered a request. Its error output is below.`, details);
  }

  private syntaxError(stderr: string): SubmissionError | undefined {
    if (!/^SyntaxError: /m.test(stderr) || !this.dir) return undefined;
    const escaped = escapeRegExp(this.dir);
    const where = new RegExp(`^(?:file://)?${escaped}/(\\S+?):(\\d+)\\s*$`, 'm').exec(stderr);
    if (!where) return undefined;
    const message = /^SyntaxError: (.*)$/m.exec(stderr)?.[1] ?? 'invalid syntax';
    const file = where[1] as string;
    return new SubmissionError('syntax', `${file}, line ${where[2]}: ${message}`, {
      location: { file, line: Number(where[2]) },
      output: this.relative(stderr),
    });
  }

  /** The first stack frame inside the submission: where the learner's own code threw. */
  private firstOwnFrame(stderr: string): { file: string; line: number; column: number } | undefined {
    if (!this.dir) return undefined;
    const frame = new RegExp(`(?:file://)?${escapeRegExp(this.dir)}/([^\\s:()]+):(\\d+):(\\d+)`).exec(stderr);
    return frame ? { file: frame[1] as string, line: Number(frame[2]), column: Number(frame[3]) } : undefined;
  }

  private relative(text: string): string {
    if (!this.dir) return text;
    return text.split(`file://${this.dir}/`).join('').split(`${this.dir}/`).join('');
  }
}

/** The command `npm start` would run for this package.json. */
export function startCommand(files: ReadonlyMap<string, string>): string {
  const text = files.get('package.json');
  if (text === undefined) {
    throw new SubmissionError('missing-file', 'There is no `package.json`, so `npm start` has nothing to run. Add one with a "start" script.');
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = /line (\d+)/.exec(message)?.[1] ?? lineAtPosition(text, /position (\d+)/.exec(message)?.[1]);
    throw new SubmissionError('syntax', `package.json is not valid JSON: ${message}`, {
      location: { file: 'package.json', ...(line ? { line: Number(line) } : {}) },
    });
  }
  const scripts = (manifest as { scripts?: Record<string, unknown> } | null)?.scripts;
  const start = typeof scripts?.start === 'string' && scripts.start.trim() !== '' ? scripts.start : files.has('server.js') ? 'node server.js' : undefined;
  if (!start) {
    throw new SubmissionError('crash', 'package.json has no "start" script, so `npm start` cannot start your server. Add one under "scripts", such as "start": "node src/server.js".', {
      location: { file: 'package.json' },
    });
  }
  const prestart = typeof scripts?.prestart === 'string' && scripts.prestart.trim() !== '' ? scripts.prestart : undefined;
  return prestart ? `${prestart} && ${start}` : start;
}

function lineAtPosition(text: string, position: string | undefined): string | undefined {
  if (position === undefined) return undefined;
  return String(text.slice(0, Number(position)).split('\n').length);
}

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port nobody listens on right now (the kernel picks it; the learner's server takes it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
