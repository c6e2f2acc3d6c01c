/**
 * The editor: Monaco with the languages the course uses, its workers, and the workbench's glue
 * (one model per file, read-only files locked, the course's key bindings, type-aware completion
 * for the learner's JavaScript, a diff view against the solution).
 *
 * Built as its own file and loaded with a <script> tag (see load-editor.ts), never imported by the
 * page: Astro adds the CSS of every module a page script can reach, even through `import()`, to
 * the page's <head> as render-blocking stylesheets (withastro/astro#9495). Bundled separately,
 * Monaco's CSS travels inside this file and is applied only when the editor loads.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/sql/register';
import 'monaco-editor/languages/definitions/javascript/register';
import 'monaco-editor/languages/definitions/typescript/register';
import 'monaco-editor/languages/definitions/dockerfile/register';
import 'monaco-editor/languages/definitions/yaml/register';
import 'monaco-editor/languages/definitions/ini/register';
import 'monaco-editor/languages/definitions/markdown/register';
import 'monaco-editor/languages/definitions/shell/register';
import * as typescript from 'monaco-editor/languages/features/typescript/register';
import 'monaco-editor/languages/features/json/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TypeScriptWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import JsonWorker from 'monaco-editor/language/json/json.worker?worker';
import nodeTypesUrl from './node-types-bundle.ts?worker&url';
import { EDITOR_BUNDLE_GLOBAL, NODE_TYPES_GLOBAL, type DiffHandle, type EditorBundle, type EditorFile, type EditorHost, type EditorHostOptions, type EditorProblem } from './editor-api.ts';
import { monacoLanguage } from './files.ts';

declare global {
  // eslint-disable-next-line no-var
  var MonacoEnvironment: monaco.Environment | undefined;
}

globalThis.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'typescript' || label === 'javascript') return new TypeScriptWorker();
    if (label === 'json') return new JsonWorker();
    return new EditorWorker();
  },
};

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
/** Ctrl on every platform (on a Mac, Cmd+M would minimise the window). */
const ctrl = isMac ? monaco.KeyMod.WinCtrl : monaco.KeyMod.CtrlCmd;

function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  // Monaco wants #rrggbb; the design tokens are written that way.
  return /^#[0-9a-f]{6}$/i.test(value) ? value : fallback;
}

/** Themes that sit on the page's own surface colours, light and dark, following the system setting. */
function applyTheme(dark: boolean): void {
  const background = cssColor('--surface', dark ? '#1a1d21' : '#ffffff');
  const gutter = cssColor('--surface', dark ? '#1a1d21' : '#ffffff');
  const muted = cssColor('--text-muted', dark ? '#a3aab3' : '#585f68');
  const accent = cssColor('--accent', dark ? '#7aa7ff' : '#1d5fd1');
  monaco.editor.defineTheme(dark ? 'bw-dark' : 'bw-light', {
    base: dark ? 'vs-dark' : 'vs',
    inherit: true,
    // vs-dark's comment green (#608b4e) has 4.3:1 contrast on our dark surface; this one has 6:1.
    rules: dark ? [{ token: 'comment', foreground: '7ea86b' }] : [],
    colors: {
      'editor.background': background,
      'editorGutter.background': gutter,
      'editorLineNumber.foreground': muted,
      'editorCursor.foreground': accent,
      'focusBorder': cssColor('--focus', dark ? '#ffa94d' : '#d9480f'),
    },
  });
  monaco.editor.setTheme(dark ? 'bw-dark' : 'bw-light');
}

const darkQuery = matchMedia('(prefers-color-scheme: dark)');
applyTheme(darkQuery.matches);
darkQuery.addEventListener('change', (event) => applyTheme(event.matches));

// The learner's JavaScript is checked the way an editor would: syntax errors shown, types used
// for completion and hovers, but no red squiggles from type inference on plain JS.
const compilerOptions: typescript.CompilerOptions = {
  target: typescript.ScriptTarget.ESNext,
  module: typescript.ModuleKind.ESNext,
  moduleResolution: typescript.ModuleResolutionKind.NodeJs,
  allowJs: true,
  checkJs: false,
  allowNonTsExtensions: true,
  esModuleInterop: true,
  noEmit: true,
  lib: ['esnext'],
};
typescript.javascriptDefaults.setCompilerOptions(compilerOptions);
typescript.typescriptDefaults.setCompilerOptions({ ...compilerOptions, strict: true });
typescript.javascriptDefaults.setDiagnosticsOptions({ noSemanticValidation: true, noSyntaxValidation: false });
// Other files' models are sent to the worker at once, so `import { x } from './books.js'` completes.
typescript.javascriptDefaults.setEagerModelSync(true);
typescript.typescriptDefaults.setEagerModelSync(true);

