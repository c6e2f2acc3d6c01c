import type { APIRoute, GetStaticPaths } from 'astro';
import { getCollection } from 'astro:content';
import { join } from 'node:path';
import { readFolder } from '../../../../graders/core/exercises.ts';

/**
 * The reference solution as the learner's files would be, for "Compare with solution": the
 * solution folder laid over the starter (it holds only what changes), without read-only files.
 * A static file; the workbench fetches it only after an attempt and a confirmation.
 */
export const getStaticPaths = (async () => {
  const exercises = await getCollection('exercises');
  return exercises.map((exercise) => ({
    params: { id: exercise.id },
    props: { editable: exercise.data.files.editable, readonly: exercise.data.files.readonly },
  }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = ({ params, props }) => {
  const { editable, readonly } = props as { editable: string[]; readonly: string[] };
  const starter = readFolder(join('exercises', params.id!, 'starter'));
  const solution = readFolder(join('exercises', params.id!, 'solution'));
  const files: Record<string, string> = {};
  for (const path of editable) {
    const text = solution.get(path) ?? starter.get(path);
    if (text !== undefined) files[path] = text;
  }
  for (const [path, text] of solution) {
    if (!readonly.includes(path)) files[path] = text;
  }
  return new Response(JSON.stringify({ exercise: params.id, files }), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
};
