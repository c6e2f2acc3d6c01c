import { Worker } from 'node:worker_threads';
import { SubmissionError } from '../core/checks.ts';
import { siblingModule } from '../core/exercises.ts';
import type { DbError, FromWorker, Reply, Request, ToWorker } from './protocol.ts';
import { abortable } from '../core/abort.ts';

/**
 * The main-thread side of the PGlite worker: one warm database per process, shared by every
 * sql-schema grader and used by one grade at a time.
 *
 * - Boot: the first grade runs initdb in a worker (2–4 s) and keeps the pristine data directory
 *   it sends back; any later worker starts from that snapshot (under 1 s).
 * - Grades run in a {@link DatabaseSession} with a budget (10 s): every call is watched, and on
 *   overrun the worker is terminated, because PGlite ignores statement_timeout and blocks its thread.
 * - After each grade the worker resets itself in the background and checks that the catalog is
 *   pristine again; when it is not, when its memory has swollen, or the reset fails or overruns,
 *   the worker is replaced.
 */

/** How long our own work may take: booting a worker, and resetting it between grades. */
const BOOT_MS = 60_000;
const RESET_MS = 5_000;
/**
 * A fresh worker holds about 260 MB of WebAssembly memory. A submission that builds a huge result
 * grows it, and WebAssembly memory never shrinks: past this, the worker is replaced rather than
 * kept warm, so one grade cannot leave the host holding a gigabyte for good.
 */
const MAX_WARM_MEMORY_MB = 640;

class WorkerHandle {
  readonly worker: Worker;
  readonly ready: Promise<{ bootMs: number; snapshot?: ArrayBuffer }>;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  /** Set once the worker is gone (terminated, crashed, ran out of memory); why, for the report. */
  gone?: { reason: 'crash' | 'out-of-memory' | 'terminated'; message: string };
  private readonly exited: Promise<void>;

  constructor(snapshot: ArrayBuffer | undefined, onExit: () => void) {
    const copy = snapshot?.slice(0);
    this.worker = new Worker(siblingModule(import.meta.url, 'worker'), {
      workerData: copy ? { snapshot: copy } : {},
      transferList: copy ? [copy] : [],
      // Bounds the worker's JavaScript heap (rows a submission SELECTs); PGlite's own memory is WebAssembly.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
      stdout: true,
      stderr: true,
    });
    // PGlite may print; nothing of it belongs in a report or the host's console.
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve(message);
        else if (message.type === 'reply') {
          const waiter = this.pending.get(message.id);
          this.pending.delete(message.id);
          waiter?.resolve(message.reply);
        }
      });
      this.worker.on('error', (error: Error & { code?: string }) => {
        const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        this.fail(outOfMemory ? 'out-of-memory' : 'crash', error.message);
        reject(error);
      });
    });
    this.ready.catch(() => undefined);
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.fail('terminated', 'The database worker stopped.');
        onExit();
        resolve();
      }),
    );
  }

  private fail(reason: NonNullable<WorkerHandle['gone']>['reason'], message: string): void {
    this.gone ??= { reason, message };
    for (const waiter of this.pending.values()) waiter.reject(new WorkerGone(this.gone.reason, this.gone.message));
    this.pending.clear();
  }

  /** Sends a request; rejects with WorkerGone if the worker dies first. */
  call(request: Request): Promise<Reply> {
    if (this.gone) return Promise.reject(new WorkerGone(this.gone.reason, this.gone.message));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, request } satisfies ToWorker);
    });
  }

  /** Stops the worker and waits until its thread has ended. */
  async terminate(): Promise<void> {
    this.fail('terminated', 'The database worker was stopped.');
    await this.worker.terminate();
    await this.exited;
  }
}

export class WorkerGone extends Error {
  readonly reason: 'crash' | 'out-of-memory' | 'terminated';
  constructor(reason: WorkerGone['reason'], message: string) {
    super(message);
    this.reason = reason;
    this.name = 'WorkerGone';
  }
}

/** A statement PostgreSQL refused, when the caller wanted rows. */
export class QueryError extends Error {
  readonly error: DbError;
  constructor(error: DbError) {
    super(error.message);
    this.error = error;
    this.name = 'QueryError';
  }
}

