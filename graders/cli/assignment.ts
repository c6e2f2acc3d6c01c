import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type LoadedExercise, readStarter } from '../core/exercises.ts';
import { assertWritableFolder } from './folders.ts';

/**
 * A ready repository for a bootcamp assignment: the starter files, the brief as README, and a
 * CI workflow that installs this package at a pinned version and grades every push, so a class
 * of hundreds is graded by the CI service, not by us.
 */

export interface AssignmentOptions {
  exercise: LoadedExercise;
  outDir: string;
  /** What `npm install` should fetch: a pinned `backend-workflow@x.y.z`, a tarball path/URL or a git URL. */
  packageSpec: string;
  force: boolean;
}

/** MDX to plain Markdown for a README: drop import/export lines and JSX comments. */
export function mdxToMarkdown(mdx: string): string {
  return mdx
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/^(import|export) .*$\n?/gm, '')
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function workflowYaml(exerciseId: string, packageSpec: string): string {
  return `# Grades every push with the backend-workflow grader (pinned: ${packageSpec}).
# The grade appears as annotations, a job summary and a "Points X/Y" line (GitHub Classroom).
name: Grade

on:
  push:
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - name: Install the grader
        # Installed outside the submission, so the learner's own package.json is left alone.
        run: npm install --prefix "$RUNNER_TEMP/grader" --no-audit --no-fund ${JSON.stringify(packageSpec)}
      - name: Grade
        run: |
          "$RUNNER_TEMP/grader/node_modules/.bin/backend-workflow" grade ${exerciseId} . --github --junit grade-results.xml
      - name: Keep the results
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: grade-results
          path: grade-results.xml
`;
}

export function readmeFor(exercise: LoadedExercise, packageSpec: string): string {
  const briefFile = join(exercise.dir, 'task.mdx');
  const brief = existsSync(briefFile) ? mdxToMarkdown(readFileSync(briefFile, 'utf8')) : exercise.manifest.summary;
  const editable = exercise.manifest.files.editable.map((path) => `\`${path}\``).join(', ');
  return `# ${exercise.manifest.title}

${exercise.manifest.summary}

**Your files:** ${editable}. Every push is graded automatically (see the Actions tab); the grade lists each check with its points, what was observed and a hint.

## Grade it on your machine

Node.js 22.12 or newer:

\`\`\`bash
npx --yes ${packageSpec.startsWith('backend-workflow') ? packageSpec : `--package=${packageSpec} backend-workflow`} grade ${exercise.id} .
\`\`\`

Exit code 0 means every check passed.

---

${brief}
`;
}

export function writeAssignment(options: AssignmentOptions): string[] {
  const { exercise, outDir, packageSpec, force } = options;
  assertWritableFolder(outDir, force);
  const written: string[] = [];
  const write = (path: string, text: string) => {
    const full = join(outDir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    written.push(path);
  };
  for (const [path, text] of readStarter(exercise)) write(path, text);
  write('README.md', readmeFor(exercise, packageSpec));
  write('.github/workflows/grade.yml', workflowYaml(exercise.id, packageSpec));
  if (!readStarter(exercise).has('.gitignore')) write('.gitignore', 'node_modules/\ngrade-results.xml\n');
  return written;
}
