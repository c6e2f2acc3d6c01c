import { existsSync, readdirSync, statSync } from 'node:fs';

/** A folder the CLI was asked to write into already holds something, and --force was not given. */
export class FolderNotEmptyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FolderNotEmptyError';
  }
}

/** Refuses to write into a file, or into a folder that is not empty unless `force` is set. */
export function assertWritableFolder(dir: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new FolderNotEmptyError(`${dir} is a file, not a folder. Choose a folder.`);
  if (!force && readdirSync(dir).length > 0) {
    throw new FolderNotEmptyError(`${dir} is not an empty folder. Choose another, or pass --force to write the files into it.`);
  }
}
