import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeGraders, gradeSubmission } from '../../graders/core/grade.ts';
import { listExercises, readFolder, readSolution, readStarter } from '../../graders/core/exercises.ts';
import { expectedVerdictSchema, verdictOf } from '../../graders/core/report.ts';
import { leftoverProcesses } from '../../graders/core/sandbox.ts';

/**
 * The self-check every exercise must pass (freeCodeCamp's test-every-solution and Exercism's
 * golden expected results are the models): the solution passes every check, the starter fails
 * at least one, and every fixture gives exactly its expected verdicts.
 */

afterAll(async () => {
  await disposeGraders();
  // Whatever a fixture did (loop, flood, hog, hang), no learner process outlives its grade
  // (a SIGKILLed group may take a moment to be gone).
  let leftovers = leftoverProcesses();
  for (let attempt = 0; attempt < 20 && leftovers.length > 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    leftovers = leftoverProcesses();
  }
  expect(leftovers).toEqual([]);
});

for (const exercise of listExercises()) {
  describe(`exercise ${exercise.id}`, () => {
    it('the reference solution passes every check', async () => {
      const submission = new Map([...readStarter(exercise), ...readSolution(exercise)]);
      const report = await gradeSubmission(exercise.id, submission);
      const failing = report.checks.filter((check) => check.status !== 'pass').map((check) => `${check.id}: ${check.message}`);
      expect(failing, report.message).toEqual([]);
      expect(report.status).toBe('pass');
      expect(report.score).toBe(report.maxScore);
    });

    it('the starter fails at least one check', async () => {
      const report = await gradeSubmission(exercise.id, readStarter(exercise));
      expect(report.status).not.toBe('pass');
    });

    const fixturesDir = join(exercise.dir, 'fixtures');
    const cases = existsSync(fixturesDir) ? readdirSync(fixturesDir).filter((name) => existsSync(join(fixturesDir, name, 'expected.json'))) : [];
    for (const name of cases) {
      it(`fixture ${name} gives its expected verdicts`, async () => {
        const caseDir = join(fixturesDir, name);
        const expected = expectedVerdictSchema.parse(JSON.parse(readFileSync(join(caseDir, 'expected.json'), 'utf8')));
        const report = await gradeSubmission(exercise.id, readFolder(join(caseDir, 'submission')));
        expect(verdictOf(report), report.message).toEqual(expected);
      });
    }
  });
}
