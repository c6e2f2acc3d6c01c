import { expect, test } from '@playwright/test';

/** A learner browsing the course: the map, a stage, lessons, search, the 404 page, the keyboard. */

test('home -> stage -> lesson -> next lesson', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('back-end developer');
  const stations = page.locator('.stage-map > li');
  await expect(stations).toHaveCount(8);
  await expect(stations.first()).toContainText('Requirements and analysis');

  await page.getByRole('link', { name: /Requirements and analysis/ }).click();
  await expect(page).toHaveURL(/\/stages\/requirements\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Requirements and analysis');
  const lessonLinks = page.locator('.lesson-list a');
  expect(await lessonLinks.count()).toBeGreaterThanOrEqual(1);
  const firstTitle = (await lessonLinks.first().textContent())!.trim();

  await lessonLinks.first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(firstTitle);
  await expect(page.getByText(/\d+ min read/)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'On this page' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'In this lesson you will' })).toBeVisible();

  const next = page.getByRole('navigation', { name: 'Lessons' }).locator('a[rel="next"]');
  const nextTitle = (await next.innerText()).replace(/^Next\s*/, '').trim();
  await next.click();
  await expect(page).toHaveURL(/\/lessons\/[a-z]+\/[a-z0-9-]+\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(nextTitle);
  await expect(page.locator('a[rel="prev"]')).toContainText(firstTitle);
});

test('a lesson is found with the search box in the header', async ({ page }) => {
  await page.goto('/stages/deployment/');
  const lessonTitle = (await page.locator('.lesson-list a').first().textContent())!.trim();
  const query = lessonTitle.split(/\s+/).filter((word) => word.length > 4)[0] ?? lessonTitle;

  const search = page.getByRole('searchbox', { name: 'Search lessons and exercises' });
  await search.fill(query);
  await search.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/search/\\?q=${encodeURIComponent(query)}`));
  await expect(page.getByRole('status')).toContainText(/\d+ results? for/);
  await expect(page.locator('#search-results a', { hasText: lessonTitle })).toBeVisible();
});

test('an unknown address shows the 404 page', async ({ page }) => {
  const response = await page.goto('/no-such-lesson/');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This page is not on the shelf');
  await page.getByRole('link', { name: 'Go to the course map' }).click();
  await expect(page).toHaveURL(/\/$/);
});

test('keyboard: skip link, landmarks and visible focus', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  await expect(page.getByRole('banner')).toHaveCount(1);
  await expect(page.getByRole('main')).toHaveCount(1);
  await expect(page.getByRole('contentinfo')).toHaveCount(1);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();

  // Tabbing from the main landmark reaches the first stage, with a visible focus ring.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  await expect(focused).toHaveAttribute('href', /./);
  const outline = await focused.evaluate((element) => getComputedStyle(element).outlineStyle);
  expect(outline).not.toBe('none');
  const target = await focused.getAttribute('href');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`${target}$`));
});

test('exercise pages are cross-origin isolated', async ({ page }) => {
  await page.goto('/exercises/');
  const first = page.locator('.exercise h2 a').first();
  await first.click();
  await expect(page).toHaveURL(/\/exercises\/[a-z0-9-]+\/$/);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  const response = await page.request.get(page.url());
  expect(response.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response.headers()['cross-origin-embedder-policy']).toBe('require-corp');
});

test('the exercise index filters by stage without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/exercises/');
  const cards = page.locator('.exercise');
  const total = await cards.count();
  expect(total).toBeGreaterThanOrEqual(2);
  await page.getByRole('radio', { name: 'Design' }).check();
  await expect(page.locator('.exercise:visible')).toHaveCount(await page.locator('.exercise[data-stage="design"]').count());
  expect(await page.locator('.exercise:visible').count()).toBeLessThan(total);
  await page.getByRole('radio', { name: 'All stages' }).check();
  await expect(page.locator('.exercise:visible')).toHaveCount(total);
  await context.close();
});
