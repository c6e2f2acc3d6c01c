import { type Page, expect, test } from '@playwright/test';

/** Interview prep as a learner uses it: practice, a mock interview, the review queue, progress. */

/** Answers whatever question is shown, picking the first choice (right or wrong does not matter here). */
async function answerShownQuestion(page: Page, scope = page.locator('[data-question]')) {
  const first = scope.locator('input').first();
  if (await first.count()) {
    await first.check();
  }
  // Ordering questions always have an answer (the shown order); nothing to pick.
}

test('practice: answer a question, see feedback and the explanation, then the next one', async ({ page }) => {
  await page.goto('/quiz/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Interview prep');
  await page.locator('[data-stage-card] h3 a').first().click();
  await expect(page).toHaveURL(/\/quiz\/[a-z]+\/$/);
  await expect(page.locator('[data-counter]')).toContainText(/Question 1 of \d+/);

  // Checking without an answer asks for one (ordering questions always have one).
  const check = page.getByRole('button', { name: 'Check answer' });
  if (await page.locator('[data-question] input').count()) {
    await check.click();
    await expect(page.locator('[data-problem]')).toContainText(/Choose/);
  }
  await answerShownQuestion(page);
  await check.click();
  const feedback = page.locator('.feedback');
  await expect(feedback).toBeVisible();
  await expect(feedback.locator('.verdict')).toHaveText(/Correct\.|Not quite\.|Partly right/);
  await expect(page.getByRole('button', { name: /Next question|Finish/ })).toBeFocused();
  await page.getByRole('button', { name: /Next question|Finish/ }).click();
  await expect(page.locator('[data-counter]')).toContainText(/Question 2 of|Done/);

  // The answer was scheduled for review.
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('backend-workflow:progress') ?? '{}'));
  expect(Object.keys(stored.cards ?? {})).toHaveLength(1);
});

test('mock interview: timed, no feedback until the end, then a review scored by stage', async ({ page }) => {
  await page.goto('/quiz/mock/');
  await page.getByLabel('Questions').selectOption('5');
  await page.getByLabel('Time').selectOption('5');
  await page.getByRole('button', { name: 'Start the interview' }).click();
  await expect(page.locator('[data-counter]')).toContainText('Question 1 of 5');
  await expect(page.locator('[data-timer]')).toContainText(/[45]:\d\d left/);
  for (let question = 1; question <= 5; question++) {
    await answerShownQuestion(page);
    await expect(page.locator('.feedback:not(:empty)')).toHaveCount(0);
    if (question < 5) await page.getByRole('button', { name: 'Next' }).click();
  }
  await page.getByRole('button', { name: 'Finish and see results' }).click();
  await expect(page.getByRole('heading', { name: /Results: \d of 5 right/ })).toBeFocused();
  await expect(page.locator('.by-stage tbody tr').first()).toBeVisible();
  await expect(page.locator('.mock-review > li')).toHaveCount(5);
  await expect(page.locator('.mock-review .feedback').first()).toBeVisible();

  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('backend-workflow:progress') ?? '{}'));
  expect(stored.mockInterviews).toHaveLength(1);
  expect(Object.keys(stored.cards)).toHaveLength(5);
});

test('review queue: a missed question is due again, and practice empties it', async ({ page }) => {
  await page.goto('/quiz/review/');
  await expect(page.locator('#review-summary')).toContainText('Nothing is due right now');

  // Miss a question on purpose: answer it, then force its card due now.
  await page.goto('/quiz/');
  await page.locator('[data-stage-card] h3 a').first().click();
  await answerShownQuestion(page);
  await page.getByRole('button', { name: 'Check answer' }).click();
  await page.evaluate(() => {
    const progress = JSON.parse(localStorage.getItem('backend-workflow:progress')!);
    for (const card of Object.values(progress.cards) as { due: string }[]) card.due = new Date(Date.now() - 60_000).toISOString();
    localStorage.setItem('backend-workflow:progress', JSON.stringify(progress));
  });

  await page.goto('/quiz/');
  await expect(page.locator('[data-due-today]')).toHaveText('1');
  await page.getByRole('link', { name: 'Start reviewing' }).click();
  await expect(page.locator('#review-summary')).toHaveText('1 question is due.');
  await answerShownQuestion(page);
  await page.getByRole('button', { name: 'Check answer' }).click();
  await expect(page.locator('.feedback')).toBeVisible();
});

test('progress: corrupt stored data is set aside with a message; a foreign import changes nothing', async ({ page }) => {
  await page.goto('/progress/');
  await page.evaluate(() => localStorage.setItem('backend-workflow:progress', '{"version": 1, "lessonsRead": 42'));
  await page.reload();
  await expect(page.locator('[data-notice]')).toContainText('could not be read, so it was set aside');
  await expect(page.locator('[data-total="lessons"]')).toHaveText(/^0\/\d+$/);

  await page.locator('[data-import]').setInputFiles({ name: 'package.json', mimeType: 'application/json', buffer: Buffer.from('{"name":"x","version":"1.0.0"}') });
  await expect(page.locator('[data-import-status]')).toContainText('Nothing was changed. This JSON file is not a Backend Workflow progress export.');
});

test('keyboard only: a practice question can be answered and checked', async ({ page }) => {
  await page.goto('/quiz/');
  const link = page.locator('[data-stage-card] h3 a').first();
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-counter]')).toContainText('Question 1');
  const firstInput = page.locator('[data-question] input, [data-question] .step-move:not([disabled])').first();
  await firstInput.focus();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Check answer' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.feedback')).toBeVisible();
});
