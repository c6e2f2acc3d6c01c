/**
 * Messages between the grader (main thread) and the PGlite worker. The worker is a thin database
 * server: it runs SQL and resets itself; every judgement is made on the main thread.
 */

/** A PostgreSQL error, as the worker reports it (the fields a grader and a learner need). */
export interface DbError {
  /** SQLSTATE, for example `23505`; empty when the failure did not come from PostgreSQL. */
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement that failed, when PostgreSQL gives one. */
  position?: number;
  where?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

export type Request =
  /** Runs SQL (one or more statements) and discards the rows; `ok: false` carries PostgreSQL's error. */
  | { op: 'run'; sql: string }
  /** Runs statements one at a time, as psql does, stopping at the first that fails. */
  | { op: 'runEach'; statements: string[] }
  /** One statement; returns its rows. */
  | { op: 'query'; sql: string; params?: unknown[] }
  /** Drops everything a submission may have created; `clean` says whether the database is pristine again. */
  | { op: 'reset' };

export type Reply =
  | {
      ok: true;
      rows?: Record<string, unknown>[];
      inTransaction?: boolean;
      clean?: boolean;
      /** After a reset: memory held by the worker outside its JavaScript heap (PGlite's WebAssembly memory), in MB. */
      memoryMb?: number;
    }
  | { ok: false; error: DbError; failedIndex?: number };

/** What the worker posts once PGlite is ready. `snapshot` is set when it ran initdb itself. */
export interface Ready {
  type: 'ready';
  bootMs: number;
  snapshot?: ArrayBuffer;
}

export interface WorkerData {
  /** Data directory to start from (a tar made by `dumpDataDir`); absent: run initdb and send one back. */
  snapshot?: ArrayBuffer;
}

export type FromWorker = Ready | { type: 'reply'; id: number; reply: Reply } | { type: 'fatal'; message: string };
export type ToWorker = { id: number; request: Request };
