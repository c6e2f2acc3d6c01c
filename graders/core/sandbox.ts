import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { limits as defaultLimits } from './limits.ts';

/**
 * Runs learner code in a child process that cannot take the grader down with it: its own process
 * group (killed as a group), a heap cap, a watch on resident memory (the heap cap does not bound
 * Buffers or WebAssembly), a wall clock, capped output, and no inherited environment.
 */

export type KillReason = 'timeout' | 'output-limit' | 'out-of-memory' | 'aborted';

export interface SandboxOptions {
  cwd: string;
  /** Extra environment variables; nothing from the grader's own environment is passed. */
  env?: Record<string, string>;
  /** Wall clock for the process; `undefined` means only the signal can stop it. */
  timeoutMs?: number;
  heapMb?: number;
  rssMb?: number;
  outputKeepBytes?: number;
  outputKillBytes?: number;
  signal?: AbortSignal;
}

export interface ProcessOutcome {
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Set when the sandbox, not the program, ended the process. */
  killedFor?: KillReason;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order, capped like each stream. */
  output: string;
  durationMs: number;
  peakRssMb: number;
}

export interface SandboxedProcess {
  pid: number;
  /** Output so far (kept part only). */
  output(): string;
  /** Resolves once the process has exited and its output is drained. */
  exited: Promise<ProcessOutcome>;
  /** Kills the whole process group: SIGTERM, then SIGKILL after a grace period. */
  kill(reason?: KillReason): Promise<ProcessOutcome>;
}

/** The node binary that runs the grader runs learner code too (Node 22 from the `node` package in development). */
export const nodeBinary = process.execPath;

/** A minimal environment: no secrets or settings from the grader's own environment leak in. */
export function baseEnv(heapMb: number, home = tmpdir()): Record<string, string> {
  return {
    PATH: [dirname(nodeBinary), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: home,
    TMPDIR: tmpdir(),
    LANG: 'C.UTF-8',
    NODE_OPTIONS: `--max-old-space-size=${heapMb}`,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
}

class CappedText {
  private kept = '';
  private keptBytes = 0;
  total = 0;
  private readonly keepBytes: number;
  constructor(keepBytes: number) {
    this.keepBytes = keepBytes;
  }
  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.keptBytes >= this.keepBytes) return;
    const room = this.keepBytes - this.keptBytes;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.kept += part.toString('utf8');
    this.keptBytes += part.length;
  }
  text(): string {
    return this.total > this.keptBytes ? `${this.kept}\n… (output cut after ${this.keepBytes} bytes)` : this.kept;
  }
}

/** Sum of resident memory, in MB, of every live process in the group (Linux only; 0 elsewhere). */
export function groupRssMb(pgid: number): number {
  let totalKb = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may itself contain spaces or parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const state = fields[0];
      const group = Number(fields[2]);
      if (group !== pgid || state === 'Z') continue;
      const rssPages = Number(fields[21]);
      totalKb += (rssPages * 4096) / 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return totalKb / 1024;
}

/** Live (non-zombie) processes of a group; used to prove nothing is left behind. */
export function livePidsInGroup(pgid: number): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Process groups this process has started, so tests can prove none outlives its grade. */
const startedGroups = new Set<number>();

/** Processes still alive in any group the sandbox started (zombies, already dead, are ignored). */
export function leftoverProcesses(): number[] {
  const alive: number[] = [];
  for (const pgid of startedGroups) {
    const pids = livePidsInGroup(pgid);
    if (pids.length === 0) startedGroups.delete(pgid);
    alive.push(...pids);
  }
  return alive;
}

/** Starts `command args` under the sandbox's limits. */
export function runSandboxed(command: string, args: string[], options: SandboxOptions): SandboxedProcess {
  const heapMb = options.heapMb ?? defaultLimits.heapMb;
  const rssMb = options.rssMb ?? defaultLimits.rssMb;
  const keepBytes = options.outputKeepBytes ?? defaultLimits.outputKeepBytes;
  const killBytes = options.outputKillBytes ?? defaultLimits.outputKillBytes;
  const started = performance.now();

  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...baseEnv(heapMb), ...options.env },
    detached: true, // a process group of its own, so the whole tree can be killed at once
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  if (child.pid !== undefined) startedGroups.add(child.pid);
  const stdout = new CappedText(keepBytes);
  const stderr = new CappedText(keepBytes);
  const combined = new CappedText(keepBytes);
  let killedFor: KillReason | undefined;
  let peakRssMb = 0;
  let exited = false;

  const killGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };

  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (reason: KillReason) => {
    if (exited) return;
    killedFor ??= reason;
    killGroup('SIGTERM');
    killTimer ??= setTimeout(() => killGroup('SIGKILL'), defaultLimits.killGraceMs);
  };

  const onData = (stream: CappedText) => (chunk: Buffer) => {
    stream.push(chunk);
    combined.push(chunk);
    // Keep draining past the cap, so the child never blocks on a full pipe, but stop a flood.
    if (stdout.total + stderr.total > killBytes) {
      killedFor ??= 'output-limit';
      killGroup('SIGKILL');
    }
  };
  child.stdout.on('data', onData(stdout));
  child.stderr.on('data', onData(stderr));

  const wallTimer = options.timeoutMs === undefined ? undefined : setTimeout(() => terminate('timeout'), options.timeoutMs);
  const memoryTimer = setInterval(() => {
    if (child.pid === undefined) return;
    const rss = groupRssMb(child.pid);
    peakRssMb = Math.max(peakRssMb, rss);
    if (rss > rssMb) {
      killedFor ??= 'out-of-memory';
      killGroup('SIGKILL');
    }
  }, 100);
  const onAbort = () => terminate('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const exitedPromise = new Promise<ProcessOutcome>((resolve) => {
    const finish = (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      exited = true;
      clearTimeout(wallTimer);
      clearTimeout(killTimer);
      clearInterval(memoryTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // The leader is gone; make sure nothing it started lingers in the group.
      killGroup('SIGKILL');
      // V8 reports a heap that hit --max-old-space-size this way. A print loop that never yields
      // dies the same way (its pipe writes queue up in its heap), so a lot of output means a flood.
      const heapExhausted = /JavaScript heap out of memory|Reached heap limit|Allocation failed/.test(stderr.text());
      const flooded = stdout.total + stderr.total >= keepBytes;
      resolve({
        exitCode,
        exitSignal,
        killedFor: killedFor ?? (heapExhausted ? (flooded ? 'output-limit' : 'out-of-memory') : undefined),
        stdout: stdout.text(),
        stderr: stderr.text(),
        output: combined.text(),
        durationMs: Math.round(performance.now() - started),
        peakRssMb: Math.round(peakRssMb),
      });
    };
    child.on('error', (error) => {
      stderr.push(Buffer.from(String(error.message)));
      finish(null, null);
    });
    // When the leader exits, kill what it started, so pipes held by grandchildren close too.
    child.on('exit', () => killGroup('SIGKILL'));
    child.on('close', finish);
  });

  return {
    pid: child.pid ?? -1,
    output: () => combined.text(),
    exited: exitedPromise,
    kill: (reason = 'aborted') => {
      terminate(reason);
      return exitedPromise;
    },
  };
}
