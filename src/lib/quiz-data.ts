import { codeToHtml } from 'shiki';
import type { Question } from '../../graders/core/content.ts';
import type { ClientQuestion } from '../quiz/engine.ts';
import { getLessons, getQuizBank } from './course';
import { stages } from '../../graders/core/stages.ts';

/**
 * Turns the quiz banks into what the browser needs: Markdown and code rendered to HTML at build
 * time (no Markdown or highlighting library ships to the learner), keys and lesson links.
 */

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The small Markdown subset questions use: paragraphs, `code`, **bold**, *emphasis*, [links](/x/). */
export function markdownToHtml(text: string): string {
  const inline = (line: string) =>
    escapeHtml(line)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
      .replace(/\[([^\]]+)\]\(((?:\/|https:\/\/)[^)\s]*)\)/g, '<a href="$2">$1</a>');
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => `<p>${inline(paragraph.replace(/\n/g, ' '))}</p>`)
    .join('');
}

const themes = { light: 'github-light', dark: 'github-dark' } as const;

async function highlight(code: string, language: string | undefined): Promise<string> {
  try {
    return await codeToHtml(code.replace(/\n$/, ''), { lang: language ?? 'text', themes, defaultColor: false });
  } catch {
    return await codeToHtml(code.replace(/\n$/, ''), { lang: 'text', themes, defaultColor: false });
  }
}

/** One highlighted line per source line, for spot-the-bug questions. */
async function highlightLines(code: string, language: string): Promise<string[]> {
  const html = await highlight(code, language);
  const lines = [...html.matchAll(/<span class="line">([\s\S]*?)<\/span>(?=\n<span class="line">|<\/code>)/g)].map((match) => match[1]!);
  const expected = code.replace(/\n$/, '').split('\n').length;
  return lines.length === expected ? lines : code.replace(/\n$/, '').split('\n').map(escapeHtml);
}

async function toClient(question: Question, stage: (typeof stages)[number], lessons: Map<string, { url: string; title: string }>): Promise<ClientQuestion> {
  const lesson = lessons.get(question.lesson);
  const base = {
    key: `${stage.id}/${question.id}`,
    stage: stage.id,
    stageTitle: stage.title,
    ...(lesson ? { lessonUrl: lesson.url, lessonTitle: lesson.title } : {}),
    type: question.type,
    difficulty: question.difficulty,
    promptHtml: markdownToHtml(question.prompt),
    explanationHtml: markdownToHtml(question.explanation),
  };
  switch (question.type) {
    case 'single':
    case 'multiple':
    case 'predict':
      return {
        ...base,
        ...(question.code ? { codeHtml: await highlight(question.code, question.language) } : {}),
        options: question.options.map((option) => ({ html: markdownToHtml(option.text).replace(/^<p>|<\/p>$/g, ''), correct: option.correct, whyHtml: markdownToHtml(option.why) })),
      };
    case 'order':
      return { ...base, steps: question.steps.map((step) => markdownToHtml(step).replace(/^<p>|<\/p>$/g, '')) };
    case 'spot-the-bug':
      return {
        ...base,
        lines: await highlightLines(question.code, question.language),
        bugLine: question.bugLine,
        lineNotes: Object.fromEntries(Object.entries(question.lineNotes).map(([line, note]) => [line, markdownToHtml(note)])),
      };
  }
}

/** Every question of every bank, ready for the browser. */
export async function getClientQuestions(stageId?: string): Promise<ClientQuestion[]> {
  const lessons = await getLessons();
  const questions: ClientQuestion[] = [];
  for (const stage of stages) {
    if (stageId && stage.id !== stageId) continue;
    const bank = await getQuizBank(stage);
    if (!bank) continue;
    const stageLessons = new Map(lessons.filter((lesson) => lesson.stage === stage).map((lesson) => [lesson.slug, { url: lesson.url, title: lesson.title }]));
    for (const question of bank.data.questions) questions.push(await toClient(question, stage, stageLessons));
  }
  return questions;
}
