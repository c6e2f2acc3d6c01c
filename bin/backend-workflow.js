#!/usr/bin/env node
// Entry point of the `backend-workflow` command. Checks the Node version first, with a message a
// learner can act on, then runs the compiled CLI (published package) or the TypeScript sources
// (this repository, where Node 22 strips types).
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`backend-workflow needs Node.js 22.12 or newer; this is ${process.version}. Install a current Node.js (nodejs.org) and try again.`);
  process.exit(3);
}
process.env.BACKEND_WORKFLOW_BIN = '1';
const compiled = new URL('../lib/graders/cli.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL('../graders/cli.ts', import.meta.url).href);