let typesRequested = false;
/**
 * Declarations for the learner's JavaScript: the exercise's own (`types.json`: packages it
 * imports) and, when it uses Node, Node's, from one file shared by every exercise.
 */
async function loadTypes(url: string): Promise<void> {
  if (typesRequested) return;
  typesRequested = true;
  const add = (libs: { path: string; text: string }[]) => {
    for (const lib of libs) {
      const uri = `file:///${lib.path}`;
      typescript.javascriptDefaults.addExtraLib(lib.text, uri);
      typescript.typescriptDefaults.addExtraLib(lib.text, uri);
    }
  };
  try {
    const response = await fetch(url);
    if (!response.ok) return;
    const { node, libs } = (await response.json()) as { node: boolean; libs: { path: string; text: string }[] };
    add(libs);
    if (node) add(await loadNodeTypes());
  } catch {
    // Completion still works on the learner's own files without these declarations.
  }
}

function loadNodeTypes(): Promise<{ path: string; text: string }[]> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.type = 'module';
    script.src = nodeTypesUrl;
    script.addEventListener('load', () => resolve(((globalThis as Record<string, unknown>)[NODE_TYPES_GLOBAL] as { path: string; text: string }[] | undefined) ?? []));
    script.addEventListener('error', () => reject(new Error('Node declarations could not be loaded')));
    document.head.append(script);
  });
}

const fileUri = (path: string) => monaco.Uri.parse(`file:///${path.split('/').map(encodeURIComponent).join('/')}`);

