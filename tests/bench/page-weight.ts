// Page weight: the gzipped JavaScript and CSS that pages load before any interaction, measured
// in Debian chromium against the built site. Budgets: a lesson page <= 10 KB of JS, an exercise
// page <= 50 KB of JS by its load event. Prints figures; never fails.
import { chromium } from '@playwright/test';
import { gzipSync } from 'node:zlib';

const base = process.env.BENCH_BASE_URL ?? 'http://127.0.0.1:4399';
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function pathsToMeasure(): Promise<[string, string, string][]> {
  const home = await (await fetch(`${base}/`)).text();
  const stage = home.match(/href="(\/stages\/[a-z-]+\/)"/)?.[1] ?? '/stages/requirements/';
  const stageHtml = await (await fetch(base + stage)).text();
  const lesson = stageHtml.match(/href="(\/lessons\/[a-z-]+\/[a-z0-9-]+\/)"/)?.[1];
  const exercises = await (await fetch(`${base}/exercises/`)).text();
  const exercise = exercises.match(/href="(\/exercises\/[a-z0-9-]+\/)"/)?.[1];
  return [
    ['home', '/', 'networkidle'],
    ...(lesson ? [['lesson', lesson, 'networkidle'] as [string, string, string]] : []),
    ...(exercise ? [['exercise (by load)', exercise, 'load'] as [string, string, string]] : []),
    ['search', '/search/', 'networkidle'],
  ];
}

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'] });
const rows: string[][] = [['page', 'path', 'JS files', 'JS gzip', 'CSS gzip', 'budget']];
for (const [name, path, until] of await pathsToMeasure()) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen: { type: 'js' | 'css'; bytes: number }[] = [];
  let recording = true;
  page.on('response', async (response) => {
    if (!recording) return;
    const type = response.request().resourceType();
    if (type !== 'script' && type !== 'stylesheet') return;
    try {
      const body = await response.body();
      seen.push({ type: type === 'script' ? 'js' : 'css', bytes: gzipSync(body).length });
    } catch {
      // a response without a body (redirect) weighs nothing
    }
  });
  await page.goto(base + path, { waitUntil: until as 'load' | 'networkidle' });
  recording = false;
  await page.waitForTimeout(200);
  const js = seen.filter((entry) => entry.type === 'js');
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const jsBytes = js.reduce((sum, entry) => sum + entry.bytes, 0);
  const cssBytes = seen.filter((entry) => entry.type === 'css').reduce((sum, entry) => sum + entry.bytes, 0);
  const budget = name === 'lesson' ? (jsBytes <= 10 * 1024 ? 'within 10 KB' : 'OVER 10 KB') : name.startsWith('exercise') ? (jsBytes <= 50 * 1024 ? 'within 50 KB' : 'OVER 50 KB') : '';
  rows.push([name, path, String(js.length), kb(jsBytes), kb(cssBytes), budget]);
  await context.close();
}
await browser.close();

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
console.log('\nPage weight before any interaction (gzipped)');
for (const [index, row] of rows.entries()) {
  console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
  if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
}
