import type { AppSession, TryRequest, TryResponse } from '../runtime/runner.ts';
import type { RunnerChoice } from './runner-access.ts';
import { escapeHtml, formatDuration } from './report-view.ts';

/**
 * "Try your API": start the learner's server with the runner, send it requests (method, path,
 * headers, JSON body) and read the status, headers, body and time, with the server's own output
 * below. Loaded only on API exercises, when the panel is first opened.
 */

export const methods: TryRequest['method'][] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** `Name: value` lines into headers; blank lines are skipped, a malformed line is named. */
export function parseHeaderLines(text: string): { headers: Record<string, string> } | { problem: string } {
  const headers: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      return { problem: `Header line ${index + 1} should look like "Name: value".` };
    }
    headers[name] = line.slice(colon + 1).trim();
  }
  return { headers };
}

/** The request to send, or what is wrong with the form, in words. */
export function prepareRequest(form: { method: string; path: string; headers: string; body: string }): { request: TryRequest } | { problem: string } {
  const method = form.method.toUpperCase() as TryRequest['method'];
  if (!methods.includes(method)) return { problem: `Unknown method ${form.method}.` };
  const path = form.path.trim();
  if (!path.startsWith('/')) return { problem: 'The path starts with "/", for example /books?limit=2.' };
  if (/\s/.test(path)) return { problem: 'A path cannot contain spaces; write %20 instead.' };
  const parsed = parseHeaderLines(form.headers);
  if ('problem' in parsed) return parsed;
  const headers = parsed.headers;
  const body = form.body;
  if (body.trim() === '' || method === 'GET' || method === 'HEAD') return { request: { method, path, headers } };
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  if (!contentType) {
    headers['Content-Type'] = 'application/json';
  }
  // Invalid JSON is allowed on purpose when the learner says so (testing their 400 handling), but
  // flagged when it is sent as JSON by default.
  if ((contentType ?? 'application/json').includes('json')) {
    try {
      JSON.parse(body);
    } catch (error) {
      if (!contentType) return { problem: `The body is not valid JSON (${error instanceof Error ? error.message : 'parse error'}). To send it anyway, add the header "Content-Type: application/json" yourself.` };
    }
  }
  return { request: { method, path, headers, body } };
}

