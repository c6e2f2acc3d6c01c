import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { quizBankSchema } from '../../graders/core/content.ts';
import { parseContent } from '../../graders/core/friendly-errors.ts';
import { stageFolder, stages } from '../../graders/core/stages.ts';

/** The interview-prep banks: valid, tied to real lessons, varied, and 150 questions or more. */

const banks = stages.map((stage) => {
  const folder = join('lessons', stageFolder(stage.id));
  const file = join(folder, 'quiz.yaml');
  const lessons = existsSync(folder) ? readdirSync(folder).filter((name) => /^\d\d-.+\.mdx$/.test(name)).map((name) => name.replace(/^\d\d-/, '').replace(/\.mdx$/, '')) : [];
  return { stage, file, lessons, bank: existsSync(file) ? parseContent(quizBankSchema, parseYaml(readFileSync(file, 'utf8')), file) : undefined };
});

describe('quiz banks', () => {
  for (const { stage, file, lessons, bank } of banks) {
    describe(stage.title, () => {
      it(`${file} exists and validates`, () => {
        expect(bank, `${file} is missing`).toBeDefined();
      });

      it('every question names a lesson of its own stage', () => {
        const unknown = (bank?.questions ?? []).filter((question) => !lessons.includes(question.lesson)).map((question) => `${file}: question "${question.id}" names lesson "${question.lesson}", which is not in ${stageFolder(stage.id)}/`);
        expect(unknown).toEqual([]);
      });

      it('has every type of question, in both easy and harder forms', () => {
        const types = new Set(bank?.questions.map((question) => question.type));
        expect([...types].sort(), `${file} should use every question type`).toEqual(['multiple', 'order', 'predict', 'single', 'spot-the-bug']);
        const difficulties = new Set(bank?.questions.map((question) => question.difficulty));
        expect(difficulties.size, `${file} should mix difficulties`).toBeGreaterThanOrEqual(2);
      });

      it('never repeats an option within a question', () => {
        for (const question of bank?.questions ?? []) {
          if (question.type === 'single' || question.type === 'multiple' || question.type === 'predict') {
            expect(new Set(question.options.map((option) => option.text)).size, `${file}: "${question.id}" repeats an option`).toBe(question.options.length);
          }
        }
      });
    });
  }

  it('holds 150 questions or more in all', () => {
    const total = banks.reduce((sum, { bank }) => sum + (bank?.questions.length ?? 0), 0);
    expect(total).toBeGreaterThanOrEqual(150);
  });
});
