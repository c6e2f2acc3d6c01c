import { describe, expect, it } from 'vitest';
import type { ShellSession } from '../../src/runtime/runner.ts';
import { connectShell, type TerminalLike } from '../../src/workbench/terminal-panel.ts';

/** The terminal's wiring, with a fake shell and a fake terminal: output in, keystrokes out, exit, cancel. */

function fakeShell(chunks: string[], exitCode = 0) {
  const written: string[] = [];
  let killed = false;
  let resolveExit!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (resolveExit = resolve));
  let controller!: ReadableStreamDefaultController<string>;
  const output = new ReadableStream<string>({ start: (c) => void (controller = c) });
  const session: ShellSession = {
    output,
    write: async (data) => void written.push(data),
    resize: () => undefined,
    exit,
    kill: () => {
      killed = true;
      resolveExit(130);
    },
  };
  return {
    session,
    written,
    killed: () => killed,
    emit: () => chunks.forEach((chunk) => controller.enqueue(chunk)),
    end: () => {
      controller.close();
      resolveExit(exitCode);
    },
  };
}

function fakeTerminal() {
  const screen: string[] = [];
  let listener: ((data: string) => void) | undefined;
  let disposed = false;
  const terminal: TerminalLike = {
    write: (data) => void screen.push(data),
    onData: (next) => {
      listener = next;
      return { dispose: () => void (disposed = true) };
    },
  };
  return { terminal, screen, type: (data: string) => listener?.(data), disposed: () => disposed };
}

describe('connectShell', () => {
  it('writes what the shell prints, sends what the learner types, and ends with the exit code', async () => {
    const shell = fakeShell(['$ ', 'ls\r\n', 'package.json\r\n'], 0);
    const screen = fakeTerminal();
    const done = connectShell(shell.session, screen.terminal);
    screen.type('ls\r');
    shell.emit();
    shell.end();
    expect(await done).toBe(0);
    expect(screen.screen.join('')).toBe('$ ls\r\npackage.json\r\n');
    expect(shell.written).toEqual(['ls\r']);
    expect(screen.disposed()).toBe(true);
  });

  it('kills the shell when cancelled', async () => {
    const shell = fakeShell([]);
    const screen = fakeTerminal();
    const controller = new AbortController();
    const done = connectShell(shell.session, screen.terminal, controller.signal);
    controller.abort();
    expect(await done).toBe(130);
    expect(shell.killed()).toBe(true);
  });
});