/** JSON bodies pretty-printed; anything else as it came. */
export function formatBody(body: string, headers: Record<string, string>): string {
  const type = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (type.includes('json') || /^\s*[[{]/.test(body)) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  }
  return body;
}

const reasonPhrases: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function renderResponseHtml(request: TryRequest, response: TryResponse): string {
  const headers = Object.entries(response.headers);
  const phrase = reasonPhrases[response.status] ?? '';
  const body = response.body ? `<pre class="rq-body" tabindex="0" aria-label="Response body"><code>${escapeHtml(formatBody(response.body, response.headers))}</code></pre>` : '<p class="muted">No body.</p>';
  return (
    `<h3>Response to ${escapeHtml(request.method)} ${escapeHtml(request.path)}</h3>` +
    `<p><span class="rq-status" data-class="${String(response.status)[0]}">${response.status} ${escapeHtml(phrase)}</span> · ${formatDuration(response.durationMs)}</p>` +
    `<details><summary>Headers (${headers.length})</summary><dl class="rq-headers">${headers.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl></details>` +
    body
  );
}

export interface RequestPanelOptions {
  root: HTMLElement;
  exerciseId: string;
  getRunner(): Promise<RunnerChoice>;
  /** The learner's files as they are now (saved first). */
  getFiles(): Promise<Record<string, string>>;
  announce(text: string): void;
}

export interface RequestPanel {
  /** The learner edited a file: a running server still runs the old code. */
  markStale(): void;
  dispose(): Promise<void>;
}

export function mountRequestPanel(options: RequestPanelOptions): RequestPanel {
  const { root, exerciseId, getRunner, getFiles, announce } = options;
  root.innerHTML = `
    <div class="rq">
      <div class="rq-server">
        <button type="button" class="button" data-rq="start">Start server</button>
        <button type="button" class="wb-tool" data-rq="restart" hidden>Restart</button>
        <button type="button" class="wb-tool" data-rq="stop" hidden>Stop</button>
        <p data-rq="state" data-server-state="stopped">Your server is not running. Start it to send it requests; it runs <code>npm start</code> with your files.</p>
      </div>
      <form class="rq-form" data-rq="form" aria-label="Request">
        <label>Method
          <select name="method">${methods.map((method) => `<option>${method}</option>`).join('')}</select>
        </label>
        <label>Path and query
          <input name="path" type="text" value="/books" spellcheck="false" autocomplete="off" />
        </label>
        <button type="submit" class="button" data-rq="send" disabled>Send</button>
        <label class="rq-wide">Headers, one per line
          <textarea name="headers" rows="2" spellcheck="false" placeholder="Accept: application/json">Accept: application/json</textarea>
        </label>
        <label class="rq-wide">Body (JSON; ignored for GET and HEAD)
          <textarea name="body" rows="4" spellcheck="false" placeholder='{ "title": "Kindred" }'></textarea>
        </label>
        <p class="rq-problem rq-wide" data-rq="problem" role="alert"></p>
      </form>
      <section class="rq-response" data-rq="response" aria-live="polite" hidden></section>
      <section class="rq-output" aria-labelledby="rq-output-title">
        <h3 id="rq-output-title">Server output</h3>
        <pre class="rq-log" data-rq="log" tabindex="0" aria-label="Server output"><code>(nothing yet)</code></pre>
      </section>
    </div>`;
  const $ = <T extends HTMLElement>(name: string) => root.querySelector<T>(`[data-rq="${name}"]`)!;
  const startButton = $<HTMLButtonElement>('start');
  const restartButton = $<HTMLButtonElement>('restart');
  const stopButton = $<HTMLButtonElement>('stop');
  const sendButton = $<HTMLButtonElement>('send');
  const state = $('state');
  const form = $<HTMLFormElement>('form');
  const problem = $('problem');
  const responseView = $('response');
  const log = $('log');

  let session: AppSession | undefined;
  let starting: AbortController | undefined;
  let sending: AbortController | undefined;
  let polling: ReturnType<typeof setInterval> | undefined;
  let stale = false;

  const setState = (kind: 'stopped' | 'starting' | 'running' | 'failed', html: string) => {
    state.dataset.serverState = kind;
    state.innerHTML = html;
    startButton.hidden = kind === 'running' || kind === 'starting';
    restartButton.hidden = kind !== 'running';
    stopButton.hidden = kind !== 'running' && kind !== 'starting';
    stopButton.textContent = kind === 'starting' ? 'Cancel' : 'Stop';
    sendButton.disabled = kind !== 'running';
  };

  const showLog = (text: string) => {
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
    log.innerHTML = `<code>${escapeHtml(text || '(nothing yet)')}</code>`;
    if (atBottom) log.scrollTop = log.scrollHeight;
  };

  const poll = async () => {
    if (!session) return;
    try {
      const output = await session.output();
      showLog(output.text);
      if (!output.running) {
        stopPolling();
        session = undefined;
        setState('stopped', `Your server stopped${output.exitCode === null ? '' : ` (exit code ${output.exitCode})`}. Its output below says why; fix it and start it again.`);
        announce('Your server stopped.');
      }
    } catch {
      // A missed poll is retried on the next tick.
    }
  };
  const stopPolling = () => {
    if (polling !== undefined) clearInterval(polling);
    polling = undefined;
  };

  const start = async () => {
    const choice = await getRunner();
    if (!choice.ok) {
      setState('failed', `${escapeHtml(choice.reason)} Your work is saved in this browser.`);
      return;
    }
    starting = new AbortController();
    stale = false;
    setState('starting', 'Starting your server (<code>npm start</code>)…');
    try {
      session = await choice.runner.startApp(exerciseId, await getFiles(), starting.signal);
      setState('running', 'Your server is running. Send it a request below.');
      announce('Your server is running.');
      await poll();
      polling = setInterval(() => void poll(), 1000);
    } catch (error) {
      session = undefined;
      if (starting.signal.aborted) {
        setState('stopped', 'Start cancelled.');
      } else {
        setState('failed', `Your server could not be started: ${escapeHtml(error instanceof Error ? error.message : String(error))}`);
        // What the server printed before it failed (AppStartError) is usually the answer.
        const output = (error as { output?: unknown }).output;
        if (typeof output === 'string' && output) showLog(output);
        announce('Your server could not be started.');
      }
    } finally {
      starting = undefined;
    }
  };

  const stop = async () => {
    if (starting) {
      starting.abort();
      return;
    }
    stopPolling();
    sending?.abort();
    const current = session;
    session = undefined;
    if (current) {
      try {
        const output = await current.output();
        showLog(output.text);
      } catch {
        // the last output is a nicety
      }
      await current.stop().catch(() => undefined);
    }
    setState('stopped', 'Your server is stopped.');
  };

  startButton.addEventListener('click', () => void start());
  stopButton.addEventListener('click', () => void stop().then(() => announce('Your server is stopped.')));
  restartButton.addEventListener('click', () => void stop().then(start));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!session) return;
    const data = new FormData(form);
    const prepared = prepareRequest({
      method: String(data.get('method') ?? 'GET'),
      path: String(data.get('path') ?? '/'),
      headers: String(data.get('headers') ?? ''),
      body: String(data.get('body') ?? ''),
    });
    if ('problem' in prepared) {
      problem.textContent = prepared.problem;
      return;
    }
    problem.textContent = '';
    sending?.abort();
    sending = new AbortController();
    sendButton.setAttribute('aria-busy', 'true');
    try {
      const response = await session.request(prepared.request, sending.signal);
      responseView.hidden = false;
      responseView.innerHTML = renderResponseHtml(prepared.request, response) + (stale ? '<p class="wb-notice">Your server still runs the code from when it started: restart it to try your latest changes.</p>' : '');
      await poll();
    } catch (error) {
      if (!sending.signal.aborted) problem.textContent = `The request failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      sendButton.removeAttribute('aria-busy');
    }
  });
  // Ctrl/Cmd+Enter in the form sends (the workbench leaves it to the panel).
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  return {
    markStale() {
      if (!session || stale) return;
      stale = true;
      state.innerHTML = 'Your server is running the code from when it started. <strong>Restart</strong> it to try your changes.';
    },
    dispose: () => stop(),
  };
}
