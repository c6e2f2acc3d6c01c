/**
 * Limits on learner code, measured on a 2-core machine (see ARCHITECTURE.md, "Untrusted code").
 * Every grader takes its numbers from here so that the CLI, the course server and the browser agree.
 */
export const limits = {
  /** The whole grade, wall clock; then everything is killed and the run is an error. */
  gradeMs: 30_000,
  /** A learner's server getting ready to answer. */
  serverReadyMs: 8_000,
  /** One HTTP request to a learner's server. */
  requestMs: 2_000,
  /** One learner test (`node --test --test-timeout`). */
  testMs: 3_000,
  /** Output kept from a learner process. */
  outputKeepBytes: 64 * 1024,
  /** A learner process that prints more than this is killed (reason `output-limit`). */
  outputKillBytes: 2 * 1024 * 1024,
  /** V8 heap of a learner process, through --max-old-space-size. */
  heapMb: 256,
  /** Resident memory of a learner's process group; past it the group is killed (reason `out-of-memory`). */
  rssMb: 512,
  /** A PGlite worker: one grade's statements. */
  databaseMs: 10_000,
  /** Between SIGTERM and SIGKILL. */
  killGraceMs: 500,
} as const;

export type Limits = typeof limits;
