// Astro 7 and vitest 5 need Node >= 22.12. `npm run` puts the `node` devDependency (Node 22) first
// on PATH; running a tool directly (./node_modules/.bin/x) or after `npm ci --ignore-scripts` does not.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `backend-workflow needs Node.js 22.12 or newer, but this is ${process.version}.\n` +
      'Run the scripts through npm (npm start, npm test, npm run ...), which use the Node 22 that\n' +
      '`npm install` puts in node_modules/.bin; if it is missing, run `npm install` again without --ignore-scripts.',
  );
  process.exit(1);
}
