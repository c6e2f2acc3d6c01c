import AxeBuilder from '@axe-core/playwright';
import { strFromU8, unzipSync } from 'fflate';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Page, expect, test } from '@playwright/test';

/**
 * A learner at the workbench, on the design-schema exercise, against the built site and the
 * course server's local runner: check, read the hints, fix, pass; reload and find the work;
 * reset and undo; compare with the solution; do it all from the keyboard.
 */

const exercise = '/exercises/design-schema/';
const solution = readFileSync('exercises/design-schema/solution/schema.sql', 'utf8');
// PGlite's first start on a busy two-core machine takes a while; a check must still finish.
const gradingTimeout = 90_000;

test.describe.configure({ timeout: 240_000 });

async function openWorkbench(page: Page, path = exercise): Promise<void> {
  await page.goto(path);
  await expect(page.locator('bw-workbench')).toHaveAttribute('data-editor', 'ready', { timeout: 30_000 });
}

function editorLines(page: Page) {
  return page.locator('[data-monaco] .view-lines');
}

/** The saved copy of the work, read back from IndexedDB as the page stored it. */
async function savedFiles(page: Page, exerciseId = 'design-schema'): Promise<Record<string, string> | undefined> {
  return page.evaluate(
    (id) =>
      new Promise<Record<string, string> | undefined>((resolve, reject) => {
        const open = indexedDB.open('backend-workflow');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('workspaces').objectStore('workspaces').get(id);
          request.onsuccess = () => resolve(request.result?.files);
          request.onerror = () => reject(request.error);
        };
      }),
    exerciseId,
  );
}

/** Replaces the whole file as a learner would paste it (typing would be auto-indented). */
async function pasteIntoEditor(page: Page, text: string): Promise<void> {
  await editorLines(page).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.keyboard.press('ControlOrMeta+V');
}

async function check(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(page.locator('[data-report] .report')).toBeVisible({ timeout: gradingTimeout });
}

test.beforeEach(async ({ context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL! });
});