function createEditorHost(options: EditorHostOptions): EditorHost {
  type Entry = { text: string; readonly: boolean; model?: monaco.editor.ITextModel; view?: monaco.editor.ICodeEditorViewState | null };
  const files = new Map<string, Entry>();
  let activePath = options.active;
  let tabMovesFocus = options.tabMovesFocus;
  let suppressChange = false;
  const isScript = (path: string) => /\.(c|m)?(j|t)s$/.test(path);

  // Models are made when a file is first shown, except scripts, which the TypeScript worker needs
  // all at once to follow imports between them. (A JSON model would start the JSON worker early.)
  const modelOf = (path: string): monaco.editor.ITextModel | undefined => {
    const entry = files.get(path);
    if (!entry) return undefined;
    if (entry.model) return entry.model;
    const model = monaco.editor.createModel(entry.text, monacoLanguage(path), fileUri(path));
    model.updateOptions({ tabSize: 2, insertSpaces: true });
    model.onDidChangeContent(() => {
      entry.text = model.getValue();
      if (!suppressChange) options.onChange(path, entry.text);
    });
    entry.model = model;
    applyProblems(path);
    if (options.typesUrl && isScript(path)) void loadTypes(options.typesUrl);
    return model;
  };
  let problems: EditorProblem[] = [];
  const applyProblems = (path: string) => {
    const model = files.get(path)?.model;
    if (!model) return;
    const lines = model.getLineCount();
    monaco.editor.setModelMarkers(
      model,
      'checks',
      problems
        .filter((problem) => problem.path === path)
        .map((problem) => {
          const line = Math.min(Math.max(1, problem.line), lines);
          const column = problem.column ?? model.getLineFirstNonWhitespaceColumn(line) ?? 1;
          return {
            startLineNumber: line,
            startColumn: Math.max(1, column),
            endLineNumber: line,
            endColumn: model.getLineMaxColumn(line),
            message: problem.message,
            source: 'Check',
            severity: problem.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
          };
        }),
    );
  };
  const addEntry = (file: EditorFile) => {
    files.set(file.path, { text: file.text, readonly: file.readonly });
    if (isScript(file.path)) modelOf(file.path);
  };
  for (const file of options.files) addEntry(file);

  if (!files.has(activePath)) activePath = files.keys().next().value ?? '';
  const editor = monaco.editor.create(options.container, {
    model: modelOf(activePath) ?? null,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 13.5,
    lineHeight: 21,
    fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--mono').trim() || undefined,
    scrollBeyondLastLine: false,
    renderLineHighlight: 'line',
    tabSize: 2,
    fixedOverflowWidgets: true,
    padding: { top: 8, bottom: 8 },
    tabFocusMode: tabMovesFocus,
    accessibilitySupport: 'auto',
    stickyScroll: { enabled: false },
  });

  const describe = (path: string) => `${path}${files.get(path)?.readonly ? ', read-only' : ''}. Press Ctrl+M to ${tabMovesFocus ? 'let Tab indent' : 'let Tab move focus'}.`;
  const applyFileOptions = () => {
    const entry = files.get(activePath);
    editor.updateOptions({
      readOnly: entry?.readonly ?? false,
      readOnlyMessage: { value: 'This file comes with the exercise and is read-only: the grader always uses its own copy.' },
      ariaLabel: describe(activePath),
    });
  };
  applyFileOptions();

  const reportStatus = () => {
    const position = editor.getPosition();
    const entry = files.get(activePath);
    if (!position || !entry) return;
    options.onStatus?.(`${entry.readonly ? 'Read-only · ' : ''}Line ${position.lineNumber}, column ${position.column}`);
  };
  editor.onDidChangeCursorPosition(reportStatus);

  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => options.onCheck());
  editor.addCommand(ctrl | monaco.KeyCode.KeyM, () => options.onToggleTabMovesFocus());

  // Escape, then Tab, leaves the editor once even while Tab indents (as in CodeMirror), so a
  // keyboard user who does not know Ctrl+M is never trapped.
  let escapeArmed = false;
  const disarm = () => {
    if (!escapeArmed) return;
    escapeArmed = false;
    editor.updateOptions({ tabFocusMode: tabMovesFocus });
  };
  editor.onKeyDown((event) => {
    if (event.keyCode === monaco.KeyCode.Escape) {
      escapeArmed = true;
      editor.updateOptions({ tabFocusMode: true });
    } else if (event.keyCode !== monaco.KeyCode.Tab && event.keyCode !== monaco.KeyCode.Shift) {
      disarm();
    }
  });
  editor.onDidBlurEditorText(disarm);

  const open = (path: string) => {
    const entry = files.get(path);
    const model = modelOf(path);
    if (!entry || !model) return;
    const current = files.get(activePath);
    if (current) current.view = editor.saveViewState();
    activePath = path;
    editor.setModel(model);
    if (entry.view) editor.restoreViewState(entry.view);
    applyFileOptions();
    reportStatus();
  };

  return {
    open,
    setText(path, text) {
      const entry = files.get(path);
      if (!entry || entry.text === text) return;
      if (!entry.model) {
        entry.text = text;
        return;
      }
      entry.model.pushEditOperations([], [{ range: entry.model.getFullModelRange(), text }], () => null);
      entry.model.pushStackElement();
    },
    getText: (path) => files.get(path)?.text,
    addFile(file) {
      if (!files.has(file.path)) addEntry(file);
    },
    reveal(path, line, column) {
      open(path);
      if (line) {
        const position = { lineNumber: line, column: column ?? 1 };
        editor.setPosition(position);
        editor.revealPositionInCenter(position);
      }
      editor.focus();
    },
    focus: () => editor.focus(),
    hasFocus: () => editor.hasTextFocus(),
    setTabMovesFocus(value) {
      tabMovesFocus = value;
      escapeArmed = false;
      editor.updateOptions({ tabFocusMode: value, ariaLabel: describe(activePath) });
    },
    createDiff(container): DiffHandle {
      const diff = monaco.editor.createDiffEditor(container, {
        automaticLayout: true,
        readOnly: true,
        originalEditable: false,
        // Side by side down to a narrow editor pane (Monaco's own breakpoint is 900 px); inline below.
        renderSideBySide: true,
        useInlineViewWhenSpaceIsLimited: true,
        renderSideBySideInlineBreakpoint: 520,
        minimap: { enabled: false },
        scrollBeyondLastLine: false,
        fontSize: 13.5,
        originalAriaLabel: 'Your work',
        modifiedAriaLabel: 'Reference solution',
      });
      let models: monaco.editor.ITextModel[] = [];
      return {
        show(path, mine, theirs) {
          const language = monacoLanguage(path);
          const next = [monaco.editor.createModel(mine, language), monaco.editor.createModel(theirs, language)];
          diff.setModel({ original: next[0]!, modified: next[1]! });
          for (const model of models) model.dispose();
          models = next;
        },
        dispose() {
          diff.dispose();
          for (const model of models) model.dispose();
        },
      };
    },
    setProblems(next) {
      problems = next;
      for (const path of files.keys()) applyProblems(path);
    },
    layout: () => editor.layout(),
    dispose() {
      editor.dispose();
      suppressChange = true;
      for (const { model } of files.values()) model?.dispose();
    },
  };
}

const bundle: EditorBundle = { createEditorHost, monacoVersion: '0.57' };
(globalThis as Record<string, unknown>)[EDITOR_BUNDLE_GLOBAL] = bundle;
