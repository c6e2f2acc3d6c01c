/**
 * Node's type declarations (@types/node and the undici types it imports), as one file the editor
 * loads when a learner's JavaScript is open, so completion knows `node:http`, `node:test`,
 * `node:assert`... Built separately (see editor-bundle.ts) so it is one cacheable file shared by
 * every exercise page, fetched only when needed, and never part of the page's own JavaScript.
 */
import { NODE_TYPES_GLOBAL } from './editor-api.ts';

const declarations = import.meta.glob(
  [
    '/node_modules/@types/node/**/*.d.ts',
    // Declarations for older TypeScript versions, and the inspector protocol (a fifth of the size), are of no use here.
    '!/node_modules/@types/node/ts5.*/**',
    '!/node_modules/@types/node/**/inspector*',
    '/node_modules/undici-types/*.d.ts',
  ],
  { query: '?raw', import: 'default', eager: true },
) as Record<string, string>;

(globalThis as Record<string, unknown>)[NODE_TYPES_GLOBAL] = Object.entries(declarations).map(([path, text]) => ({ path: path.replace(/^\//, ''), text }));
