import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportSchema } from '../../graders/core/report.ts';

/** The CLI as instructors and CI run it: a real process, real exit codes, real files. */

const exercise = 'write-dockerfile';
const scratch = mkdtempSync(join(tmpdir(), 'bw-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['graders/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function folderWith(name: string, overlays: string[]): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const overlay of overlays) cpSync(overlay, dir, { recursive: true });
  return dir;
}

const solutionDir = folderWith('solution', [`exercises/${exercise}/starter`, `exercises/${exercise}/solution`]);
const starterDir = folderWith('starter', [`exercises/${exercise}/starter`]);
const syntaxDir = folderWith('syntax', [`exercises/${exercise}/fixtures/syntax-error/submission`]);

describe('backend-workflow CLI', () => {
  it('lists the exercises by stage', () => {
    const { code, stdout } = cli(['list']);
    expect(code).toBe(0);
    expect(stdout).toContain('Deployment and DevOps');
    expect(stdout).toMatch(/write-dockerfile\s+dockerfile\s+\d+ min/);
  });

  it('prints help with the exit codes, and exits 3 on a usage error', () => {
    expect(cli(['--help']).stdout).toContain('2  error caused by the submission');
    const unknown = cli(['grade', 'no-such-exercise']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('There is no exercise "no-such-exercise"');
    expect(cli(['frobnicate']).code).toBe(3);
    expect(cli(['grade', exercise, join(scratch, 'missing')]).stderr).toContain('is not a folder');
    const hugeSeed = cli(['grade', exercise, solutionDir, '--seed', '99999999999999999999']);
    expect(hugeSeed.code).toBe(3);
    expect(hugeSeed.stderr).toContain('--seed takes a whole number from 1 to 2147483647');
  });

  it('init copies the starter and refuses a non-empty folder without --force', () => {
    const target = join(scratch, 'init');
    expect(cli(['init', exercise, target]).code).toBe(0);
    expect(readFileSync(join(target, 'Dockerfile'), 'utf8')).toBe(readFileSync(`exercises/${exercise}/starter/Dockerfile`, 'utf8'));
    writeFileSync(join(target, 'Dockerfile'), 'FROM scratch\n');
    const refused = cli(['init', exercise, target]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(join(target, 'Dockerfile'), 'utf8')).toBe('FROM scratch\n');
    expect(cli(['init', exercise, target, '--force']).code).toBe(0);
    expect(readFileSync(join(target, 'Dockerfile'), 'utf8')).not.toBe('FROM scratch\n');
  });

  it('exits 0 for a pass, 1 for a fail and 2 for a submission error', () => {
    const passed = cli(['grade', exercise, solutionDir]);
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout).toMatch(/PASS {2}score (\d+)\/\1/);
    expect(passed.stdout).not.toContain('\u001b['); // not a terminal: no colour

    const failed = cli(['grade', exercise, starterDir]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('✘');
    expect(failed.stdout).toContain('Hint:');

    const error = cli(['grade', exercise, syntaxDir]);
    expect(error.code).toBe(2);
    expect(error.stdout).toContain('Could not grade: the file does not parse or run.');
  });

  it('--json prints the report alone on stdout', () => {
    const { code, stdout } = cli(['grade', exercise, starterDir, '--json']);
    expect(code).toBe(1);
    const report = reportSchema.parse(JSON.parse(stdout));
    expect(report.status).toBe('fail');
    expect(report.exercise).toBe(exercise);
  });

  it('--junit writes JUnit XML and --github writes annotations, a job summary and the points line', () => {
    const junit = join(scratch, 'results.xml');
    const summary = join(scratch, 'summary.md');
    const { code, stdout, stderr } = cli(['grade', exercise, starterDir, '--junit', junit, '--github'], { GITHUB_STEP_SUMMARY: summary });
    expect(code).toBe(1);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuite name="write-dockerfile: [^"]+" tests="\d+" failures="[1-9]\d*"/);
    expect(stderr).toMatch(/^::error (file=[^,]+\/Dockerfile,line=\d+,)?title=/m);
    expect(stdout).toMatch(/^Points \d+\/\d+$/m);
    expect(readFileSync(summary, 'utf8')).toMatch(/^## ❌ /);
  });

  it('colours the output only when asked, and NO_COLOR wins', () => {
    expect(cli(['grade', exercise, starterDir], { FORCE_COLOR: '1' }).stdout).toContain('\u001b[');
    expect(cli(['grade', exercise, starterDir], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toContain('\u001b[');
  });

  it('assignment writes the starter, the brief as README and a grading workflow', () => {
    const out = join(scratch, 'assignment');
    const { code } = cli(['assignment', exercise, '--out', out, '--package', 'backend-workflow@0.1.0']);
    expect(code).toBe(0);
    expect(existsSync(join(out, 'Dockerfile'))).toBe(true);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/^# /);
    expect(readFileSync(join(out, '.github/workflows/grade.yml'), 'utf8')).toContain('grade write-dockerfile . --github');
    expect(cli(['assignment', exercise, '--out', out]).code).toBe(3);
  });

  it('says why it will not write or read a folder, as a usage error rather than an internal one', () => {
    const full = join(scratch, 'full');
    mkdirSync(full, { recursive: true });
    writeFileSync(join(full, 'notes.txt'), 'mine');
    const refused = cli(['assignment', exercise, '--out', full]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('--force');
    expect(refused.stderr).not.toContain('internal error');
    expect(readFileSync(join(full, 'notes.txt'), 'utf8')).toBe('mine');

    const crowded = join(scratch, 'crowded');
    mkdirSync(crowded, { recursive: true });
    for (let index = 0; index <= 200; index++) writeFileSync(join(crowded, `file-${index}.txt`), '');
    const tooMany = cli(['grade', exercise, crowded]);
    expect(tooMany.code).toBe(3);
    expect(tooMany.stderr).toContain('more than 200 files');
    expect(tooMany.stderr).not.toContain('internal error');
  });

  it('names annotated files from the root of the GitHub workspace, and creates the folder of the JUnit file', () => {
    const junit = join(scratch, 'reports', 'nested', 'grade.xml');
    const { code, stderr } = cli(['grade', exercise, syntaxDir, '--github', '--junit', junit], { GITHUB_WORKSPACE: scratch, GITHUB_STEP_SUMMARY: '' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^::error file=syntax\/Dockerfile,line=\d+,/m);
    expect(readFileSync(junit, 'utf8')).toContain('<testsuite');
  });

  it('Ctrl-C stops the grade and the learner\'s processes with it, and exits 130', async () => {
    // A server that never listens: the grade waits for it, with its process group running.
    const dir = folderWith('interrupted', ['exercises/build-api/starter']);
    writeFileSync(join(dir, 'src', 'server.js'), 'setInterval(() => {}, 1000);\n');
    const child = spawn(process.execPath, ['graders/cli.ts', 'grade', 'build-api', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let learner: number[] = [];
    try {
      for (let attempt = 0; attempt < 100 && learner.length === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        learner = processes().filter((entry) => entry.ppid === child.pid).map((entry) => entry.pid);
      }
      expect(learner.length, 'the learner server should have started').toBeGreaterThan(0);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toContain('stopped before the grade finished');
      const alive = new Set(processes().map((entry) => entry.pid));
      expect(learner.filter((pid) => alive.has(pid))).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      for (const pid of learner) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone, as it should be
        }
      }
    }
  }, 30_000);
});

/** Live processes with their parent, from /proc (zombies left out). */
function processes(): { pid: number; ppid: number }[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return fields[0] === 'Z' ? [] : [{ pid: Number(entry), ppid: Number(fields[1]) }];
      } catch {
        return [];
      }
    });
}
