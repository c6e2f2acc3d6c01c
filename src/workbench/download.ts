import { strToU8, zipSync } from 'fflate';

/**
 * The workspace as a zip, inside a folder named after the exercise, so it unpacks into something
 * `npx backend-workflow grade <exercise>` can grade. Loaded only when the learner asks for it.
 */
export function zipWorkspace(exerciseId: string, files: Readonly<Record<string, string>>, now = new Date()): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const [path, text] of Object.entries(files)) entries[`${exerciseId}/${path}`] = [strToU8(text), { mtime: now }];
  return zipSync(entries, { level: 6 });
}

export function downloadWorkspace(exerciseId: string, files: Readonly<Record<string, string>>): void {
  const bytes = zipWorkspace(exerciseId, files);
  const url = URL.createObjectURL(new Blob([bytes.slice().buffer], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${exerciseId}.zip`;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by now; the object URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