export interface DatabaseStats {
  /** Workers started with initdb (cold) and from the snapshot (after a dirty reset, a timeout or dispose). */
  coldBoots: number;
  snapshotBoots: number;
  lastBootMs: number;
  /** Resets that found the catalog pristine, and those that had to replace the worker (dirty or swollen). */
  cleanResets: number;
  dirtyResets: number;
}

export interface SessionOptions {
  /** Wall-clock budget for the grade's statements; the worker is terminated past it. */
  budgetMs: number;
  signal?: AbortSignal;
}

/**
 * One grade's access to the database. Every call is timed against the grade's budget; on overrun
 * or abort the worker is terminated and the call throws. Timeouts and crashes throw
 * SubmissionError (the submission caused them); `activity` names what was running, for the message.
 */
export class DatabaseSession {
  /** Set by the grader: "running schema.sql", "checking “…”". Used in timeout messages. */
  activity = 'running schema.sql';
  private readonly handle: WorkerHandle;
  private readonly deadline: number;
  private readonly budgetMs: number;
  private readonly signal: AbortSignal | undefined;
  /** Once the watchdog or an abort stopped the worker, every later call fails the same way. */
  private fatal: Error | undefined;

  constructor(handle: WorkerHandle, options: SessionOptions) {
    this.handle = handle;
    this.budgetMs = options.budgetMs;
    this.deadline = performance.now() + options.budgetMs;
    this.signal = options.signal;
  }

  private async call(request: Request): Promise<Reply> {
    if (this.fatal) throw this.fatal;
    this.signal?.throwIfAborted();
    const remaining = this.deadline - performance.now();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      const kill = (error: Error) => {
        this.fatal = error;
        reject(error); // first, so the race settles with this error rather than the worker's exit
        void this.handle.terminate();
      };
      timer = setTimeout(() => kill(this.timeoutError()), Math.max(0, remaining));
      onAbort = () => kill(this.signal?.reason instanceof Error ? this.signal.reason : new Error('The grade was cancelled.'));
      this.signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([this.handle.call(request), stop]);
    } catch (error) {
      if (error instanceof WorkerGone && error.reason !== 'terminated') {
        throw (this.fatal = new SubmissionError(
          error.reason,
          error.reason === 'out-of-memory'
            ? `The database ran out of memory while ${this.activity}. Does something return or build a huge result?`
            : `The database stopped unexpectedly while ${this.activity}: ${error.message}`,
        ));
      }
      if (error instanceof WorkerGone) throw (this.fatal = new Error(`The database was shut down while ${this.activity}.`));
      throw error;
    } finally {
      clearTimeout(timer);
      if (onAbort) this.signal?.removeEventListener('abort', onAbort);
    }
  }

  private timeoutError(): SubmissionError {
    const seconds = this.budgetMs / 1000;
    return new SubmissionError(
      'timeout',
      `The database worked for more than ${seconds} s while ${this.activity} and was stopped. ` +
        'Look for a statement that never ends: a loop in a DO block, a function or a trigger.',
    );
  }

  /** Runs SQL (any number of statements), discarding rows. */
  async run(sql: string): Promise<Reply> {
    return this.call({ op: 'run', sql });
  }

  /** Runs statements one at a time, stopping at the first that fails (`failedIndex`). */
  async runEach(statements: string[]): Promise<Reply> {
    return this.call({ op: 'runEach', statements });
  }

  /** One statement's rows; throws QueryError when PostgreSQL refuses it. */
  async query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]> {
    const reply = await this.call({ op: 'query', sql, ...(params ? { params } : {}) });
    if (!reply.ok) throw new QueryError(reply.error);
    return (reply.rows ?? []) as Row[];
  }

  /** Like `query`, but a refusal is a value, not an exception (probes expect refusals). */
  async attempt<Row = Record<string, unknown>>(sql: string): Promise<{ ok: true; rows: Row[] } | { ok: false; error: DbError }> {
    const reply = await this.call({ op: 'query', sql });
    return reply.ok ? { ok: true, rows: (reply.rows ?? []) as Row[] } : { ok: false, error: reply.error };
  }

  /** Drops what the submission created, within the grade (used before re-running a file statement by statement). */
  async reset(): Promise<void> {
    const reply = await this.call({ op: 'reset' });
    if (!reply.ok) throw new Error(`The database could not be reset: ${reply.error.message}`);
  }
}

