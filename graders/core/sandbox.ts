import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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

/** Calls `visit` with the pid and the fields after the command name of every process in /proc (Linux only). */
function eachProcess(visit: (pid: number, fields: string[]) => void): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // The process ended while we looked.
    }
    // Fields after the command name, which may itself contain spaces or parentheses:
    // [0] state, [1] ppid, [2] process group, …, [21] resident pages.
    visit(Number(entry), stat.slice(stat.lastIndexOf(')') + 2).split(' '));
  }
}

/** Sum of resident memory, in MB, of every live process in the group (Linux only; 0 elsewhere). */
export function groupRssMb(pgid: number): number {
  let totalKb = 0;
  eachProcess((_pid, fields) => {
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') totalKb += (Number(fields[21]) * 4096) / 1024;
  });
  return totalKb / 1024;
}

/** Live (non-zombie) processes of a group; used to prove nothing is left behind. */
export function livePidsInGroup(pgid: number): number[] {
  const pids: number[] = [];
  eachProcess((pid, fields) => {
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(pid);
  });
  return pids;
}

/**
 * Every sandboxed process carries this variable with a value of its own, and passes it on to what
 * it starts. A process that leaves the group (`spawn(..., { detached: true })`, `setsid`) is still
 * found by it, so it cannot outlive the run; only code that also clears its environment escapes.
 */
const markerVariable = 'BACKEND_WORKFLOW_SANDBOX';

/** Live processes whose environment holds one of `markers` (Linux only). */
function markedPids(markers: ReadonlySet<string>): number[] {
  if (markers.size === 0) return [];
  const pids: number[] = [];
  eachProcess((pid, fields) => {
    if (fields[0] === 'Z' || pid === process.pid) return;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      return; // gone, or not ours to read
    }
    for (const entry of environ.split('\0')) {
      if (entry.startsWith(markerVariable + '=') && markers.has(entry.slice(markerVariable.length + 1))) {
        pids.push(pid);
        return;
      }
    }
  });
  return pids;
}

/** Process groups (and markers) this process has started, so tests can prove none outlives its grade. */
const startedGroups = new Set<number>();
const startedMarkers = new Set<string>();

/** Processes still alive in any group the sandbox started, or that left such a group (zombies, already dead, are ignored). */
export function leftoverProcesses(): number[] {
  const alive = new Set<number>();
  for (const pgid of startedGroups) {
    const pids = livePidsInGroup(pgid);
    if (pids.length === 0) startedGroups.delete(pgid);
    for (const pid of pids) alive.add(pid);
  }
  const escaped = markedPids(startedMarkers);
  if (escaped.length === 0) startedMarkers.clear();
  for (const pid of escaped) alive.add(pid);
  return [...alive];
}

/** Starts `command args` under the sandbox's limits. */
export function runSandboxed(command: string, args: string[], options: SandboxOptions): SandboxedProcess {
  const heapMb = options.heapMb ?? defaultLimits.heapMb;
  const rssMb = options.rssMb ?? defaultLimits.rssMb;
  const keepBytes = options.outputKeepBytes ?? defaultLimits.outputKeepBytes;
  const killBytes = options.outputKillBytes ?? defaultLimits.outputKillBytes;
  const started = performance.now();
  const marker = randomUUID();
  startedMarkers.add(marker);

  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...baseEnv(heapMb), ...options.env, [markerVariable]: marker },
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
  let flooded = false;

  const killGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    const targets = [-child.pid, ...markedPids(new Set([marker]))];
    for (const target of targets) {
      try {
        process.kill(target, sig);
      } catch {
        // already gone
      }
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
    if (stdout.total + stderr.total > killBytes && !flooded) {
      flooded = true;
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
    let settled = false;
    let closeTimer: NodeJS.Timeout | undefined;
    const finish = (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      exited = true;
      clearTimeout(wallTimer);
      clearTimeout(killTimer);
      clearTimeout(closeTimer);
      clearInterval(memoryTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // The leader is gone; make sure nothing it started lingers in the group.
      killGroup('SIGKILL');
      // V8 reports a heap that hit --max-old-space-size this way. A print loop that never yields
      // dies the same way (its pipe writes queue up in its heap), so a lot of output means a flood.
      const heapExhausted = /JavaScript heap out of memory|Reached heap limit|Allocation failed/.test(stderr.text());
      const printedMuch = stdout.total + stderr.total >= keepBytes;
      resolve({
        exitCode,
        exitSignal,
        killedFor: killedFor ?? (heapExhausted ? (printedMuch ? 'output-limit' : 'out-of-memory') : undefined),
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
    child.on('exit', (exitCode, exitSignal) => {
      // When the leader exits, kill what it started, so pipes held by grandchildren close too.
      killGroup('SIGKILL');
      // A process that escaped the kill (it cleared its environment) may still hold the pipes:
      // stop reading them rather than wait for it.
      closeTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(exitCode, exitSignal);
      }, defaultLimits.killGraceMs);
    });
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
