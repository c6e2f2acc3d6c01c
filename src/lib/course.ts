import { type CollectionEntry, getCollection } from 'astro:content';
import { type Stage, type StageId, stageFromFolder, stages } from '../../graders/core/stages.ts';

/**
 * The course as the site sees it: lessons in reading order, exercises and quiz banks by stage,
 * and the URLs of each. Pages ask this module rather than reading collections themselves.
 */

export interface CourseLesson {
  entry: CollectionEntry<'lessons'>;
  stage: Stage;
  /** Position within its stage, from the `NN-` prefix of the file name. */
  order: number;
  slug: string;
  url: string;
  readingMinutes: number;
  title: string;
  summary: string;
}

export interface CourseExercise {
  entry: CollectionEntry<'exercises'>;
  id: string;
  stage: Stage;
  url: string;
}

export const stageUrl = (id: StageId) => `/stages/${id}/`;
export const lessonUrl = (stage: StageId, slug: string) => `/lessons/${stage}/${slug}/`;
export const exerciseUrl = (id: string) => `/exercises/${id}/`;
export const quizUrl = (stage: StageId) => `/quiz/${stage}/`;

/** Words a learner reads: prose, with code blocks, imports and markup left out. */
export function proseWordCount(mdx: string): number {
  const prose = mdx
    .replace(/^---[\s\S]*?---/, '')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/^import .*$/gm, '')
    .replace(/<[^>]+>/g, ' ');
  return prose.split(/\s+/).filter((word) => /[A-Za-z0-9]/.test(word)).length;
}

/** Reading time at 200 words a minute, plus a little for each code block. */
export function readingMinutes(mdx: string): number {
  const codeBlocks = (mdx.match(/```/g)?.length ?? 0) / 2;
  return Math.max(1, Math.round(proseWordCount(mdx) / 200 + codeBlocks * 0.3));
}

function parseLessonId(id: string): { stage: Stage; order: number; slug: string } {
  const [folder, file] = id.split('/');
  const stageId = folder ? stageFromFolder(folder) : undefined;
  const match = file ? /^(\d\d)-(.+)$/.exec(file) : null;
  const stage = stages.find((candidate) => candidate.id === stageId);
  if (!stage || !match) {
    throw new Error(`lessons/${id}.mdx: a lesson must live at lessons/NN-<stage>/NN-<slug>.mdx with a known stage (${stages.map((s) => s.id).join(', ')})`);
  }
  return { stage, order: Number(match[1]), slug: match[2]! };
}

let lessonsCache: Promise<CourseLesson[]> | undefined;

/** Every lesson, in course order (stage, then position). */
export function getLessons(): Promise<CourseLesson[]> {
  lessonsCache ??= getCollection('lessons').then((entries) =>
    entries
      .map((entry) => {
        const { stage, order, slug } = parseLessonId(entry.id);
        return {
          entry,
          stage,
          order,
          slug,
          url: lessonUrl(stage.id, slug),
          readingMinutes: readingMinutes(entry.body ?? ''),
          title: entry.data.title,
          summary: entry.data.summary,
        };
      })
      .sort((a, b) => stages.indexOf(a.stage) - stages.indexOf(b.stage) || a.order - b.order),
  );
  return lessonsCache;
}

export async function getExercises(): Promise<CourseExercise[]> {
  const entries = await getCollection('exercises');
  return entries
    .map((entry) => ({
      entry,
      id: entry.id,
      stage: stages.find((stage) => stage.id === entry.data.stage)!,
      url: exerciseUrl(entry.id),
    }))
    .sort((a, b) => stages.indexOf(a.stage) - stages.indexOf(b.stage) || a.entry.data.order - b.entry.data.order);
}

export async function getQuizBank(stage: Stage): Promise<CollectionEntry<'quizzes'> | undefined> {
  const banks = await getCollection('quizzes');
  return banks.find((bank) => stageFromFolder(bank.id) === stage.id);
}

export interface StageOverview {
  stage: Stage;
  number: number;
  lessons: CourseLesson[];
  exercises: CourseExercise[];
  questionCount: number;
  /** `<stage>/<question id>` of every question of the stage's bank: the keys of review cards. */
  questionKeys: string[];
  url: string;
}

export async function getStageOverviews(): Promise<StageOverview[]> {
  const [lessons, exercises, banks] = await Promise.all([getLessons(), getExercises(), getCollection('quizzes')]);
  return stages.map((stage, index) => ({
    stage,
    number: index + 1,
    lessons: lessons.filter((lesson) => lesson.stage === stage),
    exercises: exercises.filter((exercise) => exercise.stage === stage),
    questionCount: banks.find((bank) => stageFromFolder(bank.id) === stage.id)?.data.questions.length ?? 0,
    questionKeys: (banks.find((bank) => stageFromFolder(bank.id) === stage.id)?.data.questions ?? []).map((question) => `${stage.id}/${question.id}`),
    url: stageUrl(stage.id),
  }));
}

export const difficultyLabel = { beginner: 'Beginner', intermediate: 'Intermediate', advanced: 'Advanced' } as const;

export const kindLabel = {
  'sql-schema': 'Database schema, graded on PostgreSQL',
  'http-api': 'HTTP API, graded by real requests',
  'test-suite': 'Tests, graded by the bugs they catch',
  dockerfile: 'Dockerfile, graded rule by rule',
} as const;
