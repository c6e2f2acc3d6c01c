import { describe, expect, it } from 'vitest';
import { type ClientQuestion, displayOrder, dueKeys, dueToday, mastery, pickMockQuestions, recordAnswer, scoreAnswer, shouldAnnounce, shuffled } from '../../src/quiz/engine.ts';
import { reviewCardSchema } from '../../src/progress/progress-store.ts';

const base = { stage: 'design', stageTitle: 'System design', difficulty: 'easy', promptHtml: '<p>?</p>', explanationHtml: '<p>!</p>' } as const;
const single: ClientQuestion = {
  ...base,
  key: 'design/created',
  type: 'single',
  options: [
    { html: '200', correct: false, whyHtml: '' },
    { html: '201', correct: true, whyHtml: '' },
  ],
};
const multiple: ClientQuestion = {
  ...base,
  key: 'design/idempotent',
  type: 'multiple',
  options: [
    { html: 'GET', correct: true, whyHtml: '' },
    { html: 'PUT', correct: true, whyHtml: '' },
    { html: 'POST', correct: false, whyHtml: '' },
    { html: 'DELETE', correct: true, whyHtml: '' },
  ],
};
const order: ClientQuestion = { ...base, key: 'design/order', type: 'order', steps: ['a', 'b', 'c', 'd'] };
const bug: ClientQuestion = { ...base, key: 'design/bug', type: 'spot-the-bug', lines: ['1', '2', '3'], bugLine: 2 };

describe('scoring', () => {
  it('single choice: right only for the correct option', () => {
    expect(scoreAnswer(single, { type: 'single', choice: 1 })).toEqual({ correct: true, credit: 1 });
    expect(scoreAnswer(single, { type: 'single', choice: 0 })).toEqual({ correct: false, credit: 0 });
  });

  it('multiple choice: exactly right is correct; partial credit subtracts wrong picks', () => {
    expect(scoreAnswer(multiple, { type: 'multiple', choices: [0, 1, 3] }).correct).toBe(true);
    const partial = scoreAnswer(multiple, { type: 'multiple', choices: [0, 1] });
    expect(partial.correct).toBe(false);
    expect(partial.credit).toBeCloseTo(2 / 3);
    expect(scoreAnswer(multiple, { type: 'multiple', choices: [0, 1, 2, 3] })).toEqual({ correct: false, credit: 2 / 3 });
    expect(scoreAnswer(multiple, { type: 'multiple', choices: [2] }).credit).toBe(0);
  });

  it('ordering: every step in place is correct; credit counts steps in place', () => {
    expect(scoreAnswer(order, { type: 'order', order: [0, 1, 2, 3] }).correct).toBe(true);
    expect(scoreAnswer(order, { type: 'order', order: [0, 1, 3, 2] })).toEqual({ correct: false, credit: 0.5 });
  });

  it('spot the bug: the bug line only', () => {
    expect(scoreAnswer(bug, { type: 'spot-the-bug', line: 2 }).correct).toBe(true);
    expect(scoreAnswer(bug, { type: 'spot-the-bug', line: 3 }).correct).toBe(false);
  });
});

describe('shuffles', () => {
  it('are deterministic for a seed and keep every item', () => {
    expect(shuffled([1, 2, 3, 4, 5], 42)).toEqual(shuffled([1, 2, 3, 4, 5], 42));
    expect([...shuffled([1, 2, 3, 4, 5], 7)].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('never show the steps of an ordering question already in order', () => {
    for (let seed = 0; seed < 200; seed++) {
      const shown = displayOrder(3, seed);
      expect(shown).not.toEqual([0, 1, 2]);
      expect([...shown].sort()).toEqual([0, 1, 2]);
    }
  });
});

describe('spaced repetition (FSRS)', () => {
  const now = new Date('2026-11-28T10:00:00Z');

  it('brings a wrong answer back within minutes and a right one after a day or more', () => {
    const wrong = recordAnswer(undefined, false, now);
    const right = recordAnswer(undefined, true, now);
    expect(reviewCardSchema.parse(wrong)).toEqual(wrong);
    expect(new Date(wrong.due).getTime() - now.getTime()).toBeLessThanOrEqual(10 * 60_000);
    expect(new Date(right.due).getTime()).toBeGreaterThan(now.getTime());
    expect(wrong.history).toEqual([{ at: now.toISOString(), correct: false }]);
  });

  it('spaces a question further out each time it is answered right on time', () => {
    let card = recordAnswer(undefined, true, now);
    const intervals: number[] = [];
    for (let review = 0; review < 4; review++) {
      const at = new Date(card.due);
      const next = recordAnswer(card, true, at);
      intervals.push(new Date(next.due).getTime() - at.getTime());
      card = next;
    }
    for (let index = 1; index < intervals.length; index++) expect(intervals[index]).toBeGreaterThan(intervals[index - 1]!);
    expect(card.reps).toBe(5);
  });

  it('counts a lapse when a known question is missed, and keeps only the last 20 answers', () => {
    let card = recordAnswer(undefined, true, now);
    card = recordAnswer(card, true, new Date(card.due));
    const lapsed = recordAnswer(card, false, new Date(card.due));
    expect(lapsed.lapses).toBe(1);
    let long = lapsed;
    for (let index = 0; index < 30; index++) long = recordAnswer(long, index % 2 === 0, new Date(long.due));
    expect(long.history).toHaveLength(20);
  });

  it('lists what is due, most overdue first, and what is due today', () => {
    const cards = {
      'a/1': recordAnswer(undefined, false, new Date('2026-11-28T08:00:00Z')),
      'a/2': recordAnswer(undefined, false, new Date('2026-11-28T07:00:00Z')),
      'a/3': recordAnswer(undefined, true, now),
    };
    expect(dueKeys(cards, now)).toEqual(['a/2', 'a/1']);
    expect(dueToday(cards, now)).toBeGreaterThanOrEqual(2);
  });

  it('measures mastery as right-and-not-yet-due over all questions', () => {
    const cards = { 'a/1': recordAnswer(undefined, true, now), 'a/2': recordAnswer(undefined, false, now) };
    expect(mastery(['a/1', 'a/2', 'a/3', 'a/4'], cards, now)).toBe(0.25);
    expect(mastery([], cards, now)).toBe(0);
  });
});

describe('mock interviews', () => {
  const bank = (stage: string, count: number): ClientQuestion[] => Array.from({ length: count }, (_, index) => ({ ...single, stage, key: `${stage}/${index}` }));
  const all = [...bank('design', 10), ...bank('testing', 10), ...bank('deployment', 2)];

  it('spreads the questions across the chosen stages, without repeats', () => {
    const picked = pickMockQuestions(all, ['design', 'testing', 'deployment'], 9, 1);
    expect(picked).toHaveLength(9);
    expect(new Set(picked.map((question) => question.key)).size).toBe(9);
    expect(picked.filter((question) => question.stage === 'deployment')).toHaveLength(2);
    expect(picked.filter((question) => question.stage === 'design').length).toBeGreaterThanOrEqual(3);
  });

  it('gives what exists when fewer questions are available than asked', () => {
    expect(pickMockQuestions(all, ['deployment'], 10, 3)).toHaveLength(2);
  });

  it('announces the timer only at sensible moments', () => {
    const total = 15 * 60;
    const spoken = Array.from({ length: total + 1 }, (_, left) => left).filter((left) => shouldAnnounce(left, total));
    expect(spoken).toEqual([0, 30, 60, 300, 450, 600]);
  });
});
