import { describe, expect, it } from 'vitest';
import { type Report, reportSchema } from '../../graders/core/report.ts';
import { announcement, formatDuration, formatPoints, problemsOf, reasonInWords, relativeTime, renderAttemptsHtml, renderReportHtml, summaryLine } from '../../src/workbench/report-view.ts';

/** The report as the learner reads it: verdict, score, checks with hints and locations, errors in plain words. */

const failing: Report = reportSchema.parse({
  version: 1,
  exercise: 'design-schema',
  status: 'fail',
  checks: [
    { id: 'tables', title: 'The four tables exist', status: 'pass', points: 2, maxPoints: 2 },
    {
      id: 'email-unique',
      title: 'Two members cannot share an email',
      status: 'fail',
      points: 0,
      maxPoints: 3,
      message: 'A second member with <the same> email was saved.',
      hint: 'Which constraint makes a column\'s values distinct?',
      output: 'INSERT 0 1',
      location: { file: 'schema.sql', line: 14 },
    },
    { id: 'slow', title: 'Loans by member are fast', status: 'timeout', points: 0, maxPoints: 1, hint: 'An index.' },
  ],
  score: 2,
  maxScore: 6,
  durationMs: 420,
  graderVersion: '1.0.0',
});

function parse(html: string): { text: string; html: string } {
  return { html, text: html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() };
}

describe('renderReportHtml', () => {
  it('shows the verdict, the score, the duration and a summary line', () => {
    const { text } = parse(renderReportHtml(failing));
    expect(text).toContain('Not there yet');
    expect(text).toContain('2 / 6 points');
    expect(text).toContain('checked in 420 ms');
    expect(text).toContain('1 of 3 checks pass');
  });

  it('lists each check with its status in words, its points, message and output; failing checks first', () => {
    const { html, text } = parse(renderReportHtml(failing));
    const order = [...html.matchAll(/data-check-id="([^"]+)"/g)].map((match) => match[1]);
    expect(order).toEqual(['email-unique', 'slow', 'tables']);
    expect(text).toContain('Failed Two members cannot share an email 0 / 3 points');
    expect(text).toContain('Timed out Loans by member are fast 0 / 1 point');
    expect(text).toContain('Passed The four tables exist 2 / 2 points');
    expect(html).toContain('<pre class="check-output"');
    expect(text).toContain('INSERT 0 1');
  });

  it('escapes everything the grader (or the learner\'s program) wrote', () => {
    const { html } = parse(renderReportHtml(failing));
    expect(html).toContain('with &lt;the same&gt; email');
    expect(html).not.toContain('<the same>');
    const hostile = reportSchema.parse({ ...failing, checks: [{ id: 'x"y', title: '<img src=x onerror=alert(1)>', status: 'fail', points: 0, maxPoints: 1 }] });
    const rendered = renderReportHtml(hostile);
    expect(rendered).not.toContain('<img');
    expect(rendered).toContain('data-check-id="x&quot;y"');
  });

  it('puts hints behind a click, only on checks that did not pass', () => {
    const { html } = parse(renderReportHtml(failing));
    expect(html.match(/<details class="check-hint"><summary>Show a hint<\/summary>/g)).toHaveLength(2);
    expect(html).toContain('Which constraint makes a column&#39;s values distinct?');
    const passingWithHint = reportSchema.parse({ ...failing, checks: [{ ...failing.checks[0]!, hint: 'not shown' }] });
    expect(renderReportHtml(passingWithHint)).not.toContain('not shown');
  });

  it('gives a location button that names the file and line for the editor to jump to', () => {
    const { html } = parse(renderReportHtml(failing));
    expect(html).toContain('<button type="button" class="report-location" data-file="schema.sql" data-line="14" aria-label="Show schema.sql, line 14 in the editor">schema.sql, line 14</button>');
  });

  it('explains an error report in plain words, with the message, the output and where', () => {
    const error = reportSchema.parse({
      version: 1,
      exercise: 'design-schema',
      status: 'error',
      reason: 'syntax',
      message: 'syntax error at or near "TABEL"',
      location: { file: 'schema.sql', line: 3, column: 8 },
      output: 'ERROR:  syntax error at or near "TABEL"',
      checks: [],
      score: 0,
      maxScore: 6,
      durationMs: 80,
      graderVersion: '1.0.0',
    });
    const { html, text } = parse(renderReportHtml(error));
    expect(text).toContain('Could not be checked');
    expect(text).toContain(reasonInWords.syntax);
    // Said once, and no "0 / 6 points" when nothing was checked.
    expect(text.split(reasonInWords.syntax)).toHaveLength(2);
    expect(html).toContain('<span class="report-score">0 / 6 points</span>');
    expect(renderReportHtml({ ...error, maxScore: 0 })).not.toContain('report-score');
    expect(text).toContain('syntax error at or near &quot;TABEL&quot;');
    expect(html).toContain('data-line="3" data-column="8"');
    expect(html).toContain('<pre class="report-output"');
    expect(html).not.toContain('<ol class="checks"');
  });

  it('has a sentence for every error reason', () => {
    for (const reason of ['syntax', 'missing-file', 'crash', 'timeout', 'out-of-memory', 'output-limit', 'internal'] as const) {
      expect(reasonInWords[reason].length).toBeGreaterThan(20);
    }
  });
});

