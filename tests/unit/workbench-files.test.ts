import { describe, expect, it } from 'vitest';
import { buildTree, globToRegExp, monacoLanguage, problemWithNewPath, renderTreeHtml, shikiLanguage } from '../../src/workbench/files.ts';
import { formatBody, parseHeaderLines, prepareRequest, renderResponseHtml } from '../../src/workbench/request-panel.ts';
import { valueAfterKey } from '../../src/workbench/splitter.ts';

/** The workbench's pure parts: languages, the file tree, new-file rules, the request form, the splitter keys. */

describe('languages', () => {
  it.each([
    ['schema.sql', 'sql', 'sql'],
    ['src/server.js', 'javascript', 'js'],
    ['test/late-fee.test.mjs', 'javascript', 'js'],
    ['src/app.ts', 'typescript', 'ts'],
    ['Dockerfile', 'dockerfile', 'dockerfile'],
    ['.dockerignore', 'ini', 'ini'],
    ['.env', 'ini', 'ini'],
    ['compose.yaml', 'yaml', 'yaml'],
    ['.github/workflows/ci.yml', 'yaml', 'yaml'],
    ['package.json', 'json', 'json'],
    ['LICENSE', 'plaintext', 'text'],
  ])('%s is %s in the editor and %s at build time', (path, monaco, shiki) => {
    expect(monacoLanguage(path)).toBe(monaco);
    expect(shikiLanguage(path)).toBe(shiki);
  });
});

describe('file tree', () => {
  it('nests folders first, then files, alphabetically', () => {
    const tree = buildTree(['src/server.js', 'package.json', 'src/routes/books.js', 'README.md']);
    expect(tree.map((node) => node.name)).toEqual(['src', 'package.json', 'README.md']);
    const src = tree[0]!;
    expect(src.kind === 'folder' && src.children.map((node) => node.path)).toEqual(['src/routes', 'src/server.js']);
  });

  it('renders buttons, marks the open file and locks read-only ones in words', () => {
    const html = renderTreeHtml(buildTree(['src/late-fee.js', 'test/late-fee.test.js']), ['src/late-fee.js'], 'test/late-fee.test.js');
    expect(html).toContain('data-open="src/late-fee.js" data-readonly="" aria-label="late-fee.js, read-only"');
    expect(html).toContain('<span class="wb-tree-name">late-fee.js</span><svg class="wb-lock"');
    expect(html).toContain('data-open="test/late-fee.test.js" aria-current="true"');
  });
});

