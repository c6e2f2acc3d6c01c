import { describe, expect, it } from 'vitest';
import { mdxToMarkdown, workflowYaml } from '../../graders/cli/assignment.ts';
import { colours, formatReport, plain, styleFor } from '../../graders/cli/format-human.ts';
import { annotations, classroomPoints, jobSummary } from '../../graders/cli/github.ts';
import { toJunit } from '../../graders/cli/junit.ts';
import type { Report } from '../../graders/core/report.ts';
import { parse as parseYaml } from 'yaml';

const report: Report = {
  version: 1,
  exercise: 'design-schema',
  status: 'fail',
  summary: '1 of 3 rules broken',
  checks: [
    { id: 'tables', title: 'The four tables exist', status: 'pass', points: 4, maxPoints: 4 },
    {
      id: 'isbn-digits',
      title: 'An ISBN is exactly 13 digits',
      status: 'fail',
      points: 0,
      maxPoints: 3,
      message: 'A 12-digit ISBN was accepted: <978123456789>',
      hint: 'What should PostgreSQL refuse?',
      location: { file: 'schema.sql', line: 12 },
    },
    { id: 'slow', title: 'Loans list "fast", 100%', status: 'timeout', points: 0, maxPoints: 2, message: 'No answer within 2 s', hint: 'Look for a loop.' },
  ],
  score: 4,
  maxScore: 9,
  durationMs: 184,
  graderVersion: 'sql-schema@1.0.0',
};

describe('human output', () => {
  it('shows each check with a mark, points, message, hint and location, then the score', () => {
    const text = formatReport(report, "Design Shelf's database", plain);
    expect(text).toContain('✔ The four tables exist (4/4)');
    expect(text).toContain('✘ An ISBN is exactly 13 digits (0/3)');
    expect(text).toContain('Hint: What should PostgreSQL refuse?');
    expect(text).toContain('at schema.sql:12');
    expect(text).toMatch(/FAIL {2}score 4\/9 · 1 of 3 checks passed · 184 ms/);
    expect(text).not.toContain('\u001b[');
  });

  it('uses colour only on a terminal, and never with NO_COLOR', () => {
    expect(styleFor({ isTTY: true }, {})).toBe(colours);
    expect(styleFor({ isTTY: false }, {})).toBe(plain);
    expect(styleFor({ isTTY: true }, { NO_COLOR: '1' })).toBe(plain);
  });

  it('says why an error report could not be graded', () => {
    const error: Report = { ...report, status: 'error', reason: 'syntax', message: 'syntax error at or near "TABEL"', location: { file: 'schema.sql', line: 3 }, checks: [], score: 0, maxScore: 0 };
    const text = formatReport(error, 'x', plain);
    expect(text).toContain('Could not grade: the file does not parse or run.');
    expect(text).toContain('at schema.sql:3');
    expect(text).toContain('ERROR');
  });
});

describe('JUnit XML', () => {
  it('has one testcase per check, with failures and errors, escaped', () => {
    const xml = toJunit(report, "Design Shelf's database");
    expect(xml).toMatch(/<testsuite name="design-schema: Design Shelf's database" tests="3" failures="1" errors="1" skipped="0" time="0.184">/);
    expect(xml).toContain('<failure message="A 12-digit ISBN was accepted: &lt;978123456789&gt;">');
    expect(xml).toContain('<error type="timeout"');
    expect(xml).toContain('name="Loans list &quot;fast&quot;, 100% (0/2)"');
  });
});

describe('GitHub Actions output', () => {
  it('annotates failing checks with file and line, escaping workflow-command characters', () => {
    const lines = annotations(report, 'submission/');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('::error file=submission/schema.sql,line=12,title=An ISBN is exactly 13 digits::A 12-digit ISBN was accepted: <978123456789>%0AHint: What should PostgreSQL refuse?');
    expect(lines[1]).toContain('title=Loans list "fast"%2C 100%25::');
  });

  it('writes a job summary table and the Classroom points line', () => {
    expect(jobSummary(report, 'Design')).toContain('| ❌ | An ISBN is exactly 13 digits | 0/3 | A 12-digit ISBN was accepted: <978123456789> |');
    expect(classroomPoints(report)).toBe('Points 4/9');
  });
});

describe('assignment', () => {
  it('writes a workflow that installs the pinned grader outside the submission and grades every push', () => {
    const workflow = parseYaml(workflowYaml('build-api', 'backend-workflow@1.2.3'));
    expect(Object.keys(workflow.on)).toEqual(['push', 'pull_request', 'workflow_dispatch']);
    const steps = workflow.jobs.grade.steps as { run?: string }[];
    expect(steps.some((step) => step.run?.includes('npm install --prefix "$RUNNER_TEMP/grader" --no-audit --no-fund "backend-workflow@1.2.3"'))).toBe(true);
    expect(steps.some((step) => step.run?.includes('backend-workflow" grade build-api . --github --junit grade-results.xml'))).toBe(true);
  });

  it('turns the brief into Markdown', () => {
    expect(mdxToMarkdown("import X from './x';\n\n## Brief\n{/* note */}\nText")).toBe('## Brief\n\nText');
  });
});
