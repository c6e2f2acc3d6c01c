import { type Answer, type ClientQuestion, type Scored, displayOrder } from './engine.ts';

/**
 * Renders one question into a form and reads the learner's answer back. The HTML of prompts,
 * options and code was produced at build time from the course's own content.
 */

export interface QuestionView {
  /** The answer as it stands, or undefined when nothing was chosen yet. */
  answer(): Answer | undefined;
  /** Shows right/wrong, why each option is right or wrong, and the explanation. */
  showFeedback(answer: Answer, scored: Scored): void;
  /** Locks the inputs (after feedback, or when time is up). */
  lock(): void;
  focus(): void;
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, html?: string): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (html !== undefined) element.innerHTML = html;
  return element;
};

const typeLabel: Record<ClientQuestion['type'], string> = {
  single: 'Choose one answer',
  predict: 'Predict the result',
  multiple: 'Choose every right answer',
  order: 'Put the steps in order',
  'spot-the-bug': 'Choose the line with the bug',
};

/**
 * Renders `question` into `container` (replacing its contents). `seed` fixes the shuffles;
 * `initial` redraws an answer given earlier (moving back and forth in a mock interview).
 */
export function renderQuestion(container: HTMLElement, question: ClientQuestion, seed: number, headingId: string, initial?: Answer): QuestionView {
  container.replaceChildren();
  const fieldset = el('fieldset', { class: 'question', 'aria-describedby': `${headingId}-type` });
  const legend = el('legend', { id: headingId, class: 'prompt' }, question.promptHtml);
  fieldset.append(legend, el('p', { id: `${headingId}-type`, class: 'question-type muted' }, typeLabel[question.type]));
  if (question.codeHtml) fieldset.append(el('div', { class: 'snippet' }, question.codeHtml));
  const feedback = el('div', { class: 'feedback', role: 'status', 'aria-live': 'polite' });
  const name = `${headingId}-answer`;

  let answer: () => Answer | undefined;
  let showDetails: (answer: Answer) => void;
  const inputs: (HTMLInputElement | HTMLButtonElement)[] = [];

  if (question.type === 'single' || question.type === 'predict' || question.type === 'multiple') {
    const multiple = question.type === 'multiple';
    const list = el('ul', { class: 'options' });
    const items = (question.options ?? []).map((option, index) => {
      const input = el('input', { type: multiple ? 'checkbox' : 'radio', name, value: String(index), id: `${name}-${index}` });
      input.checked = initial?.type === 'multiple' ? initial.choices.includes(index) : (initial?.type === 'single' || initial?.type === 'predict') && initial.choice === index;
      inputs.push(input);
      const item = el('li');
      const label = el('label', { for: input.id });
      label.append(input, el('span', {}, option.html));
      item.append(label);
      list.append(item);
      return { item, input, option };
    });
    fieldset.append(list);
    answer = () => {
      const checked = items.map(({ input }, index) => (input.checked ? index : -1)).filter((index) => index >= 0);
      if (checked.length === 0) return undefined;
      return multiple ? { type: 'multiple', choices: checked } : { type: question.type as 'single' | 'predict', choice: checked[0]! };
    };
    showDetails = (given) => {
      const chosen = new Set(given.type === 'multiple' ? given.choices : given.type === 'single' || given.type === 'predict' ? [given.choice] : []);
      for (const [index, { item, option }] of items.entries()) {
        item.classList.add(option.correct ? 'is-right' : chosen.has(index) ? 'is-wrong' : 'is-other');
        const verdict = option.correct ? (chosen.has(index) ? 'Right, and you chose it.' : 'Right, but you did not choose it.') : chosen.has(index) ? 'Wrong, and you chose it.' : 'Wrong.';
        item.append(el('div', { class: 'why' }, `<strong>${verdict}</strong> ${option.whyHtml}`));
      }
    };
  } else if (question.type === 'order') {
    const steps = question.steps ?? [];
    let order = initial?.type === 'order' ? [...initial.order] : displayOrder(steps.length, seed);
    const list = el('ol', { class: 'steps' });
    const moved = el('p', { class: 'visually-hidden', 'aria-live': 'assertive' });
    const draw = (focusStep?: number, focusDirection?: 'up' | 'down') => {
      list.replaceChildren(
        ...order.map((step, position) => {
          const item = el('li', { 'data-step': String(step) });
          item.append(el('span', { class: 'step-text' }, steps[step]!));
          const controls = el('span', { class: 'step-controls' });
          for (const direction of ['up', 'down'] as const) {
            const target = direction === 'up' ? position - 1 : position + 1;
            const button = el('button', { type: 'button', class: 'step-move', 'aria-label': `Move “${stripTags(steps[step]!)}” ${direction}` }, direction === 'up' ? '↑' : '↓');
            button.disabled = target < 0 || target >= order.length;
            button.addEventListener('click', () => {
              const next = [...order];
              [next[position], next[target]] = [next[target]!, next[position]!];
              order = next;
              moved.textContent = `Moved to position ${target + 1} of ${order.length}.`;
              draw(step, direction);
            });
            inputs.push(button);
            controls.append(button);
          }
          item.append(controls);
          return item;
        }),
      );
      if (focusStep !== undefined) {
        const buttons = list.querySelectorAll<HTMLButtonElement>(`li[data-step="${focusStep}"] .step-move`);
        const preferred = focusDirection === 'up' ? buttons[0] : buttons[1];
        (preferred && !preferred.disabled ? preferred : [...buttons].find((button) => !button.disabled))?.focus();
      }
    };
    draw();
    fieldset.append(list, moved);
    answer = () => ({ type: 'order', order: [...order] });
    showDetails = () => {
      for (const [position, item] of [...list.children].entries()) {
        const step = Number((item as HTMLElement).dataset.step);
        item.classList.add(step === position ? 'is-right' : 'is-wrong');
        if (step !== position) item.append(el('div', { class: 'why' }, `Belongs at position ${step + 1}.`));
      }
    };
  } else {
    const lines = question.lines ?? [];
    const table = el('div', { class: 'code-lines' });
    const rows = lines.map((html, index) => {
      const number = index + 1;
      const input = el('input', { type: 'radio', name, value: String(number), id: `${name}-${number}` });
      input.checked = initial?.type === 'spot-the-bug' && initial.line === number;
      inputs.push(input);
      const label = el('label', { for: input.id, class: 'code-line' });
      label.append(input, el('span', { class: 'line-number', 'aria-hidden': 'true' }, String(number)), el('code', { 'aria-label': `Line ${number}: ${stripTags(html)}` }, html || ' '));
      table.append(label);
      return { label, input, number };
    });
    fieldset.append(table);
    answer = () => {
      const chosen = rows.find(({ input }) => input.checked);
      return chosen ? { type: 'spot-the-bug', line: chosen.number } : undefined;
    };
    showDetails = (given) => {
      for (const { label, number } of rows) {
        if (number === question.bugLine) label.classList.add('is-right');
        else if (given.type === 'spot-the-bug' && number === given.line) {
          label.classList.add('is-wrong');
          const note = question.lineNotes?.[String(number)];
          if (note) label.after(el('div', { class: 'why' }, `<strong>Line ${number} is fine.</strong> ${note}`));
        }
      }
    };
  }

  container.append(fieldset, feedback);
  return {
    answer,
    showFeedback(given, scored) {
      showDetails(given);
      const verdict = scored.correct ? 'Correct.' : scored.credit > 0 ? `Partly right (${Math.round(scored.credit * 100)}%).` : 'Not quite.';
      feedback.className = `feedback ${scored.correct ? 'is-right' : 'is-wrong'}`;
      feedback.innerHTML = `<p class="verdict"><strong>${verdict}</strong></p>${question.explanationHtml}${
        question.lessonUrl ? `<p class="from-lesson">From the lesson <a href="${question.lessonUrl}">${escapeText(question.lessonTitle ?? 'this lesson')}</a>.</p>` : ''
      }`;
    },
    lock() {
      for (const input of inputs) input.disabled = true;
    },
    focus() {
      (fieldset.querySelector<HTMLElement>('input, button') ?? legend).focus();
    },
  };
}

function stripTags(html: string): string {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div.textContent ?? '';
}

function escapeText(text: string): string {
  const div = document.createElement('div');
  div.textContent = text;
  return div.innerHTML;
}
