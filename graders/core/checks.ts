import type { CheckResult, CheckStatus, ErrorReason, SourceLocation } from './report.ts';
import { truncateOutput } from './report.ts';

/**
 * The building blocks every grader kind composes: a check is an id, a title a learner
 * understands, points, a hint, and a function that observes the submission and returns a verdict.
 */

export interface Verdict {
  status: Exclude<CheckStatus, 'skipped'>;
  message?: string;
  output?: string;
  location?: SourceLocation;
}

export interface CheckSpec<Context> {
  id: string;
  title: string;
  points: number;
  /** Shown when the check does not pass: teaches without giving the answer away. */
  hint: string;
  run(context: Context): Promise<Verdict> | Verdict;
}

export const pass = (): Verdict => ({ status: 'pass' });

export function fail(message: string, extra: Omit<Verdict, 'status' | 'message'> = {}): Verdict {
  return { status: 'fail', message, ...extra };
}

export function timedOut(message: string, extra: Omit<Verdict, 'status' | 'message'> = {}): Verdict {
  return { status: 'timeout', message, ...extra };
}

/**
 * Thrown by a grader when the submission as a whole cannot be judged (it does not parse, a file
 * is missing, the server never starts). The engine turns it into an `error` report.
 */
export class SubmissionError extends Error {
  readonly reason: Exclude<ErrorReason, 'internal'>;
  readonly details: { location?: SourceLocation; output?: string };
  constructor(reason: Exclude<ErrorReason, 'internal'>, message: string, details: { location?: SourceLocation; output?: string } = {}) {
    super(message);
    this.reason = reason;
    this.details = details;
    this.name = 'SubmissionError';
  }
}

/** Turns a verdict into the check's place in the report. */
export function toResult(spec: Pick<CheckSpec<unknown>, 'id' | 'title' | 'points' | 'hint'>, verdict: Verdict): CheckResult {
  const passed = verdict.status === 'pass';
  return {
    id: spec.id,
    title: spec.title,
    status: verdict.status,
    points: passed ? spec.points : 0,
    maxPoints: spec.points,
    ...(passed ? {} : { message: verdict.message ?? 'This check did not pass.', hint: spec.hint }),
    ...(verdict.output ? { output: truncateOutput(verdict.output) } : {}),
    ...(verdict.location ? { location: verdict.location } : {}),
  };
}

/** A check that could not run because an earlier step failed. */
export function skipped(spec: Pick<CheckSpec<unknown>, 'id' | 'title' | 'points' | 'hint'>, why: string): CheckResult {
  return { id: spec.id, title: spec.title, status: 'skipped', points: 0, maxPoints: spec.points, message: why };
}

/**
 * Runs checks one after another. A check that throws is a fault of the grader, not of the
 * learner: it is reported as `error` with the exception, and the other checks still run.
 */
export async function runChecks<Context>(specs: readonly CheckSpec<Context>[], context: Context, signal?: AbortSignal): Promise<CheckResult[]> {
  assertUniqueIds(specs);
  const results: CheckResult[] = [];
  for (const spec of specs) {
    if (signal?.aborted) {
      results.push(skipped(spec, 'The grade was stopped before this check ran.'));
      continue;
    }
    try {
      results.push(toResult(spec, await spec.run(context)));
    } catch (error) {
      if (error instanceof SubmissionError) throw error;
      results.push(toResult(spec, { status: 'error', message: `The grader could not run this check: ${errorText(error)}` }));
    }
  }
  return results;
}

export function assertUniqueIds(specs: readonly { id: string }[]): void {
  const seen = new Set<string>();
  for (const { id } of specs) {
    if (seen.has(id)) throw new Error(`Two checks share the id "${id}"`);
    seen.add(id);
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
