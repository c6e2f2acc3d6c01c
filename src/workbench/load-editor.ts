import { EDITOR_BUNDLE_GLOBAL, type EditorBundle } from './editor-api.ts';
// `?worker&url` makes Vite build editor-bundle.ts (Monaco, its CSS, its workers) as a separate
// self-contained file and give us its URL. Nothing of it enters the page's module graph, so
// Astro cannot hoist Monaco's CSS into the page's <head> (withastro/astro#9495). It runs on the
// main thread: loaded by a <script> tag, it assigns one global.
import editorBundleUrl from './editor-bundle.ts?worker&url';

let loading: Promise<EditorBundle> | undefined;

/** Loads the editor bundle once; later calls share the same promise. */
export function loadEditorBundle(): Promise<EditorBundle> {
  loading ??= new Promise<EditorBundle>((resolve, reject) => {
    const existing = (globalThis as Record<string, unknown>)[EDITOR_BUNDLE_GLOBAL] as EditorBundle | undefined;
    if (existing) return resolve(existing);
    const script = document.createElement('script');
    // A module script also runs the unbundled file that `astro dev` serves.
    script.type = 'module';
    script.src = editorBundleUrl;
    script.dataset.editorBundle = '';
    script.addEventListener('load', () => {
      const bundle = (globalThis as Record<string, unknown>)[EDITOR_BUNDLE_GLOBAL] as EditorBundle | undefined;
      if (bundle) resolve(bundle);
      else reject(new Error('The editor file loaded but did not start.'));
    });
    script.addEventListener('error', () => {
      loading = undefined;
      script.remove();
      reject(new Error('The editor could not be downloaded. Check your connection and reload the page.'));
    });
    document.head.append(script);
  });
  return loading;
}

/** The editor file's address, for preloading hints and the benchmark. */
export const editorBundleHref = editorBundleUrl;
