import type { z } from 'zod';

/**
 * Turns a zod error into lines a course author can act on: the file, the field path, what was
 * expected and what was found. Starlight's `utils/error-map.ts` is the model.
 */
export function describeIssues(error: z.ZodError, data?: unknown): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
    return `${field}: ${explainIssue(issue, valueAt(data, issue.path))}`;
  });
}

/** The value found at an issue's path in the parsed data (zod 4 does not keep it by default). */
function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function explainIssue(issue: z.core.$ZodIssue, received: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      return received === undefined
        ? `required, expected ${issue.expected}`
        : `expected ${issue.expected}, received ${describeValue(received)}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')} (check the spelling)`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${String(issue.minimum)} character${issue.minimum === 1 ? '' : 's'} long`
        : issue.origin === 'array'
          ? `must list at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`
          : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${String(issue.maximum)} characters long`
        : `must be at most ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** An author-facing error about one content file. */
export class ContentError extends Error {
  readonly file: string;
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(`${file} is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.file = file;
    this.problems = problems;
    this.name = 'ContentError';
  }
}

/** Parses `data` with `schema`, or throws a ContentError naming `file` and every bad field. */
export function parseContent<T extends z.ZodType>(schema: T, data: unknown, file: string): z.infer<T> {
  const result = schema.safeParse(data);
  if (!result.success) throw new ContentError(file, describeIssues(result.error, data));
  return result.data;
}
