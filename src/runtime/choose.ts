import { LocalRunner } from './local.ts';
import type { Runner } from './runner.ts';
import { UnavailableRunner } from './unavailable.ts';
import type { WebContainerRunnerOptions } from './webcontainer.ts';

/**
 * Picks where this page runs a learner's work:
 *   1. the course server, when it served the page (`GET /api/runner` answers with a token);
 *   2. a WebContainer in the page, on a static host that is cross-origin isolated;
 *   3. nowhere, with a plain reason; the workbench keeps editing and saving either way.
 * The WebContainer runner (and `@webcontainer/api` behind it) is loaded only in case 2.
 */

export interface ChooseOptions {
  /** Origin prefix for the endpoints (tests); default: this page's origin. */
  base?: string;
  signal?: AbortSignal;
  /** Defaults to `globalThis.crossOriginIsolated`. */
  crossOriginIsolated?: boolean;
  webContainer?: WebContainerRunnerOptions;
}

export async function chooseRunner(options: ChooseOptions = {}): Promise<Runner> {
  const local = await LocalRunner.connect(options.base ?? '', options.signal);
  if (local) return local;

  const isolated = options.crossOriginIsolated ?? globalThis.crossOriginIsolated === true;
  if (!isolated) {
    return new UnavailableRunner(
      'webcontainer',
      'This page is not served by the course server, and its host does not send the cross-origin isolation headers (COOP and COEP) that running Node.js in the browser needs. To check your work, run the course on your computer with `npm start`, or grade a downloaded copy with `npx backend-workflow grade`.',
    );
  }
  if (typeof SharedArrayBuffer === 'undefined' || typeof WebAssembly === 'undefined') {
    return new UnavailableRunner(
      'webcontainer',
      'This browser cannot run Node.js in a page (it lacks SharedArrayBuffer or WebAssembly). A current Chrome, Edge, Firefox or Safari can; or run the course on your computer with `npm start`.',
    );
  }
  const { WebContainerRunner } = await import('./webcontainer.ts');
  return new WebContainerRunner(options.webContainer);
}