/** The warm database of a process. Use {@link sharedDatabase} rather than constructing one. */
export class SchemaDatabase {
  private snapshot: ArrayBuffer | undefined;
  private handle: WorkerHandle | undefined;
  /** A worker being started, shared by every grade that waits for it. */
  private booting: Promise<WorkerHandle> | undefined;
  /** The previous grade's reset, which the next grade waits for. */
  private settling: Promise<void> = Promise.resolve();
  /** Grades wait in line: PGlite has one session. */
  private line: Promise<unknown> = Promise.resolve();
  readonly stats: DatabaseStats = { coldBoots: 0, snapshotBoots: 0, lastBootMs: 0, cleanResets: 0, dirtyResets: 0 };
  private threads = 0;
  /** Bumped by dispose(), so a worker that finishes booting afterwards is not kept. */
  private generation = 0;

  /** Worker threads started and not yet exited (their `exit` event counts them down). */
  get runningWorkers(): number {
    return this.threads;
  }

  /** Runs `work` with the database to itself, starting from a pristine schema. */
  session<T>(options: SessionOptions, work: (session: DatabaseSession) => Promise<T>): Promise<T> {
    const turn = this.line.then(() => this.exclusive(options, work));
    this.line = turn.catch(() => undefined);
    return turn;
  }

  private async exclusive<T>(options: SessionOptions, work: (session: DatabaseSession) => Promise<T>): Promise<T> {
    options.signal?.throwIfAborted();
    // A cancelled grade stops waiting at once; a boot it started goes on for the next grade.
    await abortable(this.settling, options.signal);
    const handle = await abortable(this.acquire(), options.signal);
    try {
      return await work(new DatabaseSession(handle, options));
    } finally {
      this.settling = this.settle(handle);
    }
  }

  private acquire(): Promise<WorkerHandle> {
    if (this.handle && !this.handle.gone) return Promise.resolve(this.handle);
    this.handle = undefined;
    this.booting ??= this.boot().finally(() => {
      this.booting = undefined;
    });
    return this.booting;
  }

  private async boot(): Promise<WorkerHandle> {
    const generation = this.generation;
    this.threads++;
    const handle = new WorkerHandle(this.snapshot, () => this.threads--);
    let timer: NodeJS.Timeout | undefined;
    try {
      const ready = await Promise.race([
        handle.ready,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`The database did not start within ${BOOT_MS / 1000} s.`)), BOOT_MS);
        }),
      ]);
      if (ready.snapshot) {
        this.snapshot = ready.snapshot;
        this.stats.coldBoots++;
      } else this.stats.snapshotBoots++;
      if (generation !== this.generation) throw new Error('The database was disposed while it started.');
      this.stats.lastBootMs = ready.bootMs;
      this.handle = handle;
      return handle;
    } catch (error) {
      await handle.terminate();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resets after a grade; a worker that is gone, dirty, failing or slow is dropped (the next grade starts a new one). */
  private async settle(handle: WorkerHandle): Promise<void> {
    if (handle.gone) {
      if (this.handle === handle) this.handle = undefined;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    let clean = false;
    try {
      const reply = await Promise.race([
        handle.call({ op: 'reset' }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('reset overran')), RESET_MS);
        }),
      ]);
      clean = reply.ok && reply.clean === true && (reply.memoryMb ?? 0) <= MAX_WARM_MEMORY_MB;
    } catch {
      clean = false;
    } finally {
      clearTimeout(timer);
    }
    if (clean) {
      this.stats.cleanResets++;
      return;
    }
    this.stats.dirtyResets++;
    if (this.handle === handle) this.handle = undefined;
    await handle.terminate();
  }

  /** Terminates the worker (waiting for its thread to end). The snapshot is kept, so a later grade starts in under a second. */
  async dispose(): Promise<void> {
    this.generation++;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.terminate();
    await this.settling.catch(() => undefined);
  }
}

let shared: SchemaDatabase | undefined;

/** The process's warm database, created on first use. */
export function sharedDatabase(): SchemaDatabase {
  shared ??= new SchemaDatabase();
  return shared;
}
