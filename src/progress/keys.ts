/** Where progress is stored. Kept apart from the schema so tiny page scripts need not load zod. */
export const PROGRESS_KEY = 'backend-workflow:progress';
export const PROGRESS_VERSION = 1;
