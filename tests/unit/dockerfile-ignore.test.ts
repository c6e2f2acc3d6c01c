import { describe, expect, it } from 'vitest';
import { DockerignoreSyntaxError, cleanPath, noDockerignore, parseDockerignore } from '../../graders/dockerfile/ignore.ts';

/**
 * `.dockerignore` matching, case by case from Docker's documented behaviour: cleaned patterns,
 * per-segment wildcards, `**`, parent folders, `!` exceptions where the last match wins.
 */

/** The paths of `paths` that `text` keeps out of the build context. */
function excluded(text: string, paths: string[]): string[] {
  const ignore = parseDockerignore(text);
  return paths.filter((path) => ignore.excludes(path));
}

describe('cleanPath (Go filepath.Clean)', () => {
  it.each([
    ['', '.'],
    ['.', '.'],
    ['./', '.'],
    ['a/', 'a'],
    ['./a/b/', 'a/b'],
    ['a//b', 'a/b'],
    ['a/./b', 'a/b'],
    ['a/b/../c', 'a/c'],
    ['a/../../b', '../b'],
    ['../../a', '../../a'],
    ['/', '/'],
    ['/../a', '/a'],
    ['/a/b/..', '/a'],
  ])('%j -> %j', (input, output) => {
    expect(cleanPath(input)).toBe(output);
  });
});

describe('reading the file', () => {
  it('skips comments that start in the first column and blank lines', () => {
    const ignore = parseDockerignore('# build output\n\n   \ndist\n');
    expect(ignore.rules.map((rule) => [rule.line, rule.pattern])).toEqual([[4, 'dist']]);
  });

  it('treats a # after leading spaces as part of a pattern, as Docker does', () => {
    const ignore = parseDockerignore('  # notes\n');
    expect(ignore.rules.map((rule) => rule.pattern)).toEqual(['# notes']);
    expect(ignore.excludes('# notes')).toBe(true);
  });

  it('trims whitespace around patterns and after the !', () => {
    expect(excluded('  *.log  \n!  keep.log\n', ['a.log', 'keep.log'])).toEqual(['a.log']);
  });

  it('reads CRLF line endings and a byte-order mark', () => {
    const ignore = parseDockerignore('\uFEFFnode_modules\r\n.env\r\n');
    expect(ignore.rules.map((rule) => rule.pattern)).toEqual(['node_modules', '.env']);
    expect(ignore.excludes('.env')).toBe(true);
  });

  it('cleans patterns and drops a leading slash', () => {
    const ignore = parseDockerignore('./node_modules/\n/.git\nsrc/../.env\nlogs//*.log\n');
    expect(ignore.rules.map((rule) => rule.pattern)).toEqual(['node_modules', '.git', '.env', 'logs/*.log']);
    expect(excluded('./node_modules/\n/.git\nsrc/../.env\n', ['node_modules', '.git/HEAD', '.env', 'src/.env'])).toEqual(['node_modules', '.git/HEAD', '.env']);
  });

  it('keeps the line, the text as written and whether it is an exception', () => {
    const [first, second] = parseDockerignore('# x\n*.md\n!README.md\n').rules;
    expect(first).toMatchObject({ line: 2, source: '*.md', pattern: '*.md', exception: false });
    expect(second).toMatchObject({ line: 3, source: '!README.md', pattern: 'README.md', exception: true });
  });

  it('excludes nothing when there is no file or it is empty', () => {
    expect(noDockerignore.excludes('.env')).toBe(false);
    expect(parseDockerignore('').excludes('node_modules/a')).toBe(false);
    expect(parseDockerignore('# only a comment\n').rules).toEqual([]);
  });
});