test('check, read a hint, jump to the problem, compare with the solution, fix, pass', async ({ page }) => {
  await openWorkbench(page);
  await check(page);

  const report = page.locator('[data-report] .report');
  await expect(report.getByRole('heading', { name: 'Not there yet' })).toBeVisible();
  await expect(report.locator('.report-score')).toHaveText(/^\d+ \/ \d+ points$/);
  const failing = report.locator('.check[data-status="fail"]');
  expect(await failing.count()).toBeGreaterThan(0);
  await expect(failing.first().locator('.check-status')).toHaveText('Failed');
  await expect(failing.first().locator('.check-message')).not.toBeEmpty();

  // The hint waits behind a click.
  const hint = report.locator('.check-hint').first();
  await expect(hint.locator('p')).toBeHidden();
  await hint.getByText('Show a hint').click();
  await expect(hint.locator('p')).toBeVisible();
  await expect(hint.locator('p')).not.toBeEmpty();

  // A check with a location is marked in the editor, and its link puts the cursor there.
  const location = report.locator('.report-location').first();
  if ((await location.count()) > 0) {
    await expect(page.locator('[data-monaco] .squiggly-error').first()).toBeAttached();
    const line = await location.getAttribute('data-line');
    await location.click();
    await expect(page.locator('[data-monaco] .monaco-editor')).toHaveClass(/focused/);
    if (line) await expect(page.locator('[data-editor-status]')).toContainText(`Line ${line},`);
  }

  // The attempt is listed, and the solution is now offered, behind a confirmation.
  await page.getByRole('tab', { name: /Attempts/ }).click();
  await expect(page.locator('[data-attempts] tbody tr')).toHaveCount(1);
  await expect(page.locator('[data-attempts] tbody tr').first()).toContainText('Not there yet');
  const compare = page.getByRole('button', { name: 'Compare with solution' });
  await expect(compare).toBeVisible();
  await compare.click();
  const dialog = page.getByRole('dialog', { name: 'Compare with the solution?' });
  await expect(dialog).toBeVisible();
  const solutionResponse = page.waitForResponse(/\/exercises\/design-schema\/solution\.json$/);
  await dialog.getByRole('button', { name: 'Show the solution' }).click();
  expect(((await (await solutionResponse).json()) as { files: Record<string, string> }).files['schema.sql']).toBe(solution);
  const comparison = page.getByRole('region', { name: 'Your work beside the reference solution' });
  const diff = comparison.locator('.monaco-diff-editor');
  await expect(diff).toBeVisible();
  // Your work on the left, the solution on the right, with what differs marked on both sides.
  await expect(diff.locator('.editor.original')).toContainText('Fill in the four tables');
  await expect(diff.locator('.editor.original .line-delete').first()).toBeVisible();
  await expect(diff.locator('.editor.modified .line-insert').first()).toBeVisible();
  await expect(comparison.getByLabel('File', { exact: true })).toHaveValue('schema.sql');
  // The workbench under it is out of reach while it is open.
  await expect(page.locator('.wb-panes')).toHaveAttribute('inert', '');
  await comparison.getByRole('button', { name: 'Close comparison' }).click();
  await expect(diff).toHaveCount(0);
  await expect(compare).toBeFocused();

  // The fix: the learner writes the schema (pasted here), and checks again.
  await pasteIntoEditor(page, solution);
  await expect.poll(() => savedFiles(page).then((files) => files?.['schema.sql'])).toBe(solution);
  await check(page);
  await expect(report.getByRole('heading', { name: 'All checks pass' })).toBeVisible();
  await expect(report.locator('.check:not([data-status="pass"])')).toHaveCount(0);
  const [score, max] = (await report.locator('.report-score').innerText()).match(/\d+/g)!.map(Number);
  expect(score).toBe(max);
  await expect(page.locator('[data-announce]')).toContainText('All checks pass');

  // The schema exercise draws the learner's tables.
  await page.getByRole('button', { name: 'See the diagram of your schema' }).click();
  const diagram = page.locator('[data-diagram] svg');
  await expect(diagram).toBeVisible();
  for (const table of ['members', 'books', 'copies', 'loans']) await expect(diagram).toContainText(table);
  await page.getByRole('tab', { name: /Attempts/ }).click();
  await expect(page.locator('[data-attempts] tbody tr')).toHaveCount(2);
  await expect(page.locator('[data-attempts] tbody tr').first()).toContainText('All checks pass');
});

test('edits are saved as they are typed and come back after a reload', async ({ page }) => {
  await openWorkbench(page);
  await editorLines(page).click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.type('-- my first idea: members need an email\n');
  await expect.poll(() => savedFiles(page).then((files) => files?.['schema.sql'] ?? '')).toMatch(/^-- my first idea: members need an email\n-- Shelf/);

  await page.reload();
  await expect(page.locator('bw-workbench')).toHaveAttribute('data-editor', 'ready', { timeout: 30_000 });
  await expect(editorLines(page)).toContainText('my first idea: members need an email');
  await expect(page.locator('[data-editor-status]')).toContainText(/Restored your work|Editor ready|Line/);
});

test('an edit made just before the tab closes is kept (journal), even before the debounced save', async ({ page }) => {
  await openWorkbench(page);
  await editorLines(page).click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.type('-- typed a moment before closing\n');
  // No waiting for the save: the journal holds it synchronously.
  const journal = await page.evaluate(() => localStorage.getItem('bw:journal:design-schema'));
  expect(journal).toContain('typed a moment before closing');
  await page.reload();
  await expect(page.locator('bw-workbench')).toHaveAttribute('data-editor', 'ready', { timeout: 30_000 });
  await expect(editorLines(page)).toContainText('typed a moment before closing');
});

test('the same exercise edited in two tabs: the other tab is warned before work is overwritten', async ({ page, context }) => {
  await openWorkbench(page);
  const second = await context.newPage();
  await openWorkbench(second);
  await editorLines(second).click();
  await second.keyboard.type('-- from the second tab\n');
  await expect(page.locator('[data-panel-body="report"] .wb-notice')).toContainText('saved from another tab');
  await second.close();
});

