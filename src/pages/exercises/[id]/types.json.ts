import type { APIRoute, GetStaticPaths } from 'astro';
import { getCollection } from 'astro:content';
import { join } from 'node:path';
import { readFolder } from '../../../../graders/core/exercises.ts';
import { packageDeclarations } from '../../../workbench/learner-types.ts';

/**
 * What the editor needs to know about types for this exercise: whether its code runs on Node
 * (then Node's declarations are loaded, from one shared file) and declarations for the packages
 * it imports. Fetched by the editor only when a JavaScript file is open.
 */
export const getStaticPaths = (async () => {
  const exercises = await getCollection('exercises');
  return exercises.map((exercise) => ({ params: { id: exercise.id } }));
}) satisfies GetStaticPaths;

const isScript = (path: string) => /\.(c|m)?(j|t)s$/.test(path);

export const GET: APIRoute = ({ params }) => {
  const starter = readFolder(join('exercises', params.id!, 'starter'));
  const scripts = [...starter.entries()].filter(([path]) => isScript(path));
  // Node's own declarations are one file shared by every exercise (see node-types-bundle.ts);
  // here, whether this exercise needs them, and the packages its code imports.
  const node = scripts.length > 0 || starter.has('package.json');
  const libs: { path: string; text: string }[] = [];
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
  return new Response(JSON.stringify({ exercise: params.id, node, libs }), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
};