describe('summaryLine and announcement', () => {
  it('prefers the grader\'s own summary and still counts the checks', () => {
    expect(summaryLine({ ...failing, summary: 'caught 9 of 11 bugs' })).toBe('caught 9 of 11 bugs (1 of 3 checks pass)');
  });

  it('announces the verdict, the score and what is left, for screen readers', () => {
    expect(announcement(failing)).toBe('Check finished. Not there yet: 2 / 6 points. 2 checks need work.');
    const passed = { ...failing, status: 'pass' as const, score: 6, checks: failing.checks.map((check) => ({ ...check, status: 'pass' as const })) };
    expect(announcement(passed)).toBe('Check finished. All checks pass: 6 / 6 points.');
  });
});

describe('attempts', () => {
  it('lists attempts with time, verdict and score', () => {
    const now = Date.UTC(2026, 10, 28, 12, 0, 0);
    const html = renderAttemptsHtml([
      { at: now - 30_000, status: 'pass', score: 6, maxScore: 6, durationMs: 300 },
      { at: now - 5 * 60_000, status: 'fail', score: 2, maxScore: 6, durationMs: 300 },
    ], now);
    const { text } = parse(html);
    expect(text).toContain('just now ✓ All checks pass 6 / 6 points');
    expect(text).toContain('5 minutes ago ✗ Not there yet 2 / 6 points');
    expect(html).toContain('<th scope="col">When</th>');
  });

  it('says what to do when there are none', () => {
    expect(renderAttemptsHtml([])).toContain('No attempts yet');
  });
});

describe('formatting', () => {
  it('formats durations, points and relative times', () => {
    expect(formatDuration(42.4)).toBe('42 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatPoints(1, 1)).toBe('1 / 1 point');
    expect(formatPoints(2.5, 4)).toBe('2.5 / 4 points');
    expect(relativeTime(1_000, 1_000 + 2 * 3_600_000)).toBe('2 hours ago');
  });
});

describe('problemsOf (marks in the editor)', () => {
  it('marks failed checks as errors and checks that could not run as warnings, where they have a line', () => {
    const report = reportSchema.parse({
      ...failing,
      checks: [...failing.checks, { id: 'idx', title: 'Index', status: 'timeout', points: 0, maxPoints: 1, location: { file: 'schema.sql', line: 40, column: 3 } }],
    });
    expect(problemsOf(report)).toEqual([
      { path: 'schema.sql', line: 14, message: 'Two members cannot share an email: A second member with <the same> email was saved.', severity: 'error' },
      { path: 'schema.sql', line: 40, column: 3, message: 'Index', severity: 'warning' },
    ]);
  });

  it('marks a syntax error where it is', () => {
    const error = reportSchema.parse({
      version: 1, exercise: 'design-schema', status: 'error', reason: 'syntax', message: 'syntax error at or near "TABEL"',
      location: { file: 'schema.sql', line: 3, column: 8 }, checks: [], score: 0, maxScore: 6, durationMs: 1, graderVersion: '1',
    });
    expect(problemsOf(error)).toEqual([{ path: 'schema.sql', line: 3, column: 8, message: 'syntax error at or near "TABEL"', severity: 'error' }]);
  });
});
