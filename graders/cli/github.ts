import type { Report } from '../core/report.ts';
import { reasonText } from './format-human.ts';

/**
 * GitHub Actions output: file/line annotations through workflow commands, a Markdown job
 * summary, and the `Points X/Y` line that GitHub Classroom's autograding reads.
 */

// Workflow command values must escape %, CR and LF; properties also , and :.
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function annotations(report: Report, submissionPrefix = ''): string[] {
  const lines: string[] = [];
  for (const check of report.checks) {
    if (check.status === 'pass' || check.status === 'skipped') continue;
    const where = check.location
      ? `file=${escapeProperty(submissionPrefix + check.location.file)}${check.location.line ? `,line=${check.location.line}` : ''},`
      : '';
    const text = [check.message, check.hint ? `Hint: ${check.hint}` : ''].filter(Boolean).join('\n');
    lines.push(`::error ${where}title=${escapeProperty(check.title)}::${escapeData(text)}`);
  }
  if (report.status === 'error') {
    const where = report.location ? `file=${escapeProperty(submissionPrefix + report.location.file)}${report.location.line ? `,line=${report.location.line}` : ''},` : '';
    lines.push(`::error ${where}title=${escapeProperty(`Could not grade: ${report.reason ? reasonText[report.reason] : 'error'}`)}::${escapeData(report.message ?? '')}`);
  }
  return lines;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function jobSummary(report: Report, title: string): string {
  const icon = { pass: '✅', fail: '❌', error: '⚠️', timeout: '⏱️', skipped: '➖' } as const;
  const lines = [
    `## ${icon[report.status]} ${title}: ${report.score}/${report.maxScore} points`,
    '',
    report.status === 'error' ? `**Could not grade: ${report.reason ? reasonText[report.reason] : 'error'}.** ${report.message ?? ''}` : report.summary ?? '',
    '',
    '| | Check | Points | What was observed |',
    '| --- | --- | --- | --- |',
    ...report.checks.map((check) => `| ${icon[check.status]} | ${cell(check.title)} | ${check.points}/${check.maxPoints} | ${cell(check.message ?? '')} |`),
    '',
    `Graded by ${report.graderVersion} in ${report.durationMs} ms${report.seed !== undefined ? ` (seed ${report.seed})` : ''}.`,
    '',
  ];
  return lines.join('\n');
}

export const classroomPoints = (report: Report) => `Points ${report.score}/${report.maxScore}`;
