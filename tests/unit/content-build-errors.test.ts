import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A broken lesson frontmatter or exercise manifest must stop the build with a message that
 * names the file, the field and what was expected. This runs the real `astro sync` (which
 * loads and validates every collection, as the build does) on a copy of the site.
 */

const copies: string[] = [];
afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function siteWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'bw-content-'));
  copies.push(root);
  for (const path of ['astro.config.mjs', 'tsconfig.json', 'package.json', 'server/headers.mjs', 'src', 'graders/core']) {
    cpSync(path, join(root, path), { recursive: true });
  }
  symlinkSync(join(process.cwd(), 'node_modules'), join(root, 'node_modules'), 'dir');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function sync(root: string): { status: number | null; output: string } {
  const result = spawnSync('npx', ['astro', 'sync'], { cwd: root, encoding: 'utf8', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1' } });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

const goodLesson = `---
title: User stories
summary: Who wants what from Shelf, and why.
objectives:
  - Write a user story with a role, a goal and a reason
---

Text.
`;

describe('content errors stop the build', () => {
  it('a lesson without objectives names the file and the field', () => {
    const root = siteWith({ 'lessons/01-requirements/01-user-stories.mdx': goodLesson.replace(/objectives:\n {2}- .*\n/, '') });
    const { status, output } = sync(root);
    expect(status).not.toBe(0);
    expect(output).toContain('01-requirements/01-user-stories.mdx');
    expect(output).toMatch(/objectives/);
  }, 120_000);

  it('an exercise manifest with an unknown stage names the file, the field and the stages', () => {
    const root = siteWith({
      'lessons/01-requirements/01-user-stories.mdx': goodLesson,
      'exercises/broken/exercise.yaml': `title: Broken
summary: An exercise whose stage is misspelt.
stage: desing
kind: sql-schema
difficulty: beginner
minutes: 10
files:
  editable: [schema.sql]
`,
    });
    const { status, output } = sync(root);
    expect(status).not.toBe(0);
    expect(output).toContain('exercises/broken/exercise.yaml');
    expect(output).toMatch(/stage: expected one of "requirements", "design"/);
  }, 120_000);
});
