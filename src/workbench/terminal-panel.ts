import type { ShellSession } from '../runtime/runner.ts';

/**
 * The terminal panel: a shell in the runner's environment (the WebContainer runner has one; the
 * course server does not hand a shell on the learner's machine to a web page), drawn with xterm.
 * `connectShell` is the wiring, kept apart from xterm so it is tested with fakes.
 */

/** The part of xterm's Terminal the wiring uses. */
export interface TerminalLike {
  write(data: string): void;
  onData(listener: (data: string) => void): { dispose(): void };
}

/**
 * Pipes the shell's output into the terminal and the terminal's keystrokes into the shell.
 * Resolves with the exit code when the shell ends (the output has been written by then).
 */
export async function connectShell(session: ShellSession, terminal: TerminalLike, signal?: AbortSignal): Promise<number> {
  const typing = terminal.onData((data) => {
    void session.write(data).catch(() => undefined);
  });
  const reader = session.output.getReader();
  const stop = () => {
    session.kill();
    void reader.cancel().catch(() => undefined);
  };
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      terminal.write(value);
    }
    return await session.exit;
  } finally {
    typing.dispose();
    signal?.removeEventListener('abort', stop);
  }
}

export interface TerminalPanelOptions {
  root: HTMLElement;
  openShell(size: { cols: number; rows: number }): Promise<ShellSession>;
  announce(text: string): void;
}

/** Draws the panel and starts a shell; "New shell" starts another when one ends. */
export async function mountTerminalPanel(options: TerminalPanelOptions): Promise<{ dispose(): void }> {
  const { root, openShell, announce } = options;
  const [{ Terminal }, { FitAddon }, { default: css }] = await Promise.all([
    import('@xterm/xterm'),
    import('@xterm/addon-fit'),
    // Inline: a stylesheet import would be hoisted into the page's <head> by Astro.
    import('@xterm/xterm/css/xterm.css?inline'),
  ]);
  if (!document.querySelector('style[data-xterm]')) {
    const style = document.createElement('style');
    style.dataset.xterm = '';
    style.textContent = css;
    document.head.append(style);
  }
  root.innerHTML = `
    <div class="term">
      <div class="term-bar">
        <p data-term="state">Starting a shell…</p>
        <button type="button" class="wb-tool" data-term="restart" hidden>New shell</button>
      </div>
      <div class="term-screen" data-term="screen"></div>
    </div>`;
  const state = root.querySelector<HTMLElement>('[data-term="state"]')!;
  const restart = root.querySelector<HTMLButtonElement>('[data-term="restart"]')!;
  const screen = root.querySelector<HTMLElement>('[data-term="screen"]')!;
  const styles = getComputedStyle(document.documentElement);
  const terminal = new Terminal({
    fontFamily: styles.getPropertyValue('--mono').trim() || 'monospace',
    fontSize: 13,
    cursorBlink: true,
    // Screen readers get xterm's own accessible buffer.
    screenReaderMode: true,
    theme: { background: styles.getPropertyValue('--surface').trim() || undefined, foreground: styles.getPropertyValue('--text').trim() || undefined },
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(screen);
  fit.fit();
  let session: ShellSession | undefined;
  let controller: AbortController | undefined;
  const observer = new ResizeObserver(() => {
    fit.fit();
    session?.resize({ cols: terminal.cols, rows: terminal.rows });
  });
  observer.observe(screen);

  const start = async () => {
    restart.hidden = true;
    state.textContent = 'Starting a shell…';
    controller = new AbortController();
    try {
      session = await openShell({ cols: terminal.cols, rows: terminal.rows });
      state.textContent = 'A shell in the runner, in your exercise’s folder. Try: ls, cat package.json, npm test.';
      terminal.focus();
      const code = await connectShell(session, terminal, controller.signal);
      state.textContent = `The shell ended (exit code ${code}).`;
      announce('The shell ended.');
    } catch (error) {
      state.textContent = `The shell could not start: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      session = undefined;
      restart.hidden = false;
    }
  };
  restart.addEventListener('click', () => void start());
  void start();
  return {
    dispose() {
      controller?.abort();
      observer.disconnect();
      terminal.dispose();
    },
  };
}
