import { type Card, type Grade, Rating, createEmptyCard, fsrs, generatorParameters } from 'ts-fsrs';
import type { ReviewCard } from '../progress/progress-store.ts';

/**
 * The quiz's rules, free of the DOM: what a question looks like in the browser, how an answer is
 * scored, and how answers schedule reviews (FSRS through ts-fsrs).
 */

/** A question as the browser gets it: Markdown and code already rendered to HTML at build time. */
export interface ClientQuestion {
  /** `<stage>/<id>`: unique across banks, the key of its review card. */
  key: string;
  stage: string;
  stageTitle: string;
  lessonUrl?: string;
  lessonTitle?: string;
  type: 'single' | 'multiple' | 'predict' | 'order' | 'spot-the-bug';
  difficulty: 'easy' | 'medium' | 'hard';
  promptHtml: string;
  /** Highlighted snippet for choice questions (single, multiple, predict). */
  codeHtml?: string;
  options?: { html: string; correct: boolean; whyHtml: string }[];
  /** `order`: the steps in the right order (shuffled for display). */
  steps?: string[];
  /** `spot-the-bug`: each line of the snippet, highlighted. */
  lines?: string[];
  bugLine?: number;
  lineNotes?: Record<string, string>;
  explanationHtml: string;
}

export type Answer =
  | { type: 'single' | 'predict'; choice: number }
  | { type: 'multiple'; choices: number[] }
  | { type: 'order'; order: number[] }
  | { type: 'spot-the-bug'; line: number };

export interface Scored {
  correct: boolean;
  /** 0..1: partial credit for multiple choice and ordering, shown in reviews. */
  credit: number;
}

/** Scores an answer. Multiple choice must be exactly right to count as correct. */
export function scoreAnswer(question: ClientQuestion, answer: Answer): Scored {
  switch (answer.type) {
    case 'single':
    case 'predict': {
      const correct = question.options?.[answer.choice]?.correct === true;
      return { correct, credit: correct ? 1 : 0 };
    }
    case 'multiple': {
      const options = question.options ?? [];
      const right = options.filter((option) => option.correct).length;
      const chosen = new Set(answer.choices);
      const hits = options.filter((option, index) => option.correct && chosen.has(index)).length;
      const misses = options.filter((option, index) => !option.correct && chosen.has(index)).length;
      const correct = hits === right && misses === 0;
      return { correct, credit: right === 0 ? 0 : Math.max(0, (hits - misses) / right) };
    }
    case 'order': {
      const steps = question.steps ?? [];
      const inPlace = answer.order.filter((step, position) => step === position).length;
      const correct = answer.order.length === steps.length && inPlace === steps.length;
      return { correct, credit: steps.length === 0 ? 0 : inPlace / steps.length };
    }
    case 'spot-the-bug': {
      const correct = answer.line === question.bugLine;
      return { correct, credit: correct ? 1 : 0 };
    }
  }
}

/** A deterministic shuffle (mulberry32), so a reload shows the same order for the same seed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

/** A shuffled order of steps that is never already the right one (that would give it away). */
export function displayOrder(count: number, seed: number): number[] {
  const identity = Array.from({ length: count }, (_, index) => index);
  for (let attempt = 0; attempt < 10; attempt++) {
    const order = shuffled(identity, seed + attempt);
    if (order.some((step, position) => step !== position)) return order;
  }
  return [...identity.slice(1), identity[0]!];
}

// Retention 0.9 with short learning steps: a wrong answer comes back within minutes, then days.
const scheduler = fsrs(generatorParameters({ request_retention: 0.9, enable_fuzz: false, learning_steps: ['1m', '10m'] }));

function toCard(stored: ReviewCard | undefined, now: Date): Card {
  if (!stored) return createEmptyCard(now);
  return {
    due: new Date(stored.due),
    stability: stored.stability,
    difficulty: stored.difficulty,
    elapsed_days: stored.elapsedDays,
    scheduled_days: stored.scheduledDays,
    learning_steps: stored.learningSteps,
    reps: stored.reps,
    lapses: stored.lapses,
    state: stored.state,
    ...(stored.lastReview ? { last_review: new Date(stored.lastReview) } : {}),
  };
}

/** Schedules a question after an answer: wrong is "Again", right is "Good" (or "Easy" when asked). */
export function recordAnswer(stored: ReviewCard | undefined, correct: boolean, now: Date, easy = false): ReviewCard {
  const rating: Grade = correct ? (easy ? Rating.Easy : Rating.Good) : Rating.Again;
  const { card } = scheduler.next(toCard(stored, now), now, rating);
  return {
    due: card.due.toISOString(),
    stability: card.stability,
    difficulty: card.difficulty,
    elapsedDays: card.elapsed_days,
    scheduledDays: card.scheduled_days,
    learningSteps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state,
    ...(card.last_review ? { lastReview: card.last_review.toISOString() } : {}),
    history: [...(stored?.history ?? []), { at: now.toISOString(), correct }].slice(-20),
  };
}

/** Keys of the cards due by `now`, most overdue first. */
export function dueKeys(cards: Record<string, ReviewCard>, now: Date): string[] {
  return Object.entries(cards)
    .filter(([, card]) => new Date(card.due) <= now)
    .sort(([, a], [, b]) => a.due.localeCompare(b.due))
    .map(([key]) => key);
}

/** Cards due by the end of the learner's day (what "due today" means on the dashboard). */
export function dueToday(cards: Record<string, ReviewCard>, now: Date): number {
  const endOfDay = new Date(now);
  endOfDay.setHours(23, 59, 59, 999);
  return dueKeys(cards, endOfDay).length;
}

/**
 * Mastery of a set of questions: the share whose last answer was right and which are not due
 * again yet. A question never answered counts as not mastered.
 */
export function mastery(keys: readonly string[], cards: Record<string, ReviewCard>, now: Date): number {
  if (keys.length === 0) return 0;
  const mastered = keys.filter((key) => {
    const card = cards[key];
    return card !== undefined && card.history.at(-1)?.correct === true && new Date(card.due) > now;
  }).length;
  return mastered / keys.length;
}

/** Picks a mock interview: `count` questions spread across the chosen stages, seeded. */
export function pickMockQuestions(questions: readonly ClientQuestion[], stages: readonly string[], count: number, seed: number): ClientQuestion[] {
  const byStage = stages.map((stage) => shuffled(questions.filter((question) => question.stage === stage), seed + stage.length));
  const picked: ClientQuestion[] = [];
  // Round-robin over the stages so each is represented, then fill up from what is left.
  for (let round = 0; picked.length < count && byStage.some((list) => list.length > round); round++) {
    for (const list of byStage) {
      if (picked.length >= count) break;
      const question = list[round];
      if (question) picked.push(question);
    }
  }
  return shuffled(picked, seed);
}

/** Moments (seconds left) at which the mock interview's timer speaks to screen readers. */
export function shouldAnnounce(secondsLeft: number, totalSeconds: number): boolean {
  if (secondsLeft <= 0) return true;
  if (secondsLeft === 30 || secondsLeft === 60) return true;
  if (secondsLeft % 300 === 0 && secondsLeft !== totalSeconds) return true;
  return secondsLeft === Math.floor(totalSeconds / 2) && totalSeconds >= 240;
}
