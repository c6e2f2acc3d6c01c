import type { CheckResult, CheckStatus, ErrorReason, Report, RunStatus } from '../../graders/core/report.ts';
import type { EditorProblem } from './editor-api.ts';

/**
 * A grading report as HTML: the run's verdict, score and duration, then one item per check with
 * its status, points, message, output, a hint behind a click and a button that jumps the editor
 * to the check's location. Pure string building (every value escaped), so it is unit-tested
 * without a DOM and costs the page no framework.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/** Why a submission could not be judged, in words a learner understands, with what to do next. */
export const reasonInWords: Record<ErrorReason, string> = {
  syntax: 'Your code could not be read: it has a syntax error. Fix it and check again.',
  'missing-file': 'A file the grader needs is missing. Make sure every required file exists and is not renamed.',
  crash: 'Your program crashed (or stopped) before it could be checked. Its output below usually says why.',
  timeout: 'Your program took too long and was stopped. Look for a loop that never ends or a server that never starts listening.',
  'out-of-memory': 'Your program used too much memory and was stopped.',
  'output-limit': 'Your program printed too much output and was stopped. Look for a print inside a loop.',
  internal: 'The grader itself failed: this is not your fault. Check again; if it keeps happening, please report it.',
};

const checkStatusWords: Record<CheckStatus, string> = {
  pass: 'Passed',
  fail: 'Failed',
  error: 'Could not run',
  timeout: 'Timed out',
  skipped: 'Skipped',
};

/** Glyphs beside the words (never instead of them): status is never shown by colour alone. */
const checkStatusIcons: Record<CheckStatus, string> = {
  pass: '✓',
  fail: '✗',
  error: '!',
  timeout: '⏱',
  skipped: '–',
};

export const runStatusWords: Record<RunStatus, string> = {
  pass: 'All checks pass',
  fail: 'Not there yet',
  error: 'Could not be checked',
};

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatPoints(points: number, maxPoints: number): string {
  const round = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
  return `${round(points)} / ${round(maxPoints)} ${maxPoints === 1 ? 'point' : 'points'}`;
}

/** "3 of 5 checks pass" (or the grader's own summary, which says more). */
export function summaryLine(report: Report): string {
  const passed = report.checks.filter((check) => check.status === 'pass').length;
  const counted = `${passed} of ${report.checks.length} ${report.checks.length === 1 ? 'check passes' : 'checks pass'}`;
  if (report.status === 'error') return report.summary ?? reasonInWords[report.reason ?? 'internal'];
  return report.summary ? `${report.summary} (${counted})` : counted;
}

/** A sentence for screen readers when a check finishes. */
export function announcement(report: Report): string {
  const verdict = runStatusWords[report.status];
  const failing = report.checks.filter((check) => check.status !== 'pass' && check.status !== 'skipped').length;
  const detail = report.status === 'error' ? reasonInWords[report.reason ?? 'internal'] : failing > 0 ? `${failing} ${failing === 1 ? 'check needs' : 'checks need'} work.` : '';
  return `Check finished. ${verdict}: ${formatPoints(report.score, report.maxScore)}. ${detail}`.trim();
}

function locationButton(location: { file: string; line?: number | undefined; column?: number | undefined }): string {
  const where = location.line ? `${location.file}, line ${location.line}` : location.file;
  return (
    `<button type="button" class="report-location" data-file="${escapeHtml(location.file)}"` +
    (location.line ? ` data-line="${location.line}"` : '') +
    (location.column ? ` data-column="${location.column}"` : '') +
    ` aria-label="Show ${escapeHtml(where)} in the editor">${escapeHtml(where)}</button>`
  );
}

function renderCheck(check: CheckResult): string {
  const parts = [
    `<li class="check" data-status="${check.status}" data-check-id="${escapeHtml(check.id)}">`,
    '<div class="check-line">',
    `<span class="check-icon" aria-hidden="true">${checkStatusIcons[check.status]}</span>`,
    `<span class="check-status">${checkStatusWords[check.status]}</span>`,
    `<span class="check-title">${escapeHtml(check.title)}</span>`,
    `<span class="check-points">${formatPoints(check.points, check.maxPoints)}</span>`,
    '</div>',
  ];
  if (check.message) parts.push(`<p class="check-message">${escapeHtml(check.message)}</p>`);
  if (check.output) parts.push(`<pre class="check-output" tabindex="0" aria-label="Output of this check"><code>${escapeHtml(check.output)}</code></pre>`);
  if (check.location) parts.push(`<p class="check-where">Where: ${locationButton(check.location)}</p>`);
  if (check.hint && check.status !== 'pass') {
    parts.push(`<details class="check-hint"><summary>Show a hint</summary><p>${escapeHtml(check.hint)}</p></details>`);
  }
  parts.push('</li>');
  return parts.join('');
}

