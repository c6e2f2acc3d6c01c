import type { CheckResult, ErrorReason, Report } from '../core/report.ts';

/** Plain-text rendering of a report for a terminal; colour only when asked for. */

export interface Style {
  ok(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
export const colours: Style = { ok: ansi(32, 39), bad: ansi(31, 39), warn: ansi(33, 39), dim: ansi(2, 22), bold: ansi(1, 22) };
export const plain: Style = { ok: (t) => t, bad: (t) => t, warn: (t) => t, dim: (t) => t, bold: (t) => t };

/** Colour on a terminal only, and never when NO_COLOR is set (no-color.org). */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Style {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return plain;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return colours;
  return stream.isTTY ? colours : plain;
}

const marks: Record<CheckResult['status'], string> = { pass: '✔', fail: '✘', error: '!', timeout: '⏱', skipped: '–' };

export const reasonText: Record<ErrorReason, string> = {
  // Also a file PostgreSQL refuses while running it (a table used before it exists), not only a parse error.
  syntax: 'the file does not parse or run',
  'missing-file': 'a required file is missing',
  crash: 'the program crashed',
  timeout: 'it ran out of time',
  'out-of-memory': 'it ran out of memory',
  'output-limit': 'it printed too much output',
  internal: 'the grader itself failed (not your fault)',
};

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

export function formatReport(report: Report, title: string, style: Style): string {
  const lines: string[] = [style.bold(`${report.exercise} · ${title}`), ''];
  for (const check of report.checks) {
    const mark = check.status === 'pass' ? style.ok(marks.pass) : check.status === 'skipped' ? style.dim(marks.skipped) : check.status === 'fail' ? style.bad(marks.fail) : style.warn(marks[check.status]);
    const points = `${check.points}/${check.maxPoints}`;
    lines.push(`${mark} ${check.title} ${style.dim(`(${points})`)}`);
    if (check.status !== 'pass') {
      if (check.message) lines.push(indent(check.message, '    '));
      if (check.output) lines.push(style.dim(indent(check.output, '    │ ')));
      if (check.hint) lines.push(indent(`Hint: ${check.hint}`, '    '));
      if (check.location) lines.push(style.dim(`    at ${check.location.file}${check.location.line ? `:${check.location.line}` : ''}`));
    }
  }
  if (report.status === 'error') {
    lines.push(style.bad(`Could not grade: ${report.reason ? reasonText[report.reason] : 'error'}.`));
    if (report.message) lines.push(report.message);
    if (report.location) lines.push(style.dim(`at ${report.location.file}${report.location.line ? `:${report.location.line}` : ''}`));
    if (report.output) lines.push(style.dim(indent(report.output, '│ ')));
  } else if (report.message) {
    lines.push(report.message);
  }
  lines.push('');
  if (report.summary) lines.push(report.summary);
  const verdict = report.status === 'pass' ? style.ok('PASS') : report.status === 'fail' ? style.bad('FAIL') : style.warn('ERROR');
  const passed = report.checks.filter((check) => check.status === 'pass').length;
  lines.push(
    `${verdict}  score ${style.bold(`${report.score}/${report.maxScore}`)} · ${passed} of ${report.checks.length} checks passed · ${report.durationMs} ms` +
      (report.seed !== undefined ? style.dim(` · seed ${report.seed}`) : ''),
  );
  return lines.join('\n');
}
