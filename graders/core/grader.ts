import type { CheckResult, ErDiagram } from './report.ts';
import type { GraderKind } from './exercise.ts';
import type { FileMap, LoadedExercise } from './exercises.ts';

/** What a grader is given: the exercise and the assembled workspace, never the raw submission folder. */
export interface GradeInput {
  exercise: LoadedExercise;
  /** Read-only files from the exercise plus the learner's submittable files. */
  files: ReadonlyMap<string, string>;
  /** Seed for any randomised data, recorded in the report so a run can be replayed. */
  seed: number;
  /** Aborted when the grade is cancelled or runs out of time; stop work and clean up. */
  signal: AbortSignal;
}

export interface GradeOutcome {
  checks: CheckResult[];
  /** One line such as "caught 9 of 11 bugs". */
  summary?: string;
  diagram?: ErDiagram;
  /** Whether the grader used `seed` (only then is it written to the report). */
  usedSeed?: boolean;
}

/** The one grader interface. `exercises/<id>/grader.ts` default-exports one of these. */
export interface Grader {
  kind: GraderKind;
  /** Version of the grader kind; bump it when verdicts may change. */
  version: string;
  grade(input: GradeInput): Promise<GradeOutcome>;
  /** Releases warm resources (a database worker). Called when the host shuts down. */
  dispose?(): Promise<void>;
}

export function isGrader(value: unknown): value is Grader {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Grader).grade === 'function' &&
    typeof (value as Grader).kind === 'string' &&
    typeof (value as Grader).version === 'string'
  );
}

export type { FileMap, LoadedExercise };