test('reset to the starter asks first, and can be undone', async ({ page }) => {
  await openWorkbench(page);
  await editorLines(page).click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.type('-- work I do not want to lose\n');
  await expect(editorLines(page)).toContainText('work I do not want to lose');

  await page.getByRole('button', { name: 'Reset to starter' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reset to the starter files?' });
  await expect(dialog).toBeVisible();
  // The safe choice has the focus; cancelling changes nothing.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(editorLines(page)).toContainText('work I do not want to lose');

  await page.getByRole('button', { name: 'Reset to starter' }).click();
  await page.getByRole('button', { name: 'Reset files' }).click();
  await expect(editorLines(page)).not.toContainText('work I do not want to lose');
  await expect(editorLines(page)).toContainText('-- Shelf: the database of a library lending service.');
  await expect.poll(() => savedFiles(page).then((files) => files?.['schema.sql'] ?? '')).not.toContain('work I do not want to lose');

  const toast = page.locator('[data-toast]');
  await expect(toast).toContainText('Your files are back to the starter.');
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(editorLines(page)).toContainText('work I do not want to lose');
  await expect.poll(() => savedFiles(page).then((files) => files?.['schema.sql'] ?? '')).toContain('work I do not want to lose');
});

test('download: the workspace as a zip, with the work as it is now', async ({ page }) => {
  await openWorkbench(page);
  await editorLines(page).click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.type('-- downloaded draft\n');
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download .zip' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('design-schema.zip');
  const path = await download.path();
  const files = unzipSync(new Uint8Array(readFileSync(path)));
  expect(Object.keys(files)).toEqual(['design-schema/schema.sql']);
  expect(strFromU8(files['design-schema/schema.sql']!)).toMatch(/^-- downloaded draft\n-- Shelf: the database/);
});

test('read-only files are locked in the tree, the tabs and the editor', async ({ page }) => {
  await openWorkbench(page, '/exercises/test-late-fees/');
  const tree = page.getByRole('navigation', { name: 'Files' });
  const locked = tree.getByRole('button', { name: 'late-fee.js, read-only' });
  await expect(locked).toBeVisible();
  await expect(tree.getByRole('button', { name: 'late-fee.test.js', exact: true })).toBeVisible();
  await locked.click();
  await expect(page.getByRole('tab', { name: 'src/late-fee.js, read-only' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('[data-editor-status]')).toContainText('Read-only');
  await expect(editorLines(page)).toContainText('Late fees for Shelf');
  await editorLines(page).click();
  await page.keyboard.type('changed');
  // Monaco says why nothing happened, in our words.
  await expect(page.locator('.monaco-editor-overlaymessage, [role="alert"]').filter({ hasText: 'read-only' }).first()).toBeVisible();
  await expect(editorLines(page)).not.toContainText('changed');
});

test('a saved copy that cannot be read is set aside, said plainly, and the page starts from the starter', async ({ page }) => {
  await page.goto(exercise);
  // A damaged record, as another version of the course or a disk error might leave it.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('backend-workflow', 1);
        open.onupgradeneeded = () => {
          for (const name of ['workspaces', 'attempts', 'quarantine']) if (!open.result.objectStoreNames.contains(name)) open.result.createObjectStore(name);
        };
        open.onsuccess = () => {
          const transaction = open.result.transaction('workspaces', 'readwrite');
          transaction.objectStore('workspaces').put({ schemaVersion: 1, exerciseId: 'design-schema', files: { 'schema.sql': 42 } }, 'design-schema');
          transaction.oncomplete = () => {
            open.result.close();
            resolve();
          };
          transaction.onerror = () => reject(transaction.error);
        };
      }),
  );
  await openWorkbench(page);
  await expect(page.locator('[data-panel-body="report"] .wb-notice')).toContainText('could not be read');
  await expect(editorLines(page)).toContainText('-- Shelf: the database of a library lending service.');
  const quarantined = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('backend-workflow');
        open.onsuccess = () => {
          const request = open.result.transaction('quarantine').objectStore('quarantine').count();
          request.onsuccess = () => resolve(request.result);
        };
      }),
  );
  expect(quarantined).toBe(1);
});

