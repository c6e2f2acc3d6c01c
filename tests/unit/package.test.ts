import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The published package works where instructors use it: `npm pack`, install the tarball in an
 * empty folder, and grade an exercise there with compiled JavaScript (Node does not strip types
 * under node_modules).
 */

const scratch = mkdtempSync(join(tmpdir(), 'bw-pack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false' } });
  return { code: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('the packed package', () => {
  it('installs from its tarball and grades an exercise with the compiled CLI', () => {
    const packed = run('npm', ['pack', '--pack-destination', scratch, '--silent'], process.cwd());
    expect(packed.code, packed.output).toBe(0);
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'))!;
    expect(tarball).toMatch(/^backend-workflow-\d+\.\d+\.\d+\.tgz$/);

    const contents = run('tar', ['-tzf', join(scratch, tarball)], scratch);
    expect(contents.output).toContain('package/lib/graders/cli.js');
    expect(contents.output).toContain('package/lib/exercises/write-dockerfile/grader.js');
    expect(contents.output).toContain('package/exercises/write-dockerfile/starter/Dockerfile');
    expect(contents.output).not.toContain('/fixtures/');

    const project = join(scratch, 'project');
    cpSync(join(process.cwd(), 'exercises/write-dockerfile/starter'), join(project, 'submission'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{"name":"bootcamp-grading","private":true}');
    const installed = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, tarball)], project);
    expect(installed.code, installed.output).toBe(0);

    const bin = join(project, 'node_modules', 'backend-workflow', 'bin', 'backend-workflow.js');
    const graded = run(process.execPath, [bin, 'grade', 'write-dockerfile', 'submission', '--json'], project);
    expect(graded.code, graded.output).toBe(1); // the starter fails, as it should
    const report = JSON.parse(graded.output.slice(0, graded.output.lastIndexOf('}') + 1));
    expect(report.status).toBe('fail');
    expect(report.graderVersion).toMatch(/^dockerfile@/);

    // The PGlite worker thread is a sibling module: it must load as compiled JavaScript too.
    cpSync(join(process.cwd(), 'exercises/design-schema/starter'), join(project, 'schema'), { recursive: true });
    cpSync(join(process.cwd(), 'exercises/design-schema/solution'), join(project, 'schema'), { recursive: true });
    const schema = run(process.execPath, [bin, 'grade', 'design-schema', 'schema', '--json'], project);
    expect(schema.code, schema.output).toBe(0);
    const schemaReport = JSON.parse(schema.output.slice(0, schema.output.lastIndexOf('}') + 1));
    expect(schemaReport.status).toBe('pass');
    expect(schemaReport.graderVersion).toMatch(/^sql-schema@/);
  }, 240_000);
});
