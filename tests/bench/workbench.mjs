// Workbench figures, measured in Debian chromium against the built site served by the course
// server (BENCH_BASE_URL; `npm run bench` starts one):
//   - gzipped JavaScript loaded by the load event on an exercise page (budget 50 KB), and CSS;
//   - time from navigation to an editable editor: when the browser is idle, and when the learner
//     clicks into the code as soon as the page shows;
//   - time from pressing Check to a rendered report (first check, then the median of warm ones);
//   - Monaco's weight: what a JavaScript exercise downloads once the editor and its workers run,
//     and the editor files on disk.
// Prints figures; never fails on a slow machine.
//   node tests/bench/workbench.mjs [--runs 3] [--exercise design-schema]
import { chromium } from '@playwright/test';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, exercise: { type: 'string', default: 'design-schema' } } });
const runs = Math.max(1, Number(values.runs));
const base = process.env.BENCH_BASE_URL ?? 'http://127.0.0.1:4399';
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const exercisePath = `/exercises/${values.exercise}/`;
const jsExercisePath = '/exercises/build-api/';

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const ms = (value) => (value === undefined ? 'n/a' : `${Math.round(value)} ms`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.floor((sorted.length - 1) / 2)];
};

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
});

/** A fresh context (empty cache, empty storage) with a recorder of responses and their sizes. */
async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const responses = [];
  page.on('response', async (response) => {
    const entry = { url: response.url(), type: response.request().resourceType(), at: Date.now(), raw: 0, gzip: 0 };
    responses.push(entry);
    try {
      const body = await response.body();
      entry.raw = body.length;
      entry.gzip = gzipSync(body).length;
    } catch {
      // redirects and aborted requests weigh nothing
    }
  });
  return { context, page, responses };
}

/** Waits for the response bodies being read to settle, so the sizes are all in. */
const settle = (page) => page.waitForTimeout(300);

const results = {};

// 1. Weight by the load event.
{
  const { context, page, responses } = await freshPage();
  await page.goto(base + exercisePath, { waitUntil: 'load' });
  const loadedAt = Date.now();
  await settle(page);
  const byLoad = responses.filter((entry) => entry.at <= loadedAt);
  const js = byLoad.filter((entry) => entry.type === 'script');
  const css = byLoad.filter((entry) => entry.type === 'stylesheet');
  results.loadJs = js.reduce((sum, entry) => sum + entry.gzip, 0);
  results.loadJsFiles = js.length;
  results.loadCss = css.reduce((sum, entry) => sum + entry.gzip, 0);
  results.editorCssBeforeLoad = css.some((entry) => /monaco|editor/i.test(entry.url));
  await context.close();
}

// 2. Navigation to an editable editor.
const idleTimes = [];
const intentTimes = [];
for (let run = 0; run < runs; run++) {
  {
    const { context, page } = await freshPage();
    const started = Date.now();
    await page.goto(base + exercisePath, { waitUntil: 'commit' });
    await page.locator('bw-workbench[data-editor="ready"]').waitFor({ timeout: 60_000 });
    idleTimes.push(Date.now() - started);
    await context.close();
  }
  {
    const { context, page } = await freshPage();
    const started = Date.now();
    await page.goto(base + exercisePath, { waitUntil: 'domcontentloaded' });
    // Near the top of the code: the first lines are on screen.
    await page.locator('#wb-editor').click({ position: { x: 120, y: 30 } });
    // Editable means: a typed character lands in the editor.
    await page.locator('[data-monaco] .monaco-editor.focused').waitFor({ timeout: 60_000 });
    await page.keyboard.type('x');
    await page.locator('[data-monaco] .view-lines', { hasText: 'x' }).first().waitFor({ timeout: 10_000 });
    intentTimes.push(Date.now() - started);
    await context.close();
  }
}

