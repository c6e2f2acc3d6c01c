/**
 * The exercise's files as the workbench sees them: which language each is, how they nest into a
 * tree, and which new paths a learner may add (`files.extra` globs). Shared by the page (build
 * time) and the browser.
 */

export interface WorkbenchFile {
  path: string;
  text: string;
  /** Given with the exercise; the grader always takes it from the exercise, so it is locked here. */
  readonly: boolean;
}

/** The page's data for the browser, embedded as JSON. */
export interface WorkbenchConfig {
  exerciseId: string;
  title: string;
  kind: 'sql-schema' | 'http-api' | 'test-suite' | 'dockerfile';
  files: WorkbenchFile[];
  /** The file shown first. */
  open: string;
  /** Glob patterns of files a learner may add. */
  extra: string[];
  /** Files whose absence makes the grade an error: they cannot be deleted. */
  required: string[];
  solutionUrl: string;
  typesUrl: string;
}

/** Monaco's language id for a file. */
export function monacoLanguage(path: string): string {
  const name = path.split('/').pop() ?? path;
  if (name === 'Dockerfile' || name.startsWith('Dockerfile.')) return 'dockerfile';
  if (name === '.dockerignore' || name === '.gitignore') return 'ini';
  if (name === '.env' || name.startsWith('.env.')) return 'ini';
  const extension = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
  const byExtension: Record<string, string> = {
    sql: 'sql',
    js: 'javascript',
    mjs: 'javascript',
    cjs: 'javascript',
    ts: 'typescript',
    mts: 'typescript',
    json: 'json',
    yaml: 'yaml',
    yml: 'yaml',
    md: 'markdown',
    ini: 'ini',
    toml: 'ini',
  };
  return byExtension[extension] ?? 'plaintext';
}

/** Shiki's language id for the build-time highlighting of the same file. */
export function shikiLanguage(path: string): string {
  const monaco = monacoLanguage(path);
  return ({ javascript: 'js', typescript: 'ts', plaintext: 'text', markdown: 'md' } as Record<string, string>)[monaco] ?? monaco;
}

export interface TreeFolder {
  kind: 'folder';
  name: string;
  path: string;
  children: TreeNode[];
}
export interface TreeLeaf {
  kind: 'file';
  name: string;
  path: string;
}
export type TreeNode = TreeFolder | TreeLeaf;

/** Nests paths into folders; folders first, then files, each alphabetically. */
export function buildTree(paths: readonly string[]): TreeNode[] {
  const root: TreeFolder = { kind: 'folder', name: '', path: '', children: [] };
  for (const path of paths) {
    const segments = path.split('/');
    let folder = root;
    segments.slice(0, -1).forEach((segment, index) => {
      const folderPath = segments.slice(0, index + 1).join('/');
      let next = folder.children.find((child): child is TreeFolder => child.kind === 'folder' && child.name === segment);
      if (!next) {
        next = { kind: 'folder', name: segment, path: folderPath, children: [] };
        folder.children.push(next);
      }
      folder = next;
    });
    folder.children.push({ kind: 'file', name: segments.at(-1)!, path });
  }
  const sort = (nodes: TreeNode[]) => {
    nodes.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
    for (const node of nodes) if (node.kind === 'folder') sort(node.children);
  };
  sort(root.children);
  return root.children;
}

/** A glob (`*`, `**`, `?`, as in `files.extra`) as a regular expression over forward-slash paths. */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      // `**/` matches any number of folders, including none; a trailing `**` matches the rest.
      if (glob[index + 2] === '/') {
        pattern += '(?:[^/]+/)*';
        index += 2;
      } else {
        pattern += '.*';
        index += 1;
      }
    } else if (char === '*') {
      pattern += '[^/]*';
    } else if (char === '?') {
      pattern += '[^/]';
    } else {
      pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern}$`);
}

/**
 * Whether a learner may create `path`: a clean relative path that matches one of the exercise's
 * `files.extra` patterns and is not already a file. Returns the problem in words, or undefined.
 */
export function problemWithNewPath(path: string, config: Pick<WorkbenchConfig, 'extra'>, existing: readonly string[]): string | undefined {
  const trimmed = path.trim();
  if (!trimmed) return 'Type a file name, for example src/books.js.';
  if (trimmed.startsWith('/') || trimmed.includes('\\') || trimmed.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) {
    return 'Use a relative path with forward slashes, inside the exercise (no "..").';
  }
  if (trimmed.includes('\0')) return 'A file name cannot contain a NUL character.';
  if (existing.includes(trimmed)) return `${trimmed} already exists.`;
  if (!config.extra.some((glob) => globToRegExp(glob).test(trimmed))) {
    return config.extra.length === 0
      ? 'This exercise has a fixed set of files; new files would not be graded.'
      : `The grader only reads new files that match ${config.extra.join(' or ')}.`;
  }
  return undefined;
}

/** The lock shown beside read-only files (the words "read-only" go beside it for screen readers). */
export const lockIconSvg =
  '<svg class="wb-lock" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2H12a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5Zm1.5 0h4V5a2 2 0 0 0-4 0v2Z"/></svg>';

const escapeText = (text: string) => text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

/** The same markup as FileTree.astro, for redrawing the tree in the browser after a file is added. */
export function renderTreeHtml(nodes: readonly TreeNode[], readonly: readonly string[], active: string): string {
  const items = nodes.map((node) => {
    if (node.kind === 'folder') {
      return `<li class="wb-tree-folder"><span class="wb-tree-folder-name"><span aria-hidden="true">▾ </span>${escapeText(node.name)}/</span>${renderTreeHtml(node.children, readonly, active)}</li>`;
    }
    const locked = readonly.includes(node.path);
    return (
      `<li><button type="button" class="wb-tree-file" title="${escapeText(node.path)}" data-open="${escapeText(node.path)}"${locked ? ` data-readonly="" aria-label="${escapeText(node.name)}, read-only"` : ''}${node.path === active ? ' aria-current="true"' : ''}>` +
      `<span class="wb-tree-name">${escapeText(node.name)}</span>${locked ? lockIconSvg : ''}</button></li>`
    );
  });
  return `<ul class="wb-tree">${items.join('')}</ul>`;
}
