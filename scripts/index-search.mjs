// Builds the offline full-text index of lessons and exercises with Pagefind, after `astro build`.
// Only elements marked `data-pagefind-body` (lesson and exercise content) are indexed.
import * as pagefind from 'pagefind';

const site = `${process.env.BW_OUT_DIR ?? 'dist'}/client`;
const { index, errors } = await pagefind.createIndex({});
if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
const added = await index.addDirectory({ path: site });
if (added.errors.length > 0) throw new Error(`Pagefind could not index ${site}: ${added.errors.join('; ')}`);
const written = await index.writeFiles({ outputPath: `${site}/pagefind` });
if (written.errors.length > 0) throw new Error(`Pagefind could not write its index: ${written.errors.join('; ')}`);
await pagefind.close();
console.log(`search index: ${added.page_count} pages indexed into ${site}/pagefind`);
