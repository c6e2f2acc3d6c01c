import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { lessonSchema, quizBankSchema } from '../../graders/core/content.ts';
import { describeIssues } from '../../graders/core/friendly-errors.ts';
import { type StageId, stageFolder, stageFromFolder, stageIds } from '../../graders/core/stages.ts';

/**
 * The course text, checked the way a careful reader would: every lesson sits where the site
 * expects it and has valid frontmatter; every internal link, image and exercise it mentions
 * exists; every code block says its language; no lesson is a stub; every stage has its lessons
 * and its quiz; every exercise is taught by a lesson of its own stage. Each problem names the
 * file (and the line, where there is one) so an author can fix it without hunting.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const lessonsDir = join(root, 'lessons');
const exercisesDir = join(root, 'exercises');

/** Fewer words of prose than this (code blocks, imports, markup and frontmatter excluded) is a stub. */
const minimumProseWords = 600;
const minimumLessonsPerStage = 3;

/** A lesson file: `lessons/NN-<stage>/NN-<slug>.mdx`. */
const lessonFilePattern = /^(\d\d)-([a-z0-9]+(?:-[a-z0-9]+)*)\.mdx$/;

const rel = (path: string) => relative(root, path).split(sep).join('/');

interface LessonFile {
  /** Path relative to the repository root, forward slashes, as shown in messages. */
  file: string;
  absolute: string;
  stage: StageId;
  slug: string;
  source: string;
}

/** Every .mdx or .md file under lessons/, wherever it is, so a misplaced one is reported rather than ignored. */
function findMarkdown(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return findMarkdown(full);
    return /\.mdx?$/.test(entry.name) ? [full] : [];
  });
}

const misplaced: string[] = [];
const lessons: LessonFile[] = [];
for (const absolute of findMarkdown(lessonsDir).sort()) {
  const file = rel(absolute);
  const parts = relative(lessonsDir, absolute).split(sep);
  const stage = parts.length === 2 ? stageFromFolder(parts[0]!) : undefined;
  const match = parts.length === 2 ? lessonFilePattern.exec(parts[1]!) : null;
  if (!stage || !match) {
    misplaced.push(
      `${file}: a lesson must live at lessons/NN-<stage>/NN-<slug>.mdx, where NN-<stage> is one of ${stageIds.map((id) => stageFolder(id)).join(', ')} and <slug> is lowercase words joined by hyphens`,
    );
    continue;
  }
  lessons.push({ file, absolute, stage, slug: match[2]!, source: readFileSync(absolute, 'utf8') });
}