// 3. Check -> rendered report, on one page: the first check, then warm ones.
const checkTimes = [];
let checkNote = '';
{
  const { context, page } = await freshPage();
  await page.goto(base + exercisePath);
  await page.locator('bw-workbench[data-editor="ready"]').waitFor({ timeout: 60_000 });
  for (let run = 0; run < runs + 1; run++) {
    const reportView = page.locator('[data-report]');
    await reportView.evaluate((element) => (element.innerHTML = ''));
    const started = Date.now();
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('[data-report] .report, [data-report] .wb-notice').first().waitFor({ timeout: 120_000 });
    const elapsed = Date.now() - started;
    if (await page.locator('[data-report] .wb-notice').count()) {
      checkNote = (await page.locator('[data-report] .wb-notice').innerText()).split('\n')[0];
      break;
    }
    checkTimes.push(elapsed);
  }
  await context.close();
}

// 4. Monaco's weight on a JavaScript exercise, editor and TypeScript worker running.
{
  const { context, page, responses } = await freshPage();
  await page.goto(base + jsExercisePath);
  await page.locator('bw-workbench[data-editor="ready"]').waitFor({ timeout: 60_000 });
  await page.locator('[data-monaco] .view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\nconsole.');
  // The suggestions come from the TypeScript worker: by then it and Node's declarations are in.
  await page.locator('.suggest-widget.visible').waitFor({ timeout: 60_000 }).catch(() => undefined);
  await settle(page);
  const editorParts = responses.filter((entry) => /editor-bundle|node-types-bundle|\.worker-|codicon|types\.json/.test(entry.url));
  results.monacoDownloadedRaw = editorParts.reduce((sum, entry) => sum + entry.raw, 0);
  results.monacoDownloadedGzip = editorParts.reduce((sum, entry) => sum + entry.gzip, 0);
  results.monacoParts = editorParts.map((entry) => `${entry.url.split('/').pop()} ${kb(entry.gzip)}`);
  await context.close();
}
await browser.close();

// 5. The editor's files on disk, when the built site is at hand.
const outDir = process.env.BW_OUT_DIR ?? 'dist';
const assets = join(outDir, 'client', '_astro');
if (existsSync(assets)) {
  const files = readdirSync(assets).filter((name) => /^(editor-bundle|node-types-bundle|editor\.worker|ts\.worker|json\.worker|codicon)/.test(name));
  results.diskRaw = files.reduce((sum, name) => sum + readFileSync(join(assets, name)).length, 0);
  results.diskGzip = files.reduce((sum, name) => sum + gzipSync(readFileSync(join(assets, name))).length, 0);
}

const rows = [
  ['exercise page, JS by load (gzip)', `${kb(results.loadJs)} in ${results.loadJsFiles} files`, results.loadJs <= 50 * 1024 ? 'within 50 KB' : 'OVER 50 KB'],
  ['exercise page, CSS by load (gzip)', kb(results.loadCss), results.editorCssBeforeLoad ? 'EDITOR CSS BEFORE LOAD' : 'no editor CSS'],
  [`navigation -> editor ready, idle (median of ${runs})`, ms(median(idleTimes)), idleTimes.map((value) => Math.round(value)).join(', ') + ' ms'],
  [`navigation -> click -> typed character (median of ${runs})`, ms(median(intentTimes)), intentTimes.map((value) => Math.round(value)).join(', ') + ' ms'],
  ['Check -> report, first', ms(checkTimes[0]), checkNote ? `no runner: ${checkNote}` : values.exercise],
  [`Check -> report, warm (median of ${Math.max(0, checkTimes.length - 1)})`, ms(median(checkTimes.slice(1))), checkTimes.slice(1).map((value) => Math.round(value)).join(', ') + (checkTimes.length > 1 ? ' ms' : '')],
  ['Monaco downloaded on a JS exercise', `${mb(results.monacoDownloadedRaw)} (${mb(results.monacoDownloadedGzip)} gzip)`, 'editor, workers, codicons, Node types'],
  ...(results.diskRaw ? [['Monaco files on disk', `${mb(results.diskRaw)} (${mb(results.diskGzip)} gzip)`, 'editor, Node types, 3 workers, codicon font']] : []),
];
const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length)));
console.log('\nWorkbench');
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
console.log(`  Monaco parts: ${results.monacoParts.join(', ')}`);
