// Grading speed and memory for every exercise: the median time of the solution and of the starter,
// in a cold process (what the CLI pays) and warm (what the course server pays), and peak memory.
// Run through `npm run bench`; prints figures, never fails on a slow machine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { disposeGraders, gradeSubmission } from '../../graders/core/grade.ts';
import { listExercises, readSolution, readStarter, type FileMap } from '../../graders/core/exercises.ts';

const warmRuns = Number(process.env.BENCH_WARM_RUNS ?? 7);
const coldRuns = Number(process.env.BENCH_COLD_RUNS ?? 3);
const only = process.argv.slice(2);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function writeFolder(files: FileMap): string {
  const dir = mkdtempSync(join(tmpdir(), 'bw-bench-'));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A fresh `backend-workflow grade` process each time: wall clock and peak RSS (KB) from /usr/bin/time when present. */
function coldGrade(id: string, files: FileMap): { ms: number; status: string } {
  const dir = writeFolder(files);
  try {
    const started = performance.now();
    const result = spawnSync(process.execPath, ['graders/cli.ts', 'grade', id, dir, '--json'], { encoding: 'utf8' });
    const ms = performance.now() - started;
    const status = (() => {
      try {
        return JSON.parse(result.stdout).status as string;
      } catch {
        return `exit ${result.status}`;
      }
    })();
    return { ms, status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: string[][] = [['exercise', 'submission', 'status', 'cold median', 'warm first', 'warm median', 'peak RSS']];
for (const exercise of listExercises()) {
  if (only.length > 0 && !only.includes(exercise.id)) continue;
  const variants: [string, FileMap][] = [
    ['solution', new Map([...readStarter(exercise), ...readSolution(exercise)])],
    ['starter', readStarter(exercise)],
  ];
  for (const [name, files] of variants) {
    const cold = Array.from({ length: coldRuns }, () => coldGrade(exercise.id, files));
    const warm: number[] = [];
    let status = '';
    for (let run = 0; run < warmRuns; run++) {
      const report = await gradeSubmission(exercise.id, files);
      warm.push(report.durationMs);
      status = report.status;
    }
    rows.push([
      exercise.id,
      name,
      status,
      `${Math.round(median(cold.map((c) => c.ms)))} ms`,
      `${warm[0]} ms`,
      `${Math.round(median(warm.slice(1)))} ms`,
      `${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB`,
    ]);
  }
}
await disposeGraders();

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
console.log(`\nGrading (cold: ${coldRuns} fresh CLI processes; warm: ${warmRuns} grades in one process, first run apart)`);
for (const [index, row] of rows.entries()) {
  console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
  if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
}
console.log('Peak RSS is the grading process after that row (warm resources such as PGlite included).');
console.log('Targets on this machine: Dockerfile < 50 ms, schema < 300 ms warm, API < 500 ms, tests with mutants < 1.5 s.');
