import type { Report } from '../../graders/core/report.ts';
import type { RunnerState } from '../runtime/runner.ts';
import {
  type AttemptRecord,
  type WorkspaceStore,
  clearJournal,
  createAutosave,
  fingerprintFiles,
  newestRecord,
  openWorkspaceStore,
  readJournal,
  writeJournal,
} from '../progress/workspace-store.ts';
import type { DiffHandle, EditorHost, EditorProblem } from './editor-api.ts';
import { buildTree, lockIconSvg, problemWithNewPath, renderTreeHtml, type WorkbenchConfig } from './files.ts';
import { loadEditorBundle } from './load-editor.ts';
import { announcement, escapeHtml, problemsOf, relativeTime, renderAttemptsHtml, renderReportHtml } from './report-view.ts';
import type { RequestPanel } from './request-panel.ts';
import { getRunner } from './runner-access.ts';
import { attachSplitter } from './splitter.ts';
import { manageTablist } from './tablist.ts';

/**
 * `<bw-workbench>`: the exercise page's behaviour. It upgrades the server-rendered page (brief,
 * highlighted starter files) into the workbench: panes, file tabs, saved work, Check with its
 * report, attempts, reset/compare/download, and the editor, which streams in on the first edit
 * intent or when the browser is idle. Everything heavy (Monaco, a runner, the zip library, the
 * request panel, the diagram) is loaded on demand.
 */

const TAB_MODE_KEY = 'bw:tab-moves-focus';
const toastMs = 12_000;


class WorkbenchElement extends HTMLElement {
  #started = false;
  #config!: WorkbenchConfig;
  /** Current text of every file (editable, added and read-only). */
  #files = new Map<string, string>();
  #starter: Record<string, string> = {};
  #starterHash = '';
  #readonly = new Set<string>();
  #openTabs: string[] = [];
  #active = '';
  /** The build-time highlighted view of each starter file, shown until the editor loads. */
  #staticHtml = new Map<string, string>();
  #editor: EditorHost | undefined;
  #editorLoading: Promise<EditorHost | undefined> | undefined;
  #store: WorkspaceStore | undefined;
  #autosave: ReturnType<typeof createAutosave> | undefined;
  #grading: AbortController | undefined;
  #attempts: AttemptRecord[] = [];
  #tabMovesFocus = false;
  #requestPanel: Promise<RequestPanel> | undefined;
  #diff: { handle: DiffHandle; solution: Record<string, string> } | undefined;
  #toastTimer: ReturnType<typeof setTimeout> | undefined;
  #selectResultTab: ((tab: HTMLElement, focus?: boolean) => void) | undefined;
  #selectView: ((tab: HTMLElement, focus?: boolean) => void) | undefined;
  #otherTabs: BroadcastChannel | undefined;
  #tabId = Math.random().toString(36).slice(2);
  #warnedOtherTab = false;
  #restored: Promise<void> = Promise.resolve();
  /** Where the last check found problems, shown in the editor. */
  #problems: EditorProblem[] = [];

  connectedCallback(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#start();
  }

  // ---- helpers for the page's own markup

