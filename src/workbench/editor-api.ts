/**
 * The contract between the page's small script and the editor bundle (Monaco plus
 * `editor-bundle.ts`), which is loaded later as a separate file. Types only: importing this costs
 * the page nothing.
 */

export interface EditorFile {
  path: string;
  text: string;
  readonly: boolean;
}

export interface EditorHostOptions {
  /** Where the editor goes; it fills the element. */
  container: HTMLElement;
  files: EditorFile[];
  active: string;
  tabMovesFocus: boolean;
  /** Declarations for the learner's JavaScript (Node's, the packages it imports), fetched when a JS file exists. */
  typesUrl?: string;
  onChange(path: string, text: string): void;
  /** Ctrl/Cmd+Enter inside the editor. */
  onCheck(): void;
  /** Ctrl+M inside the editor: the page owns the setting (it is remembered and shown on a button). */
  onToggleTabMovesFocus(): void;
  /** The cursor moved or the file changed: "Line 3, column 7". */
  onStatus?(text: string): void;
}

export interface DiffHandle {
  show(path: string, mine: string, theirs: string): void;
  dispose(): void;
}

export interface EditorHost {
  open(path: string): void;
  /** Replaces a file's text as one undoable edit (Ctrl+Z in the editor brings it back too). */
  setText(path: string, text: string): void;
  getText(path: string): string | undefined;
  addFile(file: EditorFile): void;
  /** Opens the file and puts the cursor on the line (and column), centred, then focuses the editor. */
  reveal(path: string, line?: number, column?: number): void;
  focus(): void;
  hasFocus(): boolean;
  setTabMovesFocus(value: boolean): void;
  createDiff(container: HTMLElement): DiffHandle;
  /** Marks where the last check found problems (squiggles with the check's message); replaces the previous set. */
  setProblems(problems: EditorProblem[]): void;
  layout(): void;
  dispose(): void;
}

export interface EditorProblem {
  path: string;
  line: number;
  column?: number;
  message: string;
  /** A failed check is an error; a check that could not run or timed out, a warning. */
  severity: 'error' | 'warning';
}

export interface EditorBundle {
  createEditorHost(options: EditorHostOptions): EditorHost;
  /** Bytes are not visible from here; the bundle reports what it is for the benchmark. */
  monacoVersion: string;
}

/** The global the bundle assigns when it has run. */
export const EDITOR_BUNDLE_GLOBAL = '__backendWorkflowEditor';

/** The global the Node declarations file assigns: `{ path, text }[]`. */
export const NODE_TYPES_GLOBAL = '__backendWorkflowNodeTypes';
