import type { APIRoute, GetStaticPaths } from 'astro';
import { getCollection } from 'astro:content';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { readFolder } from '../../../../graders/core/exercises.ts';
import { packageDeclarations } from '../../../workbench/learner-types.ts';

/**
 * Type declarations for the editor, so completion in the learner's JavaScript knows Node's API
 * (`node:http`, `node:test`, `node:assert`…) and the packages the exercise imports. Empty for
 * exercises without JavaScript. Fetched by the editor only when a JavaScript file is open.
 */
export const getStaticPaths = (async () => {
  const exercises = await getCollection('exercises');
  return exercises.map((exercise) => ({ params: { id: exercise.id } }));
}) satisfies GetStaticPaths;

const isScript = (path: string) => /\.(c|m)?(j|t)s$/.test(path);

/** Every .d.ts under a package folder, with paths as `node_modules/<package>/...`. */
function declarationsOf(packageName: string, skip: (path: string) => boolean): { path: string; text: string }[] {
  const root = join('node_modules', packageName);
  if (!existsSync(root)) return [];
  const found: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative('.', full).split(sep).join('/');
      if (skip(path)) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.d.ts')) found.push({ path, text: readFileSync(full, 'utf8') });
    }
  };
  walk(root);
  const manifest = join(root, 'package.json');
  if (existsSync(manifest)) found.push({ path: `node_modules/${packageName}/package.json`, text: readFileSync(manifest, 'utf8') });
  return found;
}

export const GET: APIRoute = ({ params }) => {
  const starter = readFolder(join('exercises', params.id!, 'starter'));
  const scripts = [...starter.entries()].filter(([path]) => isScript(path));
  const libs: { path: string; text: string }[] = [];
  if (scripts.length > 0 || starter.has('package.json')) {
    // Node's own API. The inspector protocol (a fifth of the size) and the declarations for
    // older TypeScript versions are of no use here.
    libs.push(...declarationsOf('@types/node', (path) => /\/ts5\.\d+(\/|$)|\/inspector/.test(path)));
    libs.push(...declarationsOf('undici-types', () => false));
    const imported = new Set<string>();
    for (const [, text] of scripts) {
      for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
        const name = match[1]!.startsWith('@') ? match[1]!.split('/').slice(0, 2).join('/') : match[1]!.split('/')[0]!;
        if (!name.startsWith('node:')) imported.add(name);
      }
    }
    for (const name of [...imported].sort()) {
      const declaration = packageDeclarations[name];
      // A package we have no declarations for is still importable, as `any`, without a red squiggle.
      libs.push({ path: `node_modules/@types/${name}/index.d.ts`, text: declaration ?? `declare module '${name}';\n` });
    }
  }
  return new Response(JSON.stringify({ exercise: params.id, libs }), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
};