  #q<T extends HTMLElement = HTMLElement>(selector: string): T {
    const element = this.querySelector<T>(selector);
    if (!element) throw new Error(`The workbench markup has no ${selector}`);
    return element;
  }

  #announce(text: string): void {
    const region = this.#q('[data-announce]');
    // Clearing first makes a repeated sentence be read again.
    region.textContent = '';
    setTimeout(() => (region.textContent = text), 50);
  }

  #editableFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const [path, text] of this.#files) if (!this.#readonly.has(path)) files[path] = text;
    return files;
  }

  // ---- start-up

  async #start(): Promise<void> {
    this.#config = JSON.parse(this.#q('#wb-config').textContent ?? '{}') as WorkbenchConfig;
    for (const file of this.#config.files) {
      this.#files.set(file.path, file.text);
      if (file.readonly) this.#readonly.add(file.path);
      else this.#starter[file.path] = file.text;
    }
    this.#starterHash = fingerprintFiles(this.#starter);
    this.#active = this.#config.open;
    this.#openTabs = [this.#active];
    for (const section of this.querySelectorAll<HTMLElement>('.wb-static')) this.#staticHtml.set(section.dataset.path!, section.innerHTML);

    this.#setUpLayout();
    this.#setUpFiles();
    this.#setUpToolbar();
    this.#setUpKeyboard();
    this.#setUpEditorIntent();
    this.#setRunnerStatus('Checks run when you press Check.', 'idle');

    // The editor and Check wait for the saved work, so neither ever sees the starter by mistake.
    this.#restored = this.#restoreWork();
    await this.#restored;
    this.#q<HTMLButtonElement>('[data-action="check"]').disabled = false;
    await this.#loadAttempts();

    // After the page has loaded, when the browser has nothing better to do: the editor and the runner.
    const whenIdle = () => {
      const idle = (callback: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(callback, { timeout: 4000 }) : setTimeout(callback, 1500));
      idle(() => {
        void this.#ensureEditor();
        void this.#watchRunner();
      });
    };
    if (document.readyState === 'complete') whenIdle();
    else addEventListener('load', whenIdle, { once: true });
  }

  #setUpLayout(): void {
    const panes = this.#q('.wb-panes');
    const work = this.#q('.wb-work');
    attachSplitter({
      handle: this.#q('#wb-splitter'),
      container: panes,
      target: this,
      property: '--wb-brief',
      orientation: 'vertical',
      min: 20,
      max: 70,
      initial: 40,
      storageKey: 'bw:split:brief',
      describe: (percent) => `Brief takes ${percent}% of the width`,
    });
    attachSplitter({
      handle: this.#q('#wb-splitter-results'),
      container: work,
      target: this,
      property: '--wb-results',
      orientation: 'horizontal',
      min: 15,
      max: 75,
      initial: 38,
      storageKey: 'bw:split:results',
      describe: (percent) => `Results take ${percent}% of the height`,
      fromEnd: true,
    });
    const views = manageTablist(this.#q('.wb-views'), (tab) => {
      panes.dataset.view = tab.dataset.view;
      if (tab.dataset.view === 'code') this.#editor?.layout();
    });
    this.#selectView = views.select;
    const results = manageTablist(this.#q('[data-result-tabs]'), (tab) => {
      for (const panel of this.querySelectorAll<HTMLElement>('[data-panel-body]')) panel.hidden = panel.dataset.panelBody !== tab.dataset.panel;
      if (tab.dataset.panel === 'request') void this.#ensureRequestPanel();
      if (tab.dataset.panel === 'terminal') void this.#ensureTerminal();
    });
    this.#selectResultTab = results.select;
  }

  #showResultPanel(name: string): void {
    const tab = this.querySelector<HTMLElement>(`[data-result-tabs] [data-panel="${name}"]`);
    if (tab && tab.getAttribute('aria-selected') !== 'true') this.#selectResultTab?.(tab);
  }

  #isNarrow(): boolean {
    return getComputedStyle(this.#q('.wb-views')).display !== 'none';
  }

  #showView(view: 'brief' | 'code' | 'results'): void {
    if (!this.#isNarrow()) return;
    const tab = this.querySelector<HTMLElement>(`.wb-views [data-view="${view}"]`);
    if (tab) this.#selectView?.(tab);
  }

  // ---- files: tree, tabs, static views

  #setUpFiles(): void {
    this.addEventListener('click', (event) => {
      const target = event.target as HTMLElement;
      const opener = target.closest<HTMLElement>('[data-open]');
      if (opener && this.contains(opener)) this.#openFile(opener.dataset.open!, true);
      const panel = target.closest<HTMLElement>('[data-show-panel]');
      if (panel) {
        const tab = this.querySelector<HTMLElement>(`[data-result-tabs] [data-panel="${panel.dataset.showPanel}"]`);
        if (tab) this.#selectResultTab?.(tab, true);
      }
      const location = target.closest<HTMLElement>('.report-location');
      if (location) void this.#revealLocation(location.dataset.file!, Number(location.dataset.line) || undefined, Number(location.dataset.column) || undefined);
    });
    manageTablist(this.#q('[data-tabs]'), (tab) => this.#openFile(tab.dataset.path!, false));
    for (const button of this.querySelectorAll<HTMLButtonElement>('.wb-tree-file')) button.disabled = false;
    this.#renderTabs();

    const form = this.querySelector<HTMLFormElement>('[data-newfile]');
    if (form) {
      this.#q('[data-newfile-details]').hidden = false;
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const input = form.querySelector<HTMLInputElement>('input')!;
        const problemView = form.querySelector<HTMLElement>('.wb-newfile-problem')!;
        const path = input.value.trim();
        const problem = problemWithNewPath(path, this.#config, [...this.#files.keys()]);
        problemView.textContent = problem ?? '';
        input.setAttribute('aria-invalid', String(Boolean(problem)));
        if (problem) return;
        input.value = '';
        this.#addFile(path, '');
        this.#scheduleSave();
        this.#announce(`Added ${path}.`);
        void this.#revealLocation(path);
      });
    }
  }

  #addFile(path: string, text: string): void {
    if (this.#files.has(path)) return;
    this.#files.set(path, text);
    this.#editor?.addFile({ path, text, readonly: false });
    this.#renderTree();
    // Once the editor runs, the build-time views are gone for good.
    if (this.#editor) return;
    const section = document.createElement('section');
    section.className = 'wb-static';
    section.dataset.path = path;
    section.tabIndex = 0;
    section.setAttribute('aria-label', `${path}: code. Press a key or click to edit.`);
    this.#q('#wb-editor').insertBefore(section, this.#q('[data-monaco]'));
    this.#renderStatic(path);
  }

  #renderTree(): void {
    const tree = this.#q('[data-tree]');
    const holder = document.createElement('div');
    holder.innerHTML = renderTreeHtml(buildTree([...this.#files.keys()]), [...this.#readonly], this.#active);
    const next = holder.firstElementChild as HTMLElement;
    next.dataset.tree = '';
    tree.replaceWith(next);
  }

  #renderTabs(): void {
    const list = this.#q('[data-tabs]');
    const focusedPath = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-tabs] [role="tab"]')?.dataset.path;
    list.innerHTML = this.#openTabs
      .map((path, index) => {
        const selected = path === this.#active;
        const locked = this.#readonly.has(path);
        return (
          `<button type="button" role="tab" class="wb-tab" id="wb-tab-${index}" aria-selected="${selected}" tabindex="${selected ? 0 : -1}" aria-controls="wb-editor" data-path="${escapeHtml(path)}"${locked ? ` aria-label="${escapeHtml(path)}, read-only"` : ''}>` +
          `${escapeHtml(path)}${locked ? lockIconSvg : ''}</button>`
        );
      })
      .join('');
    const activeIndex = this.#openTabs.indexOf(this.#active);
    this.#q('#wb-editor').setAttribute('aria-labelledby', `wb-tab-${activeIndex}`);
    if (focusedPath) list.querySelector<HTMLElement>(`[data-path="${CSS.escape(focusedPath)}"]`)?.focus();
  }

  #openFile(path: string, fromTree: boolean): void {
    if (!this.#files.has(path)) return;
    if (!this.#openTabs.includes(path)) this.#openTabs.push(path);
    const changed = path !== this.#active;
    this.#active = path;
    if (changed || fromTree) this.#renderTabs();
    for (const button of this.querySelectorAll<HTMLElement>('.wb-tree-file')) {
      if (button.dataset.open === path) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
    for (const section of this.querySelectorAll<HTMLElement>('.wb-static')) section.toggleAttribute('data-active', section.dataset.path === path);
    this.#editor?.open(path);
    this.#setEditorStatus(this.#readonly.has(path) ? 'Read-only: this file comes with the exercise.' : '');
    if (fromTree && this.#editor) this.#editor.focus();
  }

  /** Shows a file's text before the editor loads: highlighted when it is the starter, plain when the learner changed it. */
  #renderStatic(path: string): void {
    const section = this.querySelector<HTMLElement>(`.wb-static[data-path="${CSS.escape(path)}"]`);
    if (!section) return;
    const text = this.#files.get(path) ?? '';
    const original = this.#staticHtml.get(path);
    const isStarter = this.#readonly.has(path) || this.#starter[path] === text;
    section.innerHTML = isStarter && original ? original : `<pre class="astro-code wb-plain"><code>${escapeHtml(text)}</code></pre>`;
    section.toggleAttribute('data-active', path === this.#active);
  }

  #setEditorStatus(text: string): void {
    this.#q('[data-editor-status]').textContent = text;
  }

  // ---- the editor

  #setUpEditorIntent(): void {
    const intent = (event: Event) => {
      if (event instanceof KeyboardEvent && (event.key === 'Tab' || event.key === 'Shift' || event.ctrlKey || event.metaKey || event.altKey)) return;
      void this.#ensureEditor();
    };
    for (const section of this.querySelectorAll<HTMLElement>('.wb-static')) {
      section.tabIndex = 0;
      section.setAttribute('aria-label', `${section.dataset.path}${this.#readonly.has(section.dataset.path!) ? ', read-only' : ''}: code. Press a key or click to edit.`);
    }
    const editorArea = this.#q('#wb-editor');
    editorArea.addEventListener('pointerdown', intent);
    editorArea.addEventListener('keydown', intent);
    editorArea.addEventListener('focusin', (event) => {
      if ((event.target as HTMLElement).classList.contains('wb-static')) void this.#ensureEditor();
    });
  }

  #ensureEditor(): Promise<EditorHost | undefined> {
    this.#editorLoading ??= (async () => {
      this.#setEditorStatus('Loading the editor…');
      try {
        const [bundle] = await Promise.all([loadEditorBundle(), this.#restored]);
        const container = this.#q('[data-monaco]');
        container.hidden = false;
        const editor = bundle.createEditorHost({
          container,
          files: [...this.#files].map(([path, text]) => ({ path, text, readonly: this.#readonly.has(path) })),
          active: this.#active,
          tabMovesFocus: this.#tabMovesFocus,
          typesUrl: this.#config.typesUrl,
          onChange: (path, text) => {
            this.#files.set(path, text);
            this.#scheduleSave();
          },
          onCheck: () => void this.#check(),
          onToggleTabMovesFocus: () => this.#setTabMovesFocus(!this.#tabMovesFocus, true),
          onStatus: (text) => this.#setEditorStatus(text),
        });
        // The learner was reading (or clicked into) the code: keep them there, now in the editor.
        const focusWasInCode = this.#q('#wb-editor').contains(document.activeElement);
        for (const section of this.querySelectorAll<HTMLElement>('.wb-static')) section.remove();
        this.#editor = editor;
        editor.setProblems(this.#problems);
        this.dataset.editor = 'ready';
        this.#setEditorStatus(this.#readonly.has(this.#active) ? 'Read-only: this file comes with the exercise.' : 'Editor ready.');
        if (focusWasInCode) editor.focus();
        return editor;
      } catch (error) {
        this.#editorLoading = undefined;
        this.#setEditorStatus(`${error instanceof Error ? error.message : String(error)} Your work is shown above and is still saved.`);
        return undefined;
      }
    })();
    return this.#editorLoading;
  }

  async #revealLocation(file: string, line?: number, column?: number): Promise<void> {
    if (!this.#files.has(file)) {
      this.#announce(`${file} is not one of your files.`);
      return;
    }
    this.#closeDiff();
    this.#showView('code');
    this.#openFile(file, false);
    const editor = await this.#ensureEditor();
    editor?.reveal(file, line, column);
  }

  // ---- saved work

  async #restoreWork(): Promise<void> {
    try {
      this.#store = await openWorkspaceStore((record) => {
        this.#notice(`A saved copy of your work could not be read (${record.problem}), so it was set aside and the page started from the starter files.`, 'bad');
      });
    } catch {
      this.#notice('This browser does not let the page save your work: download it before you leave.', 'bad');
      return;
    }
    const store = this.#store;
    const journal = safeLocalStorage();
    const saved = await store.loadWorkspace(this.#config.exerciseId).catch(() => undefined);
    const pending = journal ? readJournal(journal, this.#config.exerciseId) : undefined;
    const record = newestRecord(saved, pending);
    this.#autosave = createAutosave({
      store,
      exerciseId: this.#config.exerciseId,
      starterHash: this.#starterHash,
      journal,
      onSaved: () => {
        this.dataset.saved = String(Date.now());
        this.#q('[data-save-status]').textContent = store.persistent ? 'Saved in this browser' : 'Not saved: this browser keeps nothing';
        this.#otherTabs?.postMessage({ exerciseId: this.#config.exerciseId, tab: this.#tabId });
      },
      onError: () => this.#notice('Your last change could not be saved in this browser. Download your work to keep a copy.', 'bad'),
    });
    if (!store.persistent) this.#notice('This browser does not let the page keep your work after you leave it: download it before you go.', 'bad');

    if (record) {
      for (const [path, text] of Object.entries(record.files)) {
        if (this.#readonly.has(path)) continue;
        if (this.#files.has(path)) this.#files.set(path, text);
        else if (!problemWithNewPath(path, this.#config, [...this.#files.keys()])) this.#addFile(path, text);
      }
      for (const path of Object.keys(this.#starter)) this.#renderStatic(path);
      // The journal was newer (the tab closed before IndexedDB finished): make it the saved copy.
      if (record === pending && journal) {
        await store.saveWorkspace(this.#config.exerciseId, this.#editableFiles(), record.starterHash).then(() => clearJournal(journal, this.#config.exerciseId), () => undefined);
      }
      const changed = Object.entries(this.#editableFiles()).some(([path, text]) => this.#starter[path] !== text);
      if (changed) this.#setEditorStatus(`Restored your work from ${relativeTime(record.updatedAt)}.`);
      if (record.starterHash !== this.#starterHash && changed) {
        this.#notice('The exercise’s starter files have changed since you began. Your work is kept; “Reset to starter” shows the new version (and Undo brings yours back).');
      }
    }

    // Two tabs on one exercise would overwrite each other's saves: each says when it saved, and
    // the other warns its learner before anything is lost.
    if ('BroadcastChannel' in window) {
      this.#otherTabs = new BroadcastChannel('bw:workspaces');
      this.#otherTabs.addEventListener('message', (event: MessageEvent<{ exerciseId?: string; tab?: string }>) => {
        if (event.data.exerciseId !== this.#config.exerciseId || event.data.tab === this.#tabId || this.#warnedOtherTab) return;
        this.#warnedOtherTab = true;
        this.#notice('This exercise was just saved from another tab. Edits here and there overwrite each other: keep working in one tab (reload this one to see the other tab’s work).');
        this.#announce('This exercise is also being edited in another tab.');
      });
    }

    const flush = () => {
      if (journal) writeJournal(journal, this.#config.exerciseId, this.#editableFiles(), this.#starterHash, Date.now());
      void this.#autosave?.flush();
    };
    addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') flush();
    });
  }

  #scheduleSave(): void {
    this.#autosave?.schedule(this.#editableFiles());
    this.#q('[data-save-status]').textContent = 'Saving…';
    void this.#requestPanel?.then((panel) => panel.markStale());
  }

  async #loadAttempts(): Promise<void> {
    this.#attempts = (await this.#store?.listAttempts(this.#config.exerciseId).catch(() => [])) ?? [];
    this.#renderAttempts();
  }

  #renderAttempts(): void {
    this.#q('[data-attempts]').innerHTML = renderAttemptsHtml(this.#attempts);
    this.#q('[data-attempt-count]').textContent = this.#attempts.length ? String(this.#attempts.length) : '';
    // The solution is offered once the learner has tried for themselves.
    this.#q('[data-action="compare"]').hidden = this.#attempts.length === 0;
  }

  #notice(text: string, tone: 'warn' | 'bad' = 'warn'): void {
    const report = this.#q('[data-panel-body="report"]');
    const notice = document.createElement('div');
    notice.className = 'wb-notice';
    notice.dataset.tone = tone;
    notice.innerHTML = `<p>${escapeHtml(text)}</p>`;
    report.prepend(notice);
  }

  // ---- toolbar

  #setUpToolbar(): void {
    const action = (name: string) => this.#q<HTMLButtonElement>(`[data-action="${name}"]`);
    action('check').addEventListener('click', () => void this.#check());
    action('cancel').addEventListener('click', () => this.#grading?.abort());
    action('reset').addEventListener('click', () => void this.#reset());
    action('compare').addEventListener('click', () => void this.#compare());
    action('download').addEventListener('click', () => void this.#download());
    action('tab-mode').addEventListener('click', () => this.#setTabMovesFocus(!this.#tabMovesFocus, true));
    for (const name of ['reset', 'download', 'tab-mode']) action(name).disabled = false;
    let remembered = false;
    try {
      remembered = localStorage.getItem(TAB_MODE_KEY) === 'true';
    } catch {
      // default: Tab indents
    }
    this.#setTabMovesFocus(remembered, false);
    this.#q('[data-toast-close]').addEventListener('click', () => this.#hideToast());
  }

  #setTabMovesFocus(value: boolean, announce: boolean): void {
    this.#tabMovesFocus = value;
    try {
      localStorage.setItem(TAB_MODE_KEY, String(value));
    } catch {
      // remembered for this page only
    }
    const button = this.#q('[data-action="tab-mode"]');
    button.setAttribute('aria-pressed', String(value));
    button.title = value ? 'Tab moves focus out of the editor (Ctrl+M to let Tab indent)' : 'Tab indents in the editor (Ctrl+M to make Tab move focus)';
    this.#editor?.setTabMovesFocus(value);
    if (announce) {
      this.#announce(value ? 'Tab now moves focus out of the editor. Press Control M to let Tab indent again.' : 'Tab now indents in the editor. Press Control M, or Escape then Tab, to leave the editor.');
    }
  }

  #setUpKeyboard(): void {
    this.addEventListener('keydown', (event) => {
      const inEditor = this.#editor?.hasFocus() ?? false;
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !inEditor) {
        // The request form sends its request with the same keys.
        if ((event.target as HTMLElement).closest('[data-request-panel]')) return;
        event.preventDefault();
        void this.#check();
      } else if ((event.key === 'm' || event.key === 'M') && event.ctrlKey && !event.metaKey && !event.altKey && !inEditor) {
        event.preventDefault();
        this.#setTabMovesFocus(!this.#tabMovesFocus, true);
      }
    });
  }

  // ---- the runner and Check

  #setRunnerStatus(text: string, state: string): void {
    const status = this.#q('[data-runner-status]');
    status.textContent = text;
    status.dataset.state = state;
  }

  #describeRunner(kind: 'local' | 'webcontainer', state: RunnerState): [string, string] {
    const where = kind === 'local' ? 'on this computer, by the course server' : 'in your browser, in a WebContainer';
    switch (state.phase) {
      case 'idle':
        return [kind === 'webcontainer' ? `Checks run ${where}; it starts on your first check.` : `Checks run ${where}.`, 'idle'];
      case 'starting':
        return [`Starting: ${state.step}${state.detail ? ` (${state.detail})` : ''}…`, 'starting'];
      case 'ready':
        return [`Checks run ${where}.`, 'ready'];
      case 'unavailable':
        return [`Checking is unavailable: ${state.reason} Your work is still saved in this browser.`, 'unavailable'];
    }
  }

  #watching = false;
  async #watchRunner(): Promise<void> {
    if (this.#watching) return;
    this.#watching = true;
    const choice = await getRunner();
    if (!choice.ok) {
      this.#setRunnerStatus(`Checking is unavailable: ${choice.reason} You can still edit; your work is saved in this browser.`, 'unavailable');
      return;
    }
    const { runner } = choice;
    const show = (state: RunnerState) => {
      const [text, phase] = this.#describeRunner(runner.kind, state);
      this.#setRunnerStatus(text, phase);
      if (this.#grading) this.#q('[data-progress-text]').textContent = state.phase === 'starting' ? text : 'Checking your work…';
    };
    show(runner.state());
    runner.subscribe(show);
    // Only a runner with a shell (the WebContainer) gets a terminal tab.
    if (typeof runner.shell === 'function') this.#q('[data-panel="terminal"]').hidden = false;
  }

  async #check(): Promise<void> {
    if (this.#grading) return;
    const controller = new AbortController();
    this.#grading = controller;
    const checkButton = this.#q<HTMLButtonElement>('[data-action="check"]');
    const cancelButton = this.#q<HTMLButtonElement>('[data-action="cancel"]');
    const progress = this.#q('[data-progress]');
    const reportView = this.#q('[data-report]');
    // aria-disabled, not disabled: the button keeps the focus of whoever pressed it.
    checkButton.setAttribute('aria-busy', 'true');
    checkButton.setAttribute('aria-disabled', 'true');
    cancelButton.hidden = false;
    progress.hidden = false;
    this.#q('[data-progress-text]').textContent = 'Checking your work…';
    reportView.setAttribute('aria-busy', 'true');
    // The invitation to press Check has done its job; a previous report stays, dimmed, until the new one.
    if (!reportView.querySelector('.report')) reportView.innerHTML = '';
    this.#showResultPanel('report');
    this.#showView('results');
    this.#announce('Checking your work.');
    const hadFocus = document.activeElement;
    try {
      await this.#autosave?.flush();
      void this.#watchRunner();
      const choice = await getRunner();
      if (!choice.ok) {
        reportView.innerHTML = `<div class="wb-notice"><p><strong>Your work cannot be checked here.</strong> ${escapeHtml(choice.reason)}</p><p>You can keep editing: every change is saved in this browser. To grade it elsewhere, download it and run <code>npx backend-workflow grade ${escapeHtml(this.#config.exerciseId)}</code>.</p></div>`;
        this.#announce(`Your work cannot be checked here. ${choice.reason}`);
        return;
      }
      const report = await choice.runner.check(this.#config.exerciseId, this.#editableFiles(), controller.signal);
      reportView.innerHTML = renderReportHtml(report);
      this.#problems = problemsOf(report);
      this.#editor?.setProblems(this.#problems);
      if (report.diagram && this.querySelector('[data-diagram]')) {
        reportView.insertAdjacentHTML('beforeend', '<p class="wb-see-diagram"><button type="button" class="wb-tool" data-show-panel="diagram">See the diagram of your schema</button></p>');
      }
      this.#announce(announcement(report));
      this.#renderDiagram(report);
      const attempt = await this.#store
        ?.recordAttempt({
          exerciseId: this.#config.exerciseId,
          at: Date.now(),
          status: report.status,
          ...(report.reason ? { reason: report.reason } : {}),
          score: report.score,
          maxScore: report.maxScore,
          durationMs: report.durationMs,
          runner: choice.runner.kind,
        })
        .catch(() => undefined);
      if (attempt) {
        this.#attempts.unshift(attempt);
        this.#renderAttempts();
      }
    } catch (error) {
      if (controller.signal.aborted) {
        reportView.innerHTML = '<p class="muted">Check cancelled. Press <strong>Check</strong> to run it again.</p>';
        this.#announce('Check cancelled.');
      } else {
        const message = error instanceof Error ? error.message : String(error);
        const unavailable = error instanceof Error && error.name === 'RunnerUnavailableError';
        if (unavailable) {
          reportView.innerHTML = `<div class="wb-notice" data-tone="bad"><p><strong>Your work cannot be checked here.</strong> ${escapeHtml(message)}</p><p>You can keep editing: every change is saved in this browser.</p></div>`;
          this.#setRunnerStatus(`Checking is unavailable: ${message}`, 'unavailable');
          this.#announce(`Your work cannot be checked here. ${message}`);
        } else {
          reportView.innerHTML = `<div class="wb-notice" data-tone="bad"><p><strong>The check could not run.</strong> ${escapeHtml(message)}</p><p>Your work is saved in this browser. Try again in a moment.</p></div>`;
          this.#announce(`The check could not run. ${message}`);
        }
      }
    } finally {
      this.#grading = undefined;
      checkButton.removeAttribute('aria-busy');
      checkButton.removeAttribute('aria-disabled');
      cancelButton.hidden = true;
      progress.hidden = true;
      reportView.removeAttribute('aria-busy');
      // Cancel disappears: give focus back to Check rather than to nothing.
      if (document.activeElement === document.body || hadFocus === cancelButton) checkButton.focus();
    }
  }

  #renderDiagram(report: Report): void {
    if (this.#config.kind !== 'sql-schema') return;
    const view = this.querySelector<HTMLElement>('[data-diagram]');
    if (!view) return;
    if (!report.diagram) {
      view.innerHTML = `<p class="muted">${report.status === 'error' ? 'Your schema could not be run, so there is nothing to draw yet.' : 'The grader did not return a diagram for this check.'}</p>`;
      return;
    }
    const diagram = report.diagram;
    void import('./er-diagram.ts').then(
      ({ renderErDiagram }) => {
        const tables = diagram.tables.length;
        view.innerHTML = `<figure class="wb-diagram"><div class="wb-diagram-svg">${renderErDiagram(diagram)}</div><figcaption>Your schema: ${tables} ${tables === 1 ? 'table' : 'tables'} and ${diagram.relations.length} foreign ${diagram.relations.length === 1 ? 'key' : 'keys'}, as PostgreSQL sees it after running your file.</figcaption></figure>`;
      },
      () => {
        view.innerHTML = '<p class="muted">The diagram could not be drawn.</p>';
      },
    );
  }

  // ---- reset, compare, download

  #confirm(title: string, text: string, confirmLabel: string): Promise<boolean> {
    const dialog = this.#q<HTMLDialogElement>('[data-dialog]');
    this.#q('[data-dialog-title]').textContent = title;
    this.#q('[data-dialog-text]').textContent = text;
    this.#q('[data-dialog-confirm]').textContent = confirmLabel;
    const opener = document.activeElement as HTMLElement | null;
    return new Promise((resolve) => {
      dialog.addEventListener(
        'close',
        () => {
          opener?.focus();
          resolve(dialog.returnValue === 'confirm');
        },
        { once: true },
      );
      dialog.returnValue = 'cancel';
      dialog.showModal();
      // The safe choice has the focus: Enter does not destroy anything.
      this.#q('[data-dialog-cancel]').focus();
    });
  }

  #showToast(text: string, actionLabel: string, onAction: () => void): void {
    const toast = this.#q('[data-toast]');
    this.#q('[data-toast-text]').textContent = text;
    const old = this.#q<HTMLButtonElement>('[data-toast-action]');
    // A fresh button drops the previous toast's listener.
    const button = old.cloneNode(false) as HTMLButtonElement;
    button.textContent = actionLabel;
    old.replaceWith(button);
    button.addEventListener('click', () => {
      this.#hideToast();
      onAction();
    });
    toast.hidden = false;
    this.#startToastTimer();
  }

  /** The toast goes by itself, but never while the learner is on it (focus or pointer). */
  #startToastTimer(): void {
    if (this.#toastTimer) clearTimeout(this.#toastTimer);
    this.#toastTimer = setTimeout(() => {
      const toast = this.#q('[data-toast]');
      if (toast.contains(document.activeElement) || toast.matches(':hover')) this.#startToastTimer();
      else this.#hideToast();
    }, toastMs);
  }

  #hideToast(): void {
    const toast = this.#q('[data-toast]');
    const hadFocus = toast.contains(document.activeElement);
    toast.hidden = true;
    if (hadFocus) this.#q<HTMLButtonElement>('[data-action="reset"]').focus();
  }

  /** Replaces the editable files with `files` (removing added files that are not in it). */
  #applyFiles(files: Record<string, string>): void {
    for (const path of [...this.#files.keys()]) {
      if (this.#readonly.has(path) || path in files || path in this.#starter) continue;
      // A file the learner added, not in the new set: it goes (Undo brings it back).
      this.#files.delete(path);
      this.#openTabs = this.#openTabs.filter((open) => open !== path);
      this.querySelector(`.wb-static[data-path="${CSS.escape(path)}"]`)?.remove();
    }
    for (const [path, text] of Object.entries(files)) {
      if (!this.#files.has(path)) this.#addFile(path, text);
      this.#files.set(path, text);
      this.#editor?.setText(path, text);
      this.#renderStatic(path);
    }
    if (!this.#files.has(this.#active)) this.#active = this.#config.open;
    this.#renderTree();
    this.#renderTabs();
    this.#openFile(this.#active, false);
    this.#scheduleSave();
    void this.#autosave?.flush();
  }

  async #reset(): Promise<void> {
    const confirmed = await this.#confirm(
      'Reset to the starter files?',
      'Your files go back to how the exercise began. You can undo this right after.',
      'Reset files',
    );
    if (!confirmed) return;
    const before = this.#editableFiles();
    // The last check's marks point into the old text.
    this.#problems = [];
    this.#editor?.setProblems([]);
    this.#applyFiles({ ...this.#starter });
    this.#announce('Your files are back to the starter. Undo is available.');
    this.#showToast('Your files are back to the starter.', 'Undo', () => {
      this.#applyFiles(before);
      this.#announce('Reset undone: your work is back.');
      this.#editor?.focus();
    });
    this.#q<HTMLButtonElement>('[data-toast-action]').focus();
  }

  async #compare(): Promise<void> {
    if (this.#diff) {
      this.#q<HTMLSelectElement>('[data-diff-file]')?.focus();
      return;
    }
    const confirmed = await this.#confirm(
      'Compare with the solution?',
      'You will see a reference solution beside your work. It is one way to pass every check, not the only one; if you are close, a hint may teach you more.',
      'Show the solution',
    );
    if (!confirmed) return;
    let solution: Record<string, string>;
    try {
      const response = await fetch(this.#config.solutionUrl);
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      solution = ((await response.json()) as { files: Record<string, string> }).files;
    } catch (error) {
      this.#announce(`The solution could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
      this.#notice(`The solution could not be loaded: ${error instanceof Error ? error.message : String(error)}.`, 'bad');
      return;
    }
    const editor = await this.#ensureEditor();
    if (!editor) return;
    const paths = [...new Set([...Object.keys(solution), ...Object.keys(this.#editableFiles())])].filter((path) => !this.#readonly.has(path)).sort();
    const container = this.#q('[data-diff]');
    container.innerHTML =
      '<div class="wb-diff-bar"><p>Comparing <label class="visually-hidden" for="wb-diff-file">File</label>' +
      `<select id="wb-diff-file" data-diff-file>${paths.map((path) => `<option${path === this.#active ? ' selected' : ''}>${escapeHtml(path)}</option>`).join('')}</select>` +
      ': <strong>your work</strong> (left) with <strong>the reference solution</strong> (right). It is one way to pass, not the only one.</p>' +
      '<button type="button" class="wb-tool" data-diff-close>Close comparison</button></div><div class="wb-diff-host" data-diff-host></div>';
    container.hidden = false;
    // The comparison covers the workbench; what is under it is out of reach until it closes.
    this.#q('.wb-panes').inert = true;
    this.#q('.wb-views').inert = true;
    const handle = editor.createDiff(this.#q('[data-diff-host]'));
    this.#diff = { handle, solution };
    const select = this.#q<HTMLSelectElement>('[data-diff-file]');
    const show = () => handle.show(select.value, this.#files.get(select.value) ?? '', solution[select.value] ?? '');
    const initial = paths.includes(this.#active) ? this.#active : paths[0];
    if (initial) select.value = initial;
    show();
    select.addEventListener('change', show);
    this.#q('[data-diff-close]').addEventListener('click', () => {
      this.#closeDiff();
      this.#q<HTMLButtonElement>('[data-action="compare"]').focus();
    });
    container.addEventListener('keydown', (event) => {
      // Escape belongs to the editors inside; from the bar it closes the comparison.
      if (event.key === 'Escape' && (event.target as HTMLElement).closest('.wb-diff-bar')) {
        this.#closeDiff();
        this.#q<HTMLButtonElement>('[data-action="compare"]').focus();
      }
    });
    select.focus();
    this.#announce('Showing your work beside the reference solution. Close comparison (or Escape) returns to the editor.');
  }

  #closeDiff(): void {
    if (!this.#diff) return;
    this.#diff.handle.dispose();
    this.#diff = undefined;
    const container = this.#q('[data-diff]');
    container.hidden = true;
    container.innerHTML = '';
    this.#q('.wb-panes').inert = false;
    this.#q('.wb-views').inert = false;
    this.#editor?.layout();
  }

  async #download(): Promise<void> {
    try {
      const { downloadWorkspace } = await import('./download.ts');
      downloadWorkspace(this.#config.exerciseId, Object.fromEntries(this.#files));
      this.#announce(`Downloading ${this.#config.exerciseId}.zip.`);
    } catch (error) {
      this.#notice(`The zip could not be made: ${error instanceof Error ? error.message : String(error)}.`, 'bad');
    }
  }

  // ---- the terminal (runners with a shell)

  #terminal: Promise<unknown> | undefined;
  #ensureTerminal(): void {
    this.#terminal ??= getRunner().then(async (choice) => {
      const root = this.#q('[data-terminal]');
      if (!choice.ok || typeof choice.runner.shell !== 'function') {
        root.innerHTML = `<p class="muted">${escapeHtml(choice.ok ? 'This runner has no shell.' : choice.reason)}</p>`;
        return;
      }
      const { runner } = choice;
      const { mountTerminalPanel } = await import('./terminal-panel.ts');
      return mountTerminalPanel({ root, openShell: (size) => runner.shell!(size), announce: (text) => this.#announce(text) });
    });
  }

  // ---- the request panel (API exercises)

  #ensureRequestPanel(): Promise<RequestPanel> | undefined {
    const root = this.querySelector<HTMLElement>('[data-request-panel]');
    if (!root) return undefined;
    this.#requestPanel ??= import('./request-panel.ts').then(({ mountRequestPanel }) =>
      mountRequestPanel({
        root,
        exerciseId: this.#config.exerciseId,
        getRunner,
        getFiles: async () => {
          await this.#autosave?.flush();
          return this.#editableFiles();
        },
        announce: (text) => this.#announce(text),
      }),
    );
    return this.#requestPanel;
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export function defineWorkbench(): void {
  if (!customElements.get('bw-workbench')) customElements.define('bw-workbench', WorkbenchElement);
}
