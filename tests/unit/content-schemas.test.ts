import { describe, expect, it } from 'vitest';
import { lessonSchema, quizBankSchema } from '../../graders/core/content.ts';
import { parseManifest } from '../../graders/core/exercises.ts';
import { ContentError, parseContent } from '../../graders/core/friendly-errors.ts';
import { stageFolder, stageFromFolder } from '../../graders/core/stages.ts';

const validManifest = `title: Design Shelf's database
summary: Write the schema of a library lending service.
stage: design
kind: sql-schema
difficulty: intermediate
minutes: 40
files:
  editable: [schema.sql]
  required: [schema.sql]
`;

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ContentError) return [error.message];
    throw error;
  }
  throw new Error('expected a ContentError');
}

describe('exercise manifests', () => {
  it('accepts a valid manifest and fills defaults', () => {
    const manifest = parseManifest(validManifest, 'exercises/design-schema/exercise.yaml');
    expect(manifest.files.readonly).toEqual([]);
    expect(manifest.order).toBe(1);
  });

  it('names the file, the field and what was expected', () => {
    const [message] = problemsOf(() => parseManifest(validManifest.replace('stage: design', 'stage: desing'), 'exercises/x/exercise.yaml'));
    expect(message).toContain('exercises/x/exercise.yaml');
    expect(message).toMatch(/stage: expected one of "requirements", "design"/);
  });

  it('reports a missing field and an unknown one', () => {
    const [message] = problemsOf(() => parseManifest(validManifest.replace('minutes: 40', 'minuets: 40'), 'exercise.yaml'));
    expect(message).toMatch(/minutes: required, expected number/);
    expect(message).toMatch(/unknown field "minuets"/);
  });

  it('reports a wrong type with the value found', () => {
    const [message] = problemsOf(() => parseManifest(validManifest.replace('minutes: 40', 'minutes: forty'), 'exercise.yaml'));
    expect(message).toMatch(/minutes: expected number, received the text "forty"/);
  });

  it('refuses a required file that is not editable, and paths that leave the exercise', () => {
    const text = validManifest.replace('required: [schema.sql]', 'required: [other.sql]').replace('editable: [schema.sql]', 'editable: [schema.sql, ../escape.sql]');
    const [message] = problemsOf(() => parseManifest(text, 'exercise.yaml'));
    expect(message).toMatch(/files\.required\.0: "other\.sql" must also be listed in files\.editable/);
    expect(message).toMatch(/files\.editable\.1: must be a relative path/);
  });

  it('reports YAML that does not parse', () => {
    const [message] = problemsOf(() => parseManifest('title: [unclosed', 'exercise.yaml'));
    expect(message).toMatch(/exercise\.yaml.*not valid YAML/s);
  });
});

describe('lesson frontmatter', () => {
  it('needs objectives', () => {
    const [message] = problemsOf(() => parseContent(lessonSchema, { title: 'User stories', summary: 'Who wants what, and why.', objectives: [] }, 'lessons/01-requirements/01-user-stories.mdx'));
    expect(message).toContain('lessons/01-requirements/01-user-stories.mdx');
    expect(message).toMatch(/objectives: must list at least 1 item/);
  });
});

describe('quiz banks', () => {
  const question = {
    id: 'status-created',
    type: 'single',
    prompt: 'Which status code answers a POST that created a resource?',
    difficulty: 'easy',
    lesson: 'api-design',
    explanation: '201 Created says a new resource exists, and Location says where.',
    options: [
      { text: '200', why: 'OK, but it does not say that something was created.' },
      { text: '201', correct: true, why: 'Created: the new resource is at Location.' },
    ],
  };

  it('accepts a valid bank', () => {
    expect(quizBankSchema.parse({ title: 'Design', questions: [question] }).questions).toHaveLength(1);
  });

  it('refuses a single-choice question with two right answers, and duplicate ids', () => {
    const twoRight = { ...question, options: question.options.map((option) => ({ ...option, correct: true })) };
    const [message] = problemsOf(() => parseContent(quizBankSchema, { title: 'Design', questions: [twoRight, twoRight] }, 'lessons/02-design/quiz.yaml'));
    expect(message).toMatch(/questions\.0\.options: a single question needs exactly one correct option, found 2/);
    expect(message).toMatch(/questions\.1\.id: duplicate question id "status-created"/);
  });
});

describe('stage folders', () => {
  it('maps folders to stages and back', () => {
    expect(stageFromFolder('03-development')).toBe('development');
    expect(stageFromFolder('04-development')).toBeUndefined();
    expect(stageFolder('tools')).toBe('08-tools');
  });
});
