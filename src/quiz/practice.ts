import { type KeyValueStorage, loadProgress, updateProgress } from '../progress/progress-store.ts';
import { type ClientQuestion, recordAnswer, scoreAnswer, shuffled } from './engine.ts';
import { renderQuestion } from './question-view.ts';

/**
 * Practice and review: one question at a time, immediate feedback and explanation; every answer
 * schedules the question for spaced repetition.
 */

export interface PracticeOptions {
  root: HTMLElement;
  questions: ClientQuestion[];
  storage: KeyValueStorage;
  /** Shown when the set is done. */
  doneMessage: string;
  shuffle: boolean;
}

export function startPractice({ root, questions, storage, doneMessage, shuffle }: PracticeOptions): void {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const queue = shuffle ? shuffled(questions, seed) : [...questions];
  const counter = root.querySelector<HTMLElement>('[data-counter]')!;
  const stage = root.querySelector<HTMLElement>('[data-question]')!;
  const checkButton = root.querySelector<HTMLButtonElement>('[data-check]')!;
  const nextButton = root.querySelector<HTMLButtonElement>('[data-next]')!;
  const problem = root.querySelector<HTMLElement>('[data-problem]')!;
  const tally = { answered: 0, correct: 0 };
  let index = -1;
  let view: ReturnType<typeof renderQuestion> | undefined;

  const show = () => {
    index++;
    problem.textContent = '';
    if (index >= queue.length) {
      counter.textContent = `Done: ${tally.correct} of ${tally.answered} right.`;
      stage.innerHTML = `<p class="done">${doneMessage}</p>`;
      checkButton.hidden = true;
      nextButton.hidden = true;
      stage.querySelector<HTMLElement>('.done')?.setAttribute('tabindex', '-1');
      stage.querySelector<HTMLElement>('.done')?.focus();
      return;
    }
    const question = queue[index]!;
    counter.textContent = `Question ${index + 1} of ${queue.length} · ${question.stageTitle} · ${question.difficulty}`;
    view = renderQuestion(stage, question, seed + index, `q-${index}`);
    checkButton.hidden = false;
    nextButton.hidden = true;
    if (index > 0) view.focus();
  };

  checkButton.addEventListener('click', () => {
    const question = queue[index];
    if (!question || !view) return;
    const answer = view.answer();
    if (!answer) {
      problem.textContent = question.type === 'spot-the-bug' ? 'Choose a line first.' : 'Choose an answer first.';
      return;
    }
    problem.textContent = '';
    const scored = scoreAnswer(question, answer);
    tally.answered++;
    if (scored.correct) tally.correct++;
    view.showFeedback(answer, scored);
    view.lock();
    const now = new Date();
    updateProgress(storage, (progress) => {
      progress.cards[question.key] = recordAnswer(progress.cards[question.key], scored.correct, now);
    });
    checkButton.hidden = true;
    nextButton.hidden = false;
    nextButton.textContent = index + 1 < queue.length ? 'Next question' : 'Finish';
    nextButton.focus();
  });
  nextButton.addEventListener('click', show);

  // Make sure stored progress is readable before answers are added to it (corrupt data is set aside).
  const { setAside } = loadProgress(storage);
  if (setAside) problem.textContent = `Your saved quiz progress could not be read and was set aside (${setAside.reason}).`;
  show();
}

/** Reads the questions a page embedded at build time. */
export function embeddedQuestions(id = 'quiz-questions'): ClientQuestion[] {
  const script = document.getElementById(id);
  return script?.textContent ? (JSON.parse(script.textContent) as ClientQuestion[]) : [];
}
