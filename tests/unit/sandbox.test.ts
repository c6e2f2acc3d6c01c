import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftoverProcesses, livePidsInGroup, nodeBinary, runSandboxed } from '../../graders/core/sandbox.ts';

const dir = mkdtempSync(join(tmpdir(), 'bw-sandbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

async function waitUntilGone(pgid: number): Promise<number[]> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const alive = livePidsInGroup(pgid);
    if (alive.length === 0) return alive;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return livePidsInGroup(pgid);
}

describe('runSandboxed', () => {
  it('captures output and the exit code of a well-behaved program', async () => {
    const child = runSandboxed(nodeBinary, [script('ok.js', 'console.log("hello"); console.error("oops"); process.exit(3);')], { cwd: dir });
    const outcome = await child.exited;
    expect(outcome.exitCode).toBe(3);
    expect(outcome.stdout.trim()).toBe('hello');
    expect(outcome.stderr.trim()).toBe('oops');
    expect(outcome.killedFor).toBeUndefined();
  });

  it('passes no environment variable of the grader to learner code', async () => {
    process.env.BW_SECRET_FOR_TEST = 'do-not-leak';
    const child = runSandboxed(nodeBinary, ['-e', 'console.log(JSON.stringify(process.env))'], { cwd: dir, env: { PORT: '1234' } });
    const env = JSON.parse((await child.exited).stdout);
    delete process.env.BW_SECRET_FOR_TEST;
    expect(env.BW_SECRET_FOR_TEST).toBeUndefined();
    expect(env.PORT).toBe('1234');
    expect(env.NODE_OPTIONS).toMatch(/--max-old-space-size=\d+/);
  });

  it('kills an endless loop at the wall clock, with its whole process group', async () => {
    const file = script('spin.js', `
      const { spawn } = require('node:child_process');
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      for (;;) {}
    `);
    const child = runSandboxed(nodeBinary, [file], { cwd: dir, timeoutMs: 700 });
    const outcome = await child.exited;
    expect(outcome.killedFor).toBe('timeout');
    expect(outcome.durationMs).toBeLessThan(5_000);
    expect(await waitUntilGone(child.pid)).toEqual([]);
  });

  it('reports a print loop that never yields as an output flood, not as a memory problem', async () => {
    const child = runSandboxed(nodeBinary, ['-e', 'for (;;) console.log("again and again");'], { cwd: dir, heapMb: 64, timeoutMs: 20_000, outputKeepBytes: 4096 });
    const outcome = await child.exited;
    expect(outcome.killedFor).toBe('output-limit');
    expect(await waitUntilGone(child.pid)).toEqual([]);
  });

  it('stops an output flood past the kill limit and keeps only the first bytes', async () => {
    const flood = 'const line = "x".repeat(1000) + "\\n"; const burst = () => { for (let i = 0; i < 50; i++) process.stdout.write(line); setImmediate(burst); }; burst();';
    const child = runSandboxed(nodeBinary, ['-e', flood], {
      cwd: dir,
      timeoutMs: 20_000,
      outputKeepBytes: 4096,
      outputKillBytes: 256 * 1024,
    });
    const outcome = await child.exited;
    expect(outcome.killedFor).toBe('output-limit');
    expect(outcome.stdout.length).toBeLessThan(4096 + 200);
    expect(outcome.stdout).toContain('output cut');
    expect(await waitUntilGone(child.pid)).toEqual([]);
  });

  it('reports a heap that outgrows its cap as out of memory', async () => {
    const child = runSandboxed(nodeBinary, ['-e', 'const keep = []; for (;;) keep.push(new Array(1e5).fill({ a: 1 }));'], { cwd: dir, heapMb: 64, timeoutMs: 20_000 });
    const outcome = await child.exited;
    expect(outcome.killedFor).toBe('out-of-memory');
  });

  it('kills a process whose resident memory (Buffers, outside the heap) passes the limit', async () => {
    const child = runSandboxed(nodeBinary, ['-e', 'const keep = []; setInterval(() => keep.push(Buffer.alloc(32 * 1024 * 1024, 1)), 20);'], {
      cwd: dir,
      rssMb: 200,
      timeoutMs: 20_000,
    });
    const outcome = await child.exited;
    expect(outcome.killedFor).toBe('out-of-memory');
    expect(outcome.peakRssMb).toBeGreaterThan(150);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const child = runSandboxed(nodeBinary, ['-e', 'setInterval(() => {}, 1000)'], { cwd: dir, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const outcome = await child.exited;
    expect(outcome.killedFor).toBe('aborted');
    expect(await waitUntilGone(child.pid)).toEqual([]);
  });

  it('kills a process that left the group (spawned detached), and does not wait for it', async () => {
    const file = script('escape.js', `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
      child.unref();
      console.log(child.pid);
    `);
    const child = runSandboxed(nodeBinary, [file], { cwd: dir, timeoutMs: 5_000 });
    const outcome = await child.exited;
    const escaped = Number(outcome.stdout.trim());
    expect(escaped).toBeGreaterThan(0);
    expect(outcome.durationMs).toBeLessThan(3_000);
    expect(alive(escaped)).toBe(false);
    expect(leftoverProcesses()).not.toContain(escaped);
  });

  it('ends the run when the program exits, even if something it started still holds the output pipes', async () => {
    const file = script('holder.js', `
      const { spawn } = require('node:child_process');
      // A cleared environment hides it from the sandbox: the run must end all the same.
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { detached: true, env: {}, stdio: ['ignore', 'inherit', 'inherit'] });
      child.unref();
      console.log(child.pid);
    `);
    const child = runSandboxed(nodeBinary, [file], { cwd: dir, timeoutMs: 10_000 });
    const outcome = await child.exited;
    const holder = Number(outcome.stdout.trim());
    try {
      expect(holder).toBeGreaterThan(0);
      expect(outcome.exitCode).toBe(0);
      expect(outcome.durationMs).toBeLessThan(3_000);
    } finally {
      if (holder > 0 && alive(holder)) process.kill(holder, 'SIGKILL');
    }
  });
});

function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z';
  } catch {
    return false;
  }
}