describe('patterns Docker refuses', () => {
  it.each([
    ['!', 'a lone "!"'],
    ['!   ', 'a lone "!"'],
    ['[abc', 'never closed'],
    ['src/[a-', 'without an end'],
    ['[]', 'empty'],
    ['[-a]', 'without a start'],
    ['[a-]', 'without an end'],
    ['file\\', 'lone "\\"'],
  ])('%j is a syntax error that names its line', (pattern, why) => {
    let caught: unknown;
    try {
      parseDockerignore(`node_modules\n${pattern}\n`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DockerignoreSyntaxError);
    expect((caught as DockerignoreSyntaxError).line).toBe(2);
    expect((caught as Error).message).toContain(why);
  });

  it('accepts a backwards range, which simply matches nothing', () => {
    expect(excluded('[z-a].txt\n', ['a.txt', 'z.txt'])).toEqual([]);
  });
});

describe('wildcards', () => {
  it('* matches within one segment only', () => {
    expect(excluded('*.md\n', ['README.md', 'docs/guide.md', '.md'])).toEqual(['README.md', '.md']);
    expect(excluded('*/*.md\n', ['README.md', 'docs/guide.md', 'docs/a/b.md'])).toEqual(['docs/guide.md']);
  });

  it('* matches names that start with a dot (no special case as in shells)', () => {
    expect(excluded('*\n', ['.env', '.git/HEAD', 'src/server.js'])).toEqual(['.env', '.git/HEAD', 'src/server.js']);
  });

  it('? matches one character, never a slash', () => {
    expect(excluded('?.txt\n', ['a.txt', 'ab.txt', '.txt'])).toEqual(['a.txt']);
    expect(excluded('a?b\n', ['axb', 'a/b'])).toEqual(['axb']);
  });

  it('[...] classes, ranges and negation match one character, never a slash', () => {
    expect(excluded('file[0-9].log\n', ['file1.log', 'filex.log', 'file10.log'])).toEqual(['file1.log']);
    expect(excluded('[^a]b\n', ['ab', 'cb', '/b'])).toEqual(['cb']);
    expect(excluded('a[^x]b\n', ['a/b', 'ayb'])).toEqual(['ayb']);
    expect(excluded('[ab-d]x\n', ['ax', 'cx', 'ex'])).toEqual(['ax', 'cx']);
  });

  it('a backslash escapes the next character', () => {
    expect(excluded('\\*.md\n', ['*.md', 'README.md'])).toEqual(['*.md']);
    expect(excluded('[\\]]\n', [']', 'a'])).toEqual([']']);
  });

  it('regular-expression characters in names are plain characters', () => {
    expect(excluded('a+b(1).js\n', ['a+b(1).js', 'aab1.js'])).toEqual(['a+b(1).js']);
    expect(excluded('v1.0-{x}|y$\n', ['v1.0-{x}|y$', 'v1x0-{x}|y$'])).toEqual(['v1.0-{x}|y$']);
  });
});

describe('** across segments', () => {
  it('**/name matches the name at any depth, the root included', () => {
    expect(excluded('**/node_modules\n', ['node_modules/a.js', 'packages/web/node_modules/b.js', 'src/node_modules_backup'])).toEqual([
      'node_modules/a.js',
      'packages/web/node_modules/b.js',
    ]);
    expect(excluded('**/*.md\n', ['README.md', 'docs/a/b.md', 'src/app.js'])).toEqual(['README.md', 'docs/a/b.md']);
  });

  it('a/**/b matches zero or more folders between a and b', () => {
    expect(excluded('src/**/test\n', ['src/test', 'src/a/test', 'src/a/b/test/x.js', 'src/testing', 'test'])).toEqual(['src/test', 'src/a/test', 'src/a/b/test/x.js']);
  });

  it('a/** matches everything under a', () => {
    const ignore = parseDockerignore('logs/**\n');
    expect(ignore.excludes('logs/today.log')).toBe(true);
    expect(ignore.excludes('logs/2026/11/a.log')).toBe(true);
    expect(ignore.excludes('logs.txt')).toBe(false);
  });

  it('** alone matches everything', () => {
    expect(excluded('**\n', ['a', 'b/c/d'])).toEqual(['a', 'b/c/d']);
  });
});

describe('folders', () => {
  it('a pattern that matches a folder excludes everything under it', () => {
    expect(excluded('node_modules\n', ['node_modules', 'node_modules/express/index.js', 'node_modules/.bin/x'])).toEqual([
      'node_modules',
      'node_modules/express/index.js',
      'node_modules/.bin/x',
    ]);
  });

  it('a name without a slash is relative to the root, not any depth', () => {
    expect(excluded('node_modules\n', ['packages/web/node_modules/a.js'])).toEqual([]);
    expect(excluded('*/temp\n', ['a/temp/x', 'temp/x', 'a/b/temp/x'])).toEqual(['a/temp/x']);
  });

  it('folder/* excludes the folder contents', () => {
    expect(excluded('node_modules/*\n', ['node_modules/express/package.json', 'node_modules', 'node_modules2/a'])).toEqual(['node_modules/express/package.json']);
  });
});

describe('! exceptions: the last matching line wins', () => {
  it('an exception after a pattern brings a file back', () => {
    expect(excluded('*.md\n!README.md\n', ['README.md', 'CHANGES.md'])).toEqual(['CHANGES.md']);
  });

  it('an exception before the pattern is overridden by it', () => {
    expect(excluded('!README.md\n*.md\n', ['README.md', 'CHANGES.md'])).toEqual(['README.md', 'CHANGES.md']);
  });

  it('an allow-list: * then exceptions keeps only what is named', () => {
    const ignore = parseDockerignore('*\n!src\n!package*.json\n');
    expect(['node_modules/express/package.json', '.git/HEAD', '.env', 'README.md', 'test/app.test.js'].filter((path) => !ignore.excludes(path))).toEqual([]);
    expect(['src/server.js', 'src/lib/db.js', 'package.json', 'package-lock.json'].filter((path) => ignore.excludes(path))).toEqual([]);
  });

  it('an exception can reach inside an excluded folder', () => {
    expect(excluded('docs\n!docs/keep.md\n', ['docs/keep.md', 'docs/other.md'])).toEqual(['docs/other.md']);
  });

  it('re-excluding after an exception', () => {
    expect(excluded('.env*\n!.env.example\n.env.example.local\n', ['.env', '.env.local', '.env.example', '.env.example.local'])).toEqual([
      '.env',
      '.env.local',
      '.env.example.local',
    ]);
  });

  it('says which line decided', () => {
    const ignore = parseDockerignore('# secrets\n.env*\n!.env\n');
    expect(ignore.decide('.env')).toMatchObject({ excluded: false, rule: { line: 3, source: '!.env' } });
    expect(ignore.decide('.env.local')).toMatchObject({ excluded: true, rule: { line: 2, source: '.env*' } });
    expect(ignore.decide('src/app.js')).toEqual({ excluded: false });
  });

  it('decides paths written with ./ or a leading slash like their clean form', () => {
    const ignore = parseDockerignore('.env\n');
    expect(ignore.excludes('./.env')).toBe(true);
    expect(ignore.excludes('/.env')).toBe(true);
  });
});

describe('cost', () => {
  it('matches patterns that would make a backtracking regex explode in linear-ish time', () => {
    const started = performance.now();
    const stars = parseDockerignore(`${'*a'.repeat(30)}*b\n`);
    expect(stars.excludes('a'.repeat(200))).toBe(false);
    const globstars = parseDockerignore(`${'**/a/'.repeat(20)}x\n`);
    expect(globstars.excludes(Array(60).fill('a').join('/'))).toBe(false);
    expect(globstars.excludes(`${Array(20).fill('a').join('/')}/x`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
