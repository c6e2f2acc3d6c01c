import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

/** An axe-core scan of each kind of page: no serious or critical violations. */

async function firstLink(page: import('@playwright/test').Page, listUrl: string, selector: string): Promise<string> {
  await page.goto(listUrl);
  return (await page.locator(selector).first().getAttribute('href'))!;
}

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds no serious violations (${scheme} mode)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const lesson = await firstLink(page, '/stages/requirements/', '.lesson-list a');
    const exercise = await firstLink(page, '/exercises/', '.exercise h2 a');
    const quiz = await firstLink(page, '/quiz/', '[data-stage-card] h3 a');
    for (const path of ['/', '/stages/design/', lesson, '/exercises/', exercise, '/quiz/', quiz, '/quiz/mock/', '/progress/', '/search/?q=index', '/missing/']) {
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      const results = await new AxeBuilder({ page }).exclude('.monaco-editor').analyze();
      const serious = results.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${path}: ${violation.id} (${violation.nodes.length}): ${violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(' | ')}`);
      expect(serious, serious.join('\n')).toEqual([]);
    }
  });
}