/** The whole report. `headingLevel` fits it under the panel's own heading. */
export function renderReportHtml(report: Report, options: { headingLevel?: 2 | 3 | 4 } = {}): string {
  const h = `h${options.headingLevel ?? 3}`;
  const parts = [
    `<article class="report" data-status="${report.status}" aria-labelledby="report-verdict">`,
    '<header class="report-head">',
    `<${h} class="report-verdict" id="report-verdict"><span class="report-icon" aria-hidden="true">${report.status === 'pass' ? '✓' : report.status === 'fail' ? '✗' : '!'}</span> ${runStatusWords[report.status]}</${h}>`,
    '<p class="report-figures">',
    // An error with nothing checked has no score to speak of.
    report.maxScore > 0 || report.checks.length > 0 ? `<span class="report-score">${formatPoints(report.score, report.maxScore)}</span>` : '',
    `<span class="report-duration">checked in ${formatDuration(report.durationMs)}</span>`,
    report.seed !== undefined ? `<span class="report-seed">seed ${report.seed}</span>` : '',
    '</p>',
    // For an error the reason below says it all, unless the grader wrote its own summary.
    report.status !== 'error' || report.summary ? `<p class="report-summary">${escapeHtml(summaryLine(report))}</p>` : '',
    '</header>',
  ];
  if (report.status === 'error') {
    parts.push('<div class="report-error">');
    parts.push(`<p class="report-reason">${escapeHtml(reasonInWords[report.reason ?? 'internal'])}</p>`);
    if (report.message) parts.push(`<p class="report-message">${escapeHtml(report.message)}</p>`);
    if (report.location) parts.push(`<p class="check-where">Where: ${locationButton(report.location)}</p>`);
    if (report.output) parts.push(`<pre class="report-output" tabindex="0" aria-label="What your program printed"><code>${escapeHtml(report.output)}</code></pre>`);
    parts.push('</div>');
  } else if (report.message) {
    parts.push(`<p class="report-message">${escapeHtml(report.message)}</p>`);
  }
  if (report.checks.length > 0) {
    // Failing checks first: that is where the learner's attention goes; passing ones stay visible below.
    const order: Record<CheckStatus, number> = { error: 0, timeout: 0, fail: 0, skipped: 1, pass: 2 };
    const sorted = report.checks.map((check, index) => ({ check, index })).sort((a, b) => order[a.check.status] - order[b.check.status] || a.index - b.index);
    parts.push(`<ol class="checks" aria-label="Checks">${sorted.map(({ check }) => renderCheck(check)).join('')}</ol>`);
  }
  parts.push('</article>');
  return parts.join('');
}

export interface AttemptSummary {
  at: number;
  status: RunStatus;
  score: number;
  maxScore: number;
  durationMs: number;
}

/** Previous attempts as a table: when, verdict, score. Times in the learner's own locale. */
export function renderAttemptsHtml(attempts: readonly AttemptSummary[], now = Date.now()): string {
  if (attempts.length === 0) return '<p class="muted">No attempts yet. Press <kbd>Check</kbd> to grade your work; every attempt is listed here.</p>';
  const rows = attempts.map((attempt) => {
    const when = new Date(attempt.at);
    return (
      '<tr>' +
      `<td><time datetime="${when.toISOString()}">${escapeHtml(relativeTime(attempt.at, now))}</time></td>` +
      `<td data-status="${attempt.status}"><span aria-hidden="true">${attempt.status === 'pass' ? '✓' : attempt.status === 'fail' ? '✗' : '!'}</span> ${runStatusWords[attempt.status]}</td>` +
      `<td>${formatPoints(attempt.score, attempt.maxScore)}</td>` +
      '</tr>'
    );
  });
  return `<table class="attempts"><caption class="visually-hidden">Previous attempts, newest first</caption><thead><tr><th scope="col">When</th><th scope="col">Result</th><th scope="col">Score</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** "just now", "5 minutes ago", "yesterday at 14:05", or a date. */
export function relativeTime(at: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} ${hours === 1 ? 'hour' : 'hours'} ago`;
  return new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The located problems of a report, for squiggles in the editor: failed checks, and a run-level error. */
export function problemsOf(report: Report): EditorProblem[] {
  const problems: EditorProblem[] = [];
  if (report.status === 'error' && report.location?.line) {
    problems.push({ path: report.location.file, line: report.location.line, ...(report.location.column ? { column: report.location.column } : {}), message: report.message ?? 'The grader could not run this file.', severity: 'error' });
  }
  for (const check of report.checks) {
    if (check.status === 'pass' || check.status === 'skipped' || !check.location?.line) continue;
    problems.push({
      path: check.location.file,
      line: check.location.line,
      ...(check.location.column ? { column: check.location.column } : {}),
      message: `${check.title}${check.message ? `: ${check.message}` : ''}`,
      severity: check.status === 'fail' ? 'error' : 'warning',
    });
  }
  return problems;
}
