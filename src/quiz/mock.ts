import { type KeyValueStorage, type MockInterviewResult, updateProgress } from '../progress/progress-store.ts';
import { type Answer, type ClientQuestion, pickMockQuestions, recordAnswer, scoreAnswer, shouldAnnounce } from './engine.ts';
import { type QuestionView, renderQuestion } from './question-view.ts';

/**
 * A timed mock interview: questions across the chosen stages, no feedback until the end, then
 * a review with explanations and a score by stage. The timer speaks to screen readers only at
 * sensible moments (half time, every five minutes, one minute, thirty seconds, time up).
 */

export interface MockSetup {
  stages: string[];
  count: number;
  minutes: number;
}

export function runMockInterview(root: HTMLElement, all: ClientQuestion[], setup: MockSetup, storage: KeyValueStorage, onFinish: () => void): void {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const questions = pickMockQuestions(all, setup.stages, setup.count, seed);
  const answers: (Answer | undefined)[] = questions.map(() => undefined);
  const totalSeconds = Math.round(setup.minutes * 60);
  const started = Date.now();
  let index = 0;
  let view: QuestionView | undefined;
  let finished = false;

  root.innerHTML = `
    <div class="mock-bar">
      <p class="quiz-counter" data-counter></p>
      <p class="timer" aria-hidden="true" data-timer></p>
      <p class="visually-hidden" aria-live="assertive" data-announce></p>
    </div>
    <div data-question></div>
    <div class="quiz-actions">
      <button class="button secondary" type="button" data-prev>Previous</button>
      <button class="button" type="button" data-next>Next</button>
      <button class="button secondary" type="button" data-finish>Finish and see results</button>
    </div>`;
  const counter = root.querySelector<HTMLElement>('[data-counter]')!;
  const timer = root.querySelector<HTMLElement>('[data-timer]')!;
  const announce = root.querySelector<HTMLElement>('[data-announce]')!;
  const container = root.querySelector<HTMLElement>('[data-question]')!;
  const previous = root.querySelector<HTMLButtonElement>('[data-prev]')!;
  const next = root.querySelector<HTMLButtonElement>('[data-next]')!;
  const finishButton = root.querySelector<HTMLButtonElement>('[data-finish]')!;

  const keep = () => {
    if (view) answers[index] = view.answer() ?? answers[index];
  };
  const show = (focus: boolean) => {
    const question = questions[index]!;
    counter.textContent = `Question ${index + 1} of ${questions.length} · ${question.stageTitle}`;
    view = renderQuestion(container, question, seed + index, `mock-${index}`, answers[index]);
    previous.disabled = index === 0;
    next.disabled = index === questions.length - 1;
    if (focus) view.focus();
  };
  const format = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  const tick = () => {
    const left = Math.max(0, totalSeconds - Math.floor((Date.now() - started) / 1000));
    timer.textContent = `${format(left)} left`;
    timer.classList.toggle('is-low', left <= 60);
    if (shouldAnnounce(left, totalSeconds) && announce.dataset.last !== String(left)) {
      announce.dataset.last = String(left);
      announce.textContent = left === 0 ? 'Time is up.' : `${left >= 60 ? `${Math.round(left / 60)} minutes` : `${left} seconds`} left.`;
    }
    if (left === 0) finish();
  };
  const interval = window.setInterval(tick, 1000);

  const finish = () => {
    if (finished) return;
    finished = true;
    keep();
    window.clearInterval(interval);
    const now = new Date();
    const byStage: MockInterviewResult['byStage'] = {};
    let correct = 0;
    const scoredAll = questions.map((question, position) => {
      const answer = answers[position];
      const scored = answer ? scoreAnswer(question, answer) : { correct: false, credit: 0 };
      const entry = (byStage[question.stageTitle] ??= { correct: 0, total: 0 });
      entry.total++;
      if (scored.correct) {
        entry.correct++;
        correct++;
      }
      return { question, answer, scored };
    });
    updateProgress(storage, (progress) => {
      for (const { question, scored } of scoredAll) progress.cards[question.key] = recordAnswer(progress.cards[question.key], scored.correct, now);
      progress.mockInterviews = [
        ...progress.mockInterviews,
        { at: now.toISOString(), questions: questions.length, correct, minutes: Math.max(0.1, Math.round((Date.now() - started) / 600) / 100), byStage },
      ].slice(-50);
    });

    root.innerHTML = `
      <h2 tabindex="-1" data-results>Results: ${correct} of ${questions.length} right</h2>
      <table class="by-stage"><caption class="visually-hidden">Score by stage</caption>
        <thead><tr><th scope="col">Stage</th><th scope="col">Right</th></tr></thead>
        <tbody>${Object.entries(byStage).map(([stage, score]) => `<tr><th scope="row">${stage}</th><td>${score.correct} of ${score.total}</td></tr>`).join('')}</tbody>
      </table>
      <p>Every missed question is now in your <a href="/quiz/review/">review queue</a>.</p>
      <h2>Review with explanations</h2>
      <ol class="mock-review"></ol>
      <p><button class="button" type="button" data-again>Start another mock interview</button></p>`;
    const list = root.querySelector<HTMLElement>('.mock-review')!;
    scoredAll.forEach(({ question, answer, scored }, position) => {
      const item = document.createElement('li');
      list.append(item);
      const review = renderQuestion(item, question, seed + position, `review-${position}`, answer);
      review.lock();
      if (answer) review.showFeedback(answer, scored);
      else {
        const unanswered = document.createElement('p');
        unanswered.className = 'feedback is-wrong';
        unanswered.innerHTML = `<strong>Not answered.</strong> ${question.explanationHtml}`;
        item.append(unanswered);
      }
    });
    root.querySelector<HTMLButtonElement>('[data-again]')!.addEventListener('click', onFinish);
    root.querySelector<HTMLElement>('[data-results]')!.focus();
  };

  previous.addEventListener('click', () => {
    keep();
    index--;
    show(true);
  });
  next.addEventListener('click', () => {
    keep();
    index++;
    show(true);
  });
  finishButton.addEventListener('click', () => {
    keep();
    const open = answers.filter((answer) => answer === undefined).length;
    if (open > 0 && !window.confirm(`${open} question${open === 1 ? ' is' : 's are'} not answered. Finish anyway?`)) return;
    finish();
  });
  announce.textContent = `Mock interview started: ${questions.length} questions, ${setup.minutes} minutes.`;
  tick();
  show(true);
}
