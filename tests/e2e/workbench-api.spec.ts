import { type Page, expect, test } from '@playwright/test';

/**
 * A learner trying their own API on the build-api exercise: start the server from the workbench,
 * send requests from the request panel, read status, headers, body and the server's output.
 */

test.describe.configure({ timeout: 120_000 });

async function openRequestPanel(page: Page) {
  await page.goto('/exercises/build-api/');
  await expect(page.locator('bw-workbench')).toHaveAttribute('data-editor', 'ready', { timeout: 30_000 });
  await page.getByRole('tab', { name: 'Try your API' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Try your API' });
  await expect(panel.getByRole('button', { name: 'Start server' })).toBeVisible();
  return panel;
}

test('start the learner\'s server, send requests, read the answer and the output, stop it', async ({ page }) => {
  const panel = await openRequestPanel(page);
  const send = panel.getByRole('button', { name: 'Send' });
  await expect(send).toBeDisabled();

  await panel.getByRole('button', { name: 'Start server' }).click();
  await expect(panel.locator('[data-server-state="running"]')).toBeVisible({ timeout: 60_000 });
  await expect(send).toBeEnabled();
  // The starter prints where it listens.
  await expect(panel.getByRole('region', { name: 'Server output' }).locator('pre')).toContainText('listening', { timeout: 10_000 });

  // The health route the starter already has.
  await panel.getByLabel('Method').selectOption('GET');
  await panel.getByLabel('Path and query').fill('/health');
  await send.click();
  const response = panel.locator('[data-rq="response"]');
  await expect(response).toContainText('200 OK');
  await expect(response).toContainText('"status": "ok"');
  await expect(response).toContainText(/\d+(\.\d+)? (ms|s)/);
  await response.getByText(/^Headers \(\d+\)$/).click();
  await expect(response.locator('.rq-headers')).toContainText(/content-type/i);

  // A route the starter has not written yet: the learner sees what a client would.
  await panel.getByLabel('Method').selectOption('POST');
  await panel.getByLabel('Path and query').fill('/books');
  await panel.getByLabel(/^Body/).fill('{ "title": "Kindred", "author": "Octavia E. Butler" }');
  await send.click();
  await expect(response).toContainText('Response to POST /books');
  await expect(response.locator('.rq-status')).toHaveText(/^(4\d\d|201) /);

  // A body that is not JSON is caught before it is sent, with the way round it.
  await panel.getByLabel(/^Body/).fill('{ title: oops');
  await send.click();
  await expect(panel.getByRole('alert')).toContainText('not valid JSON');

  // Editing while it runs: the panel says the server runs the old code.
  await page.locator('[data-monaco] .view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('\n// a change\n');
  await expect(panel.locator('[data-rq="state"]')).toContainText('Restart');

  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(panel.locator('[data-server-state="stopped"]')).toBeVisible();
  await expect(send).toBeDisabled();
});

test('a server that crashes at start says so, with its output', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL! });
  await page.goto('/exercises/build-api/');
  await expect(page.locator('bw-workbench')).toHaveAttribute('data-editor', 'ready', { timeout: 30_000 });
  await page.locator('[data-monaco] .view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.evaluate(() => navigator.clipboard.writeText("throw new Error('boom at start');\n"));
  await page.keyboard.press('ControlOrMeta+V');
  await page.getByRole('tab', { name: 'Try your API' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Try your API' });
  await panel.getByRole('button', { name: 'Start server' }).click();
  // Either the start fails outright, or the server starts and is seen to stop: both are said in words.
  await expect(panel.locator('[data-server-state="failed"], [data-server-state="stopped"]')).toBeVisible({ timeout: 60_000 });
  await expect(panel.locator('[data-rq="state"]')).toContainText(/could not be started|stopped/);
  // What the server printed is shown: here, the learner's own error.
  await expect(panel.getByRole('region', { name: 'Server output' }).locator('pre')).toContainText('boom at start');
  await expect(panel.getByRole('button', { name: 'Start server' })).toBeVisible();
});

test('completion in the learner\'s JavaScript knows Express and Node', async ({ page }) => {
  await page.goto('/exercises/build-api/');
  await expect(page.locator('bw-workbench')).toHaveAttribute('data-editor', 'ready', { timeout: 30_000 });
  await page.locator('[data-monaco] .view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  // Inside a handler, `res` is Express's Response: its methods are offered.
  await page.keyboard.type("\napp.post('/echo', (req, res) => {\nres.sta");
  const suggestions = page.locator('.suggest-widget.visible');
  await expect(suggestions).toContainText('status', { timeout: 30_000 });
  await page.keyboard.press('Escape');
  await page.keyboard.type('tus(201).js');
  await expect(suggestions).toContainText('json');
  await page.keyboard.press('Escape');
  // And Node's own modules.
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.type("import { randomUUID } from 'node:crypto';\nrandomU");
  await expect(suggestions).toContainText('randomUUID');
});