/** Exercise folders under exercises/, with the stage their manifest declares (undefined when unreadable). */
interface ExerciseFolder {
  id: string;
  manifest: string;
  exists: boolean;
  stage: StageId | undefined;
  problem?: string;
}
const exerciseFolders: ExerciseFolder[] = (existsSync(exercisesDir) ? readdirSync(exercisesDir) : [])
  .filter((name) => statSync(join(exercisesDir, name)).isDirectory())
  .sort()
  .map((id) => {
    const manifest = `exercises/${id}/exercise.yaml`;
    const path = join(root, manifest);
    if (!existsSync(path)) return { id, manifest, exists: false, stage: undefined, problem: `${manifest} is missing: every folder under exercises/ is an exercise and needs a manifest` };
    let data: unknown;
    try {
      data = parseYaml(readFileSync(path, 'utf8'));
    } catch (error) {
      return { id, manifest, exists: true, stage: undefined, problem: `${manifest}: not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
    }
    const stage = (data as { stage?: unknown } | null)?.stage;
    if (typeof stage !== 'string' || !(stageIds as readonly string[]).includes(stage)) {
      return { id, manifest, exists: true, stage: undefined, problem: `${manifest}: stage ${JSON.stringify(stage)} is not one of ${stageIds.join(', ')}` };
    }
    return { id, manifest, exists: true, stage: stage as StageId };
  });
const exerciseIds = new Set(exerciseFolders.filter((exercise) => exercise.exists).map((exercise) => exercise.id));

const quizFile = (stage: StageId) => `lessons/${stageFolder(stage)}/quiz.yaml`;
const hasQuiz = (stage: StageId) => existsSync(join(root, quizFile(stage)));
const lessonUrls = new Set(lessons.map((lesson) => `/lessons/${lesson.stage}/${lesson.slug}/`));

// ---------------------------------------------------------------------------------------------
// Reading an MDX file: frontmatter, fenced code blocks and prose, with line numbers.

interface Parsed {
  /** The YAML between the opening `---` lines, or undefined when there is none. */
  frontmatter: string | undefined;
  /** Line number (1-based) where the body starts. */
  bodyStart: number;
  /** Body lines outside fenced code blocks, with their line numbers. */
  prose: { line: number; text: string }[];
  /** Fenced code blocks: the line of the opening fence and its info string. */
  fences: { line: number; info: string }[];
  /** An opening fence that is never closed. */
  unclosed?: number;
}

function parseMdx(source: string): Parsed {
  const lines = source.split(/\r?\n/);
  let index = 0;
  let frontmatter: string | undefined;
  if (lines[0] === '---') {
    const end = lines.indexOf('---', 1);
    if (end > 0) {
      frontmatter = lines.slice(1, end).join('\n');
      index = end + 1;
    }
  }
  const bodyStart = index + 1;
  const prose: Parsed['prose'] = [];
  const fences: Parsed['fences'] = [];
  let open: { char: string; length: number; line: number } | undefined;
  for (; index < lines.length; index++) {
    const text = lines[index]!;
    const line = index + 1;
    if (open) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(text);
      if (close && close[1]![0] === open.char && close[1]!.length >= open.length) open = undefined;
      continue;
    }
    // CommonMark: a backtick fence's info string may not contain backticks.
    const fence = /^\s*(`{3,}|~{3,})(.*)$/.exec(text);
    if (fence && !(fence[1]![0] === '`' && fence[2]!.includes('`'))) {
      open = { char: fence[1]![0]!, length: fence[1]!.length, line };
      fences.push({ line, info: fence[2]!.trim() });
      continue;
    }
    prose.push({ line, text });
  }
  return { frontmatter, bodyStart, prose, fences, unclosed: open?.line };
}

/** Prose without inline code spans, where links and image references are looked for. */
const withoutInlineCode = (text: string) => text.replace(/(`+)[\s\S]*?\1/g, (span) => ' '.repeat(span.length));

/** Words of prose: what remains after code blocks, imports and exports, JSX comments and tags are removed. */
function proseWords(parsed: Parsed): number {
  const text = parsed.prose
    .map(({ text }) => text)
    .filter((text) => !/^(import|export)\s/.test(text))
    .join('\n')
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, ' ')
    .replace(/<[^>]+>/g, ' ');
  return text.split(/\s+/).filter((word) => /[A-Za-z0-9]/.test(word)).length;
}

/** Link and image targets in the prose: Markdown links, reference definitions and JSX/HTML attributes. */
function targets(parsed: Parsed): { line: number; url: string; image: boolean }[] {
  const found: { line: number; url: string; image: boolean }[] = [];
  for (const { line, text: raw } of parsed.prose) {
    const text = withoutInlineCode(raw);
    for (const match of text.matchAll(/(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      found.push({ line, url: match[2]!, image: match[1] === '!' });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(text);
    if (definition) found.push({ line, url: definition[1]!, image: false });
    for (const match of text.matchAll(/\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      found.push({ line, url: (match[2] ?? match[3])!, image: match[1] === 'src' });
    }
  }
  return found;
}

/** Relative imports (`import X from './diagrams/x.svg'`) in the body. */
function imports(parsed: Parsed): { line: number; path: string }[] {
  return parsed.prose.flatMap(({ line, text }) => {
    const match = /^import\s+(?:[\s\S]+?\s+from\s+)?['"]([^'"]+)['"]/.exec(text);
    return match && match[1]!.startsWith('.') ? [{ line, path: match[1]! }] : [];
  });
}

const imageExtension = /\.(svg|png|jpe?g|gif|webp|avif)$/i;

/** A URL with a scheme (`https:`, `mailto:`) or protocol-relative (`//host`): not part of the course. */
const isExternal = (url: string) => /^[a-z][a-z0-9+.-]*:|^\/\//i.test(url);

/** The path of a URL, without query or fragment. */
const pathOf = (url: string) => url.replace(/[?#].*$/, '');

/** Why an internal URL does not resolve, or undefined when it does. */
function unresolved(url: string): string | undefined {
  const path = pathOf(url);
  if (path === '/' || path === '/search/' || path === '/exercises/') return undefined;
  if (!path.endsWith('/')) return 'must end with "/" (the site uses trailing slashes)';
  const segments = path.split('/').slice(1, -1);
  const [section, first, second] = segments;
  if (section === 'lessons' && segments.length === 3) {
    if (lessonUrls.has(path)) return undefined;
    if (!(stageIds as readonly string[]).includes(first!)) return `"${first}" is not a stage (stages: ${stageIds.join(', ')})`;
    return `there is no lesson "${second}" in stage ${first} (expected lessons/${stageFolder(first as StageId)}/NN-${second}.mdx)`;
  }
  if ((section === 'stages' || section === 'quiz') && segments.length === 2) {
    if (!(stageIds as readonly string[]).includes(first!)) return `"${first}" is not a stage (stages: ${stageIds.join(', ')})`;
    if (section === 'quiz' && !hasQuiz(first as StageId)) return `the stage has no quiz bank (${quizFile(first as StageId)} is missing)`;
    return undefined;
  }
  if (section === 'exercises' && segments.length === 2) {
    return exerciseIds.has(first!) ? undefined : `there is no exercise "${first}" (exercises/${first}/exercise.yaml is missing)`;
  }
  return 'is no page of the course (lessons, stages, exercises, quizzes, /search/ and / are)';
}

// ---------------------------------------------------------------------------------------------

describe('lesson files', () => {
  it('every lesson is at lessons/NN-<stage>/NN-<slug>.mdx with a known stage', () => {
    expect(misplaced).toEqual([]);
  });

  it('no two lessons of a stage share a slug or a number', () => {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const lesson of lessons) {
      const number = lesson.file.split('/').pop()!.slice(0, 2);
      for (const key of [`${lesson.stage} slug ${lesson.slug}`, `${lesson.stage} number ${number}`]) {
        const other = seen.get(key);
        if (other) problems.push(`${lesson.file}: same ${key.split(' ')[1]} as ${other}`);
        else seen.set(key, lesson.file);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe.each(lessons.map((lesson) => [lesson.file, lesson] as const))('%s', (file, lesson) => {
  const parsed = parseMdx(lesson.source);

  it('has frontmatter that matches the lesson schema', () => {
    if (parsed.frontmatter === undefined) {
      expect.fail(`${file}: no frontmatter (the file must start with a --- line, the YAML, and another --- line)`);
    }
    let data: unknown;
    try {
      data = parseYaml(parsed.frontmatter);
    } catch (error) {
      expect.fail(`${file}: the frontmatter is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    const result = lessonSchema.safeParse(data);
    const problems = result.success ? [] : describeIssues(result.error, data).map((problem) => `${file}: frontmatter ${problem}`);
    expect(problems).toEqual([]);
  });

  it('names the language of every fenced code block', () => {
    const problems = parsed.fences
      .filter((fence) => !/^[\w+#.-]+/.test(fence.info))
      .map((fence) => `${file}:${fence.line}: a fenced code block without a language (write \`\`\`text for plain output)`);
    if (parsed.unclosed) problems.push(`${file}:${parsed.unclosed}: a fenced code block is never closed`);
    expect(problems).toEqual([]);
  });

  it('links only to pages that exist, with absolute site URLs', () => {
    const problems = targets(parsed)
      .filter(({ url, image }) => !image && !isExternal(url) && !url.startsWith('#') && !imageExtension.test(pathOf(url)))
      .flatMap(({ line, url }) => {
        if (!url.startsWith('/')) {
          return [`${file}:${line}: link ${url}: a relative link breaks on the site; use an absolute site URL with a trailing slash, such as /lessons/design/api-design/`];
        }
        const why = unresolved(url);
        return why ? [`${file}:${line}: link ${url}: ${why}`] : [];
      });
    expect(problems).toEqual([]);
  });

  it('uses only images and imports that exist beside it, none from other sites', () => {
    const problems: string[] = [];
    const here = dirname(lesson.absolute);
    for (const { line, path } of imports(parsed)) {
      if (!existsSync(resolve(here, path))) problems.push(`${file}:${line}: imports ${path}, which does not exist (looked for ${rel(resolve(here, path))})`);
    }
    for (const { line, url, image } of targets(parsed)) {
      if (isExternal(url)) {
        if (image) problems.push(`${file}:${line}: the image ${url} comes from another site; put it beside the lesson (diagrams/) and import it`);
        continue;
      }
      // Embedded images, and links to local image files, must point at a file that exists.
      if (!image && !imageExtension.test(pathOf(url))) continue;
      const path = url.startsWith('/') ? join(root, 'public', pathOf(url)) : resolve(here, pathOf(url));
      if (!existsSync(path)) problems.push(`${file}:${line}: the image ${url} does not exist (looked for ${rel(path)})`);
    }
    expect(problems).toEqual([]);
  });

  it('practises exercises that exist, and links each one in the text', () => {
    let listed: unknown = [];
    try {
      listed = (parseYaml(parsed.frontmatter ?? '') as { exercises?: unknown } | null)?.exercises ?? [];
    } catch {
      // Invalid YAML is reported by the frontmatter check.
    }
    const problems: string[] = [];
    const linked = new Set(targets(parsed).map(({ url }) => pathOf(url)));
    for (const id of Array.isArray(listed) ? listed : []) {
      if (typeof id !== 'string') continue;
      if (!exerciseIds.has(id)) {
        problems.push(`${file}: frontmatter lists exercise "${id}", but exercises/${id}/exercise.yaml does not exist`);
      } else if (!linked.has(`/exercises/${id}/`)) {
        problems.push(`${file}: frontmatter lists exercise "${id}", but the text never links to /exercises/${id}/`);
      }
    }
    expect(problems).toEqual([]);
  });

  it(`has at least ${minimumProseWords} words of prose`, () => {
    const words = proseWords(parsed);
    const problems = words < minimumProseWords ? [`${file}: ${words} word${words === 1 ? '' : 's'} of prose, fewer than the ${minimumProseWords} a lesson needs (code blocks and frontmatter do not count)`] : [];
    expect(problems).toEqual([]);
  });
});

describe('stages', () => {
  it.each(stageIds.map((stage) => [stage]))('%s has enough lessons and a quiz bank', (stage) => {
    const problems: string[] = [];
    const count = lessons.filter((lesson) => lesson.stage === stage).length;
    if (count < minimumLessonsPerStage) {
      problems.push(`lessons/${stageFolder(stage)}/: ${count} lesson${count === 1 ? '' : 's'}, fewer than the ${minimumLessonsPerStage} each stage needs`);
    }
    if (!hasQuiz(stage)) problems.push(`${quizFile(stage)} is missing: every stage needs a quiz bank`);
    expect(problems).toEqual([]);
  });

  it.each(stageIds.filter(hasQuiz).map((stage) => [stage]))('the %s quiz bank is valid and its questions point at lessons of the stage', (stage) => {
    const file = quizFile(stage);
    let data: unknown;
    try {
      data = parseYaml(readFileSync(join(root, file), 'utf8'));
    } catch (error) {
      expect.fail(`${file}: not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    const result = quizBankSchema.safeParse(data);
    if (!result.success) {
      expect(describeIssues(result.error, data).map((problem) => `${file}: ${problem}`)).toEqual([]);
      return;
    }
    const slugs = new Set(lessons.filter((lesson) => lesson.stage === stage).map((lesson) => lesson.slug));
    const problems = result.data.questions
      .filter((question) => !slugs.has(question.lesson))
      .map((question) => `${file}: question "${question.id}" names lesson "${question.lesson}", which is not a lesson of the ${stage} stage (${[...slugs].join(', ') || 'none yet'})`);
    expect(problems).toEqual([]);
  });
});

describe('exercises', () => {
  it('every exercise folder has a manifest with a known stage', () => {
    expect(exerciseFolders.flatMap((exercise) => (exercise.problem ? [exercise.problem] : []))).toEqual([]);
  });

  it('every exercise is practised by a lesson of its own stage', () => {
    const problems: string[] = [];
    for (const exercise of exerciseFolders) {
      if (!exercise.stage) continue;
      const practisedBy = lessons.filter((lesson) => {
        try {
          const data = parseYaml(parseMdx(lesson.source).frontmatter ?? '') as { exercises?: unknown } | null;
          return Array.isArray(data?.exercises) && data.exercises.includes(exercise.id);
        } catch {
          return false;
        }
      });
      if (!practisedBy.some((lesson) => lesson.stage === exercise.stage)) {
        const elsewhere = practisedBy.map((lesson) => lesson.file);
        problems.push(
          `exercises/${exercise.id}: no lesson of the ${exercise.stage} stage lists it in its exercises frontmatter` +
            (elsewhere.length > 0 ? ` (only ${elsewhere.join(', ')}, of other stages)` : '') +
            `; add it to a lesson in lessons/${stageFolder(exercise.stage)}/ and link /exercises/${exercise.id}/ from its text`,
        );
      }
    }
    expect(problems).toEqual([]);
  });
});