test('keyboard only: tab order, Ctrl+M, Ctrl+Enter, never trapped in the editor', async ({ page }) => {
  await openWorkbench(page);
  await page.locator('body').press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();

  // Tab through the page until Check has the focus, noting the order on the way.
  const order: string[] = [];
  for (let step = 0; step < 60; step++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element) return '';
      return element.dataset.action ? `action:${element.dataset.action}` : (element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 40) ?? '');
    });
    order.push(name);
    if (name === 'action:check') break;
  }
  expect(order).toContain('action:check');
  // The brief comes first, then its splitter, then the work area.
  expect(order).toContain('Resize the brief');
  expect(order.indexOf('Resize the brief')).toBeLessThan(order.indexOf('action:check'));

  // The splitter answers the arrows.
  const splitter = page.getByRole('separator', { name: 'Resize the brief' });
  await splitter.focus();
  const before = Number(await splitter.getAttribute('aria-valuenow'));
  await page.keyboard.press('ArrowRight');
  await expect(splitter).toHaveAttribute('aria-valuenow', String(before + 2));
  await page.keyboard.press('Enter');
  await expect(splitter).toHaveAttribute('aria-valuenow', '40');

  // Into the editor: Tab indents at first.
  const tabMode = page.getByRole('button', { name: 'Tab moves focus' });
  await expect(tabMode).toHaveAttribute('aria-pressed', 'false');
  await page.getByRole('tab', { name: 'schema.sql' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.locator('[data-monaco] .monaco-editor')).toHaveClass(/focused/);
  await page.keyboard.press('Tab');
  await expect(page.locator('[data-monaco] .monaco-editor')).toHaveClass(/focused/);

  // Escape, then Tab, leaves once even while Tab indents.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  await expect(page.locator('[data-monaco] .monaco-editor')).not.toHaveClass(/focused/);

  // Ctrl+M makes Tab move focus; it is announced, shown on the button and remembered.
  await page.keyboard.press('Shift+Tab');
  await expect(page.locator('[data-monaco] .monaco-editor')).toHaveClass(/focused/);
  await page.keyboard.press('Control+M');
  await expect(tabMode).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('[data-announce]')).toContainText('Tab now moves focus');
  await page.keyboard.press('Tab');
  await expect(page.locator('[data-monaco] .monaco-editor')).not.toHaveClass(/focused/);
  await page.reload();
  await expect(page.locator('bw-workbench')).toHaveAttribute('data-editor', 'ready', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Tab moves focus' })).toHaveAttribute('aria-pressed', 'true');

  // Ctrl+Enter in the editor runs Check; the result is announced politely.
  await page.getByRole('tab', { name: 'schema.sql' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.locator('[data-monaco] .monaco-editor')).toHaveClass(/focused/);
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await expect(page.locator('[data-report] .report')).toBeVisible({ timeout: gradingTimeout });
  await expect(page.locator('[data-announce]')).toHaveAttribute('aria-live', 'polite');
  await expect(page.locator('[data-announce]')).toContainText('Check finished');
  // The hint opens from the keyboard too.
  const summary = page.locator('.check-hint summary').first();
  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.check-hint').first()).toHaveAttribute('open', '');
});

test('a check can be cancelled', async ({ page }) => {
  // Hold the runner's requests (POSTs) back a little, so Cancel is pressed while grading, however fast it is.
  await page.route('**/*', async (route) => {
    if (route.request().method() === 'POST') await new Promise((resolve) => setTimeout(resolve, 3000));
    await route.continue().catch(() => undefined);
  });
  await openWorkbench(page);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await expect(cancel).toBeVisible();
  await expect(page.locator('[data-progress]')).toBeVisible();
  await cancel.click();
  await expect(page.locator('[data-report]')).toContainText('Check cancelled');
  await expect(page.getByRole('button', { name: 'Check', exact: true })).toBeEnabled();
  await expect(cancel).toBeHidden();
});

