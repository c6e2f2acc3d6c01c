import type { Report } from '../core/report.ts';

/** JUnit XML, which every CI service can display: one testcase per check. */

const escapeXml = (text: string) =>
  text
    // Characters XML 1.0 cannot hold at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export function toJunit(report: Report, title: string): string {
  const seconds = (report.durationMs / 1000).toFixed(3);
  const cases = report.checks.map((check) => {
    const name = `${escapeXml(check.title)} (${check.points}/${check.maxPoints})`;
    const open = `    <testcase classname="${escapeXml(report.exercise)}" name="${name}" id="${escapeXml(check.id)}">`;
    const body = [check.message, check.output, check.hint ? `Hint: ${check.hint}` : undefined, check.location ? `at ${check.location.file}${check.location.line ? `:${check.location.line}` : ''}` : undefined]
      .filter(Boolean)
      .join('\n');
    switch (check.status) {
      case 'pass':
        return `${open}</testcase>`;
      case 'skipped':
        return `${open}\n      <skipped message="${escapeXml(check.message ?? 'skipped')}"/>\n    </testcase>`;
      case 'fail':
        return `${open}\n      <failure message="${escapeXml(check.message ?? 'failed')}">${escapeXml(body)}</failure>\n    </testcase>`;
      default:
        return `${open}\n      <error type="${check.status}" message="${escapeXml(check.message ?? check.status)}">${escapeXml(body)}</error>\n    </testcase>`;
    }
  });
  if (report.status === 'error') {
    cases.push(
      `    <testcase classname="${escapeXml(report.exercise)}" name="grade">\n      <error type="${report.reason}" message="${escapeXml(report.message ?? 'could not grade')}">${escapeXml(report.output ?? '')}</error>\n    </testcase>`,
    );
  }
  const count = (status: string) => report.checks.filter((check) => check.status === status).length;
  const errors = report.checks.length - count('pass') - count('fail') - count('skipped') + (report.status === 'error' ? 1 : 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="backend-workflow" tests="${cases.length}" failures="${count('fail')}" errors="${errors}" time="${seconds}">`,
    `  <testsuite name="${escapeXml(`${report.exercise}: ${title}`)}" tests="${cases.length}" failures="${count('fail')}" errors="${errors}" skipped="${count('skipped')}" time="${seconds}">`,
    `    <properties><property name="score" value="${report.score}"/><property name="maxScore" value="${report.maxScore}"/><property name="status" value="${report.status}"/></properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
