// @ts-check
import * as looseAssert from 'node:assert';
import * as strictAssert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { beforeEach } from 'node:test';

/**
 * Preloaded (`--import`) into the learner's test process on the run against the correct module.
 * It records two facts the test runner's events cannot give:
 * - which test is running, written synchronously before each test, so a test that blocks the
 *   event loop for ever can still be named after the runner has killed its process;
 * - how many assertions ran, so a suite that catches nothing can be told why ("your tests never
 *   assert anything") from what it did rather than from a guess at its source text.
 * Assertions are counted wherever they come from: `node:assert` and `node:assert/strict` (the
 * default export called directly, its methods, named imports) and `t.assert`.
 *
 * It writes `{ current, count, finished }` as JSON to the file named by `BW_PROBE_FILE`. Plain
 * JavaScript and no project imports, for the same reasons as `reporter.js`.
 */

const probeFile = process.env.BW_PROBE_FILE;
if (!probeFile) throw new Error('probe: BW_PROBE_FILE is not set');

// `module.registerHooks` came with Node 22.15; without it (an older Node, a WebContainer) the
// assertions are not counted, `count` stays null, and the grader makes no claim about them.
const registerHooks = /** @type {typeof import('node:module').registerHooks | undefined} */ (
  /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (nodeModule)).registerHooks
);

/** @type {{ current: string | null, count: number | null, finished: boolean }} */
const state = { current: null, count: typeof registerHooks === 'function' ? 0 : null, finished: false };
const save = () => {
  try {
    writeFileSync(/** @type {string} */ (probeFile), JSON.stringify(state));
  } catch {
    // The folder is gone: the grade is over.
  }
};

/** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis))[Symbol.for('backend-workflow.assertions')] = () => {
  if (state.count !== null) state.count++;
};

// `import assert from 'node:assert/strict'` is redirected to a counting copy of the module. Its
// export names are read here, before the hook exists, so the copy can list them statically.
const scheme = 'bw-counted-assert:';
/** @type {Record<string, string[]>} */
const exportNames = {
  'node:assert': Object.keys(looseAssert).filter((name) => name !== 'default'),
  'node:assert/strict': Object.keys(strictAssert).filter((name) => name !== 'default'),
};
const redirected = new Map([
  ['assert', 'node:assert'],
  ['node:assert', 'node:assert'],
  ['assert/strict', 'node:assert/strict'],
  ['node:assert/strict', 'node:assert/strict'],
]);

/** @param {string} real */
function countingModule(real) {
  const names = exportNames[real] ?? [];
  return `import real from ${JSON.stringify(real)};
const tick = globalThis[Symbol.for('backend-workflow.assertions')];
// Functions are wrapped; classes (AssertionError, CallTracker, Assert) are passed through.
const wrap = (fn) => (typeof fn === 'function' && !/^[A-Z]/.test(fn.name) ? Object.assign(function (...args) { tick(); return fn.apply(this, args); }, fn) : fn);
const counted = wrap(real);
${names.map((name) => `export const ${name} = (counted[${JSON.stringify(name)}] = wrap(real[${JSON.stringify(name)}]));`).join('\n')}
export default counted;
`;
}

registerHooks?.({
  resolve(specifier, context, nextResolve) {
    const real = redirected.get(specifier);
    if (real && !context.parentURL?.startsWith(scheme)) return { url: scheme + real, shortCircuit: true };
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (url.startsWith(scheme)) return { format: 'module', source: countingModule(url.slice(scheme.length)), shortCircuit: true };
    return nextLoad(url, context);
  },
});

/** @type {WeakSet<object>} */
const wrapped = new WeakSet();
beforeEach((t) => {
  // `fullName` ("suite > test") is newer than the typings; `name` is the fallback.
  state.current = /** @type {{ fullName?: string }} */ (t).fullName ?? t.name;
  save();
  // `t.assert` is a plain object of functions, made once per test.
  const contextAssert = /** @type {{ assert?: Record<string, unknown> }} */ (/** @type {unknown} */ (t)).assert;
  if (contextAssert && state.count !== null && !wrapped.has(contextAssert)) {
    wrapped.add(contextAssert);
    for (const [name, fn] of Object.entries(contextAssert)) {
      if (typeof fn !== 'function') continue;
      contextAssert[name] = function (/** @type {unknown[]} */ ...args) {
        if (state.count !== null) state.count++;
        return fn.apply(this, args);
      };
    }
  }
});

process.on('exit', () => {
  state.current = null;
  state.finished = true;
  save();
});