test('before any interaction: readable, starter highlighted at build time, no editor CSS', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(request.url());
  });
  // Hold the editor back, as on a slow connection: the page must stand on its own.
  await page.route(/editor-bundle/, (route) => route.abort());
  await page.goto(exercise);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Design Shelf's database");
  await expect(page.locator('.wb-brief-text')).toHaveAttribute('data-pagefind-body', '');
  await expect(page.locator('.wb-brief-text h2').first()).toBeVisible();
  const code = page.locator('.wb-static[data-path="schema.sql"] pre.astro-code');
  await expect(code).toBeVisible();
  await expect(code).toContainText('CREATE TABLE members');
  expect(await code.locator('span[style*="--shiki-light"]').count()).toBeGreaterThan(10);
  const stylesheets = await page.evaluate(() => [...document.querySelectorAll('link[rel="stylesheet"]')].map((link) => (link as HTMLLinkElement).href));
  expect(stylesheets.some((href) => /monaco|editor/i.test(href))).toBe(false);
  expect(await page.evaluate(() => document.querySelector('.monaco-editor'))).toBeNull();
  // The editor failing to load is said plainly; the code stays readable.
  await page.locator('.wb-static').first().click();
  await expect(page.locator('[data-editor-status]')).toContainText('could not be downloaded');
  await expect(code).toBeVisible();
  expect(scripts.some((url) => url.includes('editor-bundle'))).toBe(true);
});

test('without a runner the page says why, and editing and saving still work', async ({ page }) => {
  // As if the runner's code could not be had (offline, blocked): the workbench must carry on.
  await page.route(/\/_astro\/(choose|local|webcontainer)[.-][^/]*\.js$/, (route) => route.abort());
  await openWorkbench(page);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(page.locator('[data-report]')).toContainText('Your work cannot be checked here');
  await expect(page.locator('[data-report]')).toContainText('saved in this browser');
  await expect(page.locator('[data-runner-status]')).toContainText('unavailable');
  await editorLines(page).click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.type('-- still editing\n');
  await expect.poll(() => savedFiles(page).then((files) => files?.['schema.sql'] ?? '')).toMatch(/^-- still editing/);
});

test('the exercise page is cross-origin isolated', async ({ page }) => {
  const response = await page.goto(exercise);
  expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
});

test('narrow screen: Brief, Code and Results as tabs', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openWorkbench(page);
  const views = page.getByRole('tablist', { name: 'Show' });
  await expect(views).toBeVisible();
  await expect(page.locator('[data-monaco]')).toBeVisible();
  await expect(page.locator('.wb-brief')).toBeHidden();
  await views.getByRole('tab', { name: 'Brief' }).click();
  await expect(page.locator('.wb-brief')).toBeVisible();
  await expect(page.locator('[data-monaco]')).toBeHidden();
  await page.keyboard.press('ArrowRight');
  await expect(views.getByRole('tab', { name: 'Code' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('[data-monaco]')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('screenshots of the workbench, light and dark, for review', async ({ page }) => {
  const folder = join(process.env.E2E_OUTPUT ?? 'test-results', 'screenshots');
  mkdirSync(folder, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await openWorkbench(page);
    await check(page);
    // Give the report more room, as a learner reading it would, and open the first hint.
    await page.getByRole('separator', { name: 'Resize the results' }).focus();
    await page.keyboard.press('Enter');
    for (let step = 0; step < 2; step++) await page.keyboard.press('Shift+ArrowUp');
    await expect(page.getByRole('separator', { name: 'Resize the results' })).toHaveAttribute('aria-valuenow', '58');
    await page.locator('.check-hint summary').first().click();
    await page.screenshot({ path: join(folder, `workbench-${scheme}-1280.png`) });
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openWorkbench(page);
  await page.screenshot({ path: join(folder, 'workbench-light-390.png'), fullPage: true });
});

test('no accessibility violations axe can find, before and after a check, light and dark', async ({ page }) => {
  const problems = (results: Awaited<ReturnType<AxeBuilder['analyze']>>) =>
    results.violations.flatMap((violation) => violation.nodes.slice(0, 3).map((node) => `${violation.id} at ${node.target.join(' ')}: ${node.failureSummary ?? ''}`));
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await openWorkbench(page);
    expect(problems(await new AxeBuilder({ page }).analyze()), `${scheme}, before a check`).toEqual([]);
    await check(page);
    await page.locator('.check-hint summary').first().click();
    expect(problems(await new AxeBuilder({ page }).analyze()), `${scheme}, after a check`).toEqual([]);
  }
});