describe('new files', () => {
  const config = { extra: ['src/**/*.js', 'src/**/*.mjs'] };

  it('matches globs as the grader does', () => {
    expect(globToRegExp('src/**/*.js').test('src/books.js')).toBe(true);
    expect(globToRegExp('src/**/*.js').test('src/routes/books.js')).toBe(true);
    expect(globToRegExp('src/**/*.js').test('lib/books.js')).toBe(false);
    expect(globToRegExp('src/*.js').test('src/a/b.js')).toBe(false);
    expect(globToRegExp('test/?.js').test('test/a.js')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });

  it('accepts a path the grader will read and explains every refusal', () => {
    expect(problemWithNewPath('src/routes/books.js', config, ['src/server.js'])).toBeUndefined();
    expect(problemWithNewPath('', config, [])).toMatch(/Type a file name/);
    expect(problemWithNewPath('../etc/passwd', config, [])).toMatch(/relative path/);
    expect(problemWithNewPath('/src/a.js', config, [])).toMatch(/relative path/);
    expect(problemWithNewPath('src//a.js', config, [])).toMatch(/relative path/);
    expect(problemWithNewPath('src/server.js', config, ['src/server.js'])).toMatch(/already exists/);
    expect(problemWithNewPath('notes.txt', config, [])).toMatch(/only reads new files that match src\/\*\*\/\*\.js or src\/\*\*\/\*\.mjs/);
    expect(problemWithNewPath('a.sql', { extra: [] }, [])).toMatch(/fixed set of files/);
  });
});

describe('request panel helpers', () => {
  it('parses header lines and names a bad one', () => {
    expect(parseHeaderLines('Accept: application/json\n\nX-Trace:  abc ')).toEqual({ headers: { Accept: 'application/json', 'X-Trace': 'abc' } });
    expect(parseHeaderLines('Accept application/json')).toEqual({ problem: 'Header line 1 should look like "Name: value".' });
  });

  it('prepares a JSON request, adding Content-Type, and refuses a bad path or body', () => {
    expect(prepareRequest({ method: 'post', path: '/books', headers: '', body: '{"title":"Kindred"}' })).toEqual({
      request: { method: 'POST', path: '/books', headers: { 'Content-Type': 'application/json' }, body: '{"title":"Kindred"}' },
    });
    expect(prepareRequest({ method: 'GET', path: '/books?limit=2', headers: '', body: 'ignored' })).toEqual({ request: { method: 'GET', path: '/books?limit=2', headers: {} } });
    expect(prepareRequest({ method: 'GET', path: 'books', headers: '', body: '' })).toMatchObject({ problem: expect.stringContaining('starts with "/"') });
    expect(prepareRequest({ method: 'POST', path: '/books', headers: '', body: '{oops' })).toMatchObject({ problem: expect.stringContaining('not valid JSON') });
    // Sending broken JSON on purpose (to test a 400) is allowed once the learner sets the type.
    expect(prepareRequest({ method: 'POST', path: '/books', headers: 'Content-Type: application/json', body: '{oops' })).toMatchObject({ request: { body: '{oops' } });
    expect(prepareRequest({ method: 'BREW', path: '/', headers: '', body: '' })).toMatchObject({ problem: 'Unknown method BREW.' });
  });

  it('pretty-prints JSON bodies and leaves others alone', () => {
    expect(formatBody('{"a":1}', { 'content-type': 'application/json; charset=utf-8' })).toBe('{\n  "a": 1\n}');
    expect(formatBody('plain <b>', { 'content-type': 'text/plain' })).toBe('plain <b>');
    expect(formatBody('{broken', { 'content-type': 'application/json' })).toBe('{broken');
  });

  it('renders status, time, headers and an escaped body', () => {
    const html = renderResponseHtml({ method: 'POST', path: '/books' }, { status: 201, headers: { location: '/books/1' }, body: '{"title":"<i>"}', durationMs: 12 });
    expect(html).toContain('<span class="rq-status" data-class="2">201 Created</span> · 12 ms');
    expect(html).toContain('<dt>location</dt><dd>/books/1</dd>');
    expect(html).toContain('&quot;title&quot;: &quot;&lt;i&gt;&quot;');
  });
});

describe('splitter keys', () => {
  const options = { min: 20, max: 70, initial: 40, orientation: 'vertical' as const };
  it('moves with the arrows, jumps with Home/End, resets with Enter and stays in bounds', () => {
    expect(valueAfterKey('ArrowRight', false, 40, options)).toBe(42);
    expect(valueAfterKey('ArrowLeft', true, 40, options)).toBe(30);
    expect(valueAfterKey('ArrowLeft', true, 25, options)).toBe(20);
    expect(valueAfterKey('Home', false, 40, options)).toBe(20);
    expect(valueAfterKey('End', false, 40, options)).toBe(70);
    expect(valueAfterKey('Enter', false, 66, options)).toBe(40);
    expect(valueAfterKey('a', false, 40, options)).toBeUndefined();
  });

  it('grows a panel below the divider with ArrowUp', () => {
    const below = { min: 15, max: 75, initial: 38, orientation: 'horizontal' as const, fromEnd: true };
    expect(valueAfterKey('ArrowUp', false, 38, below)).toBe(40);
    expect(valueAfterKey('ArrowDown', false, 38, below)).toBe(36);
  });
});
