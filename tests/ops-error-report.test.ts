/**
 * Error reports: a failed run writes target/errors/<run_id>.md, a markdown table of its failures
 * with their messages and compiled SQL paths; secrets are masked; a clean run writes none. On
 * DuckDB and Postgres through the CLI, plus the markdown itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorReportMarkdown, redactJson, registerSecret } from '@tform/core';
import { runCli } from './helpers/cli.js';
import { cleanupProjects } from './helpers/fixture.js';
import { duckdbWarehouse, onPostgres, opsProject, runResults, type OpsWarehouse } from './helpers/ops.js';

afterAll(cleanupProjects);

const SECRET = 'pw-1a2b3c4d5e';

function suite(get: () => OpsWarehouse) {
  it('a failed build writes target/errors/<run_id>.md with its failures, messages and compiled SQL', async () => {
    const { dir, name } = opsProject(get(), {
      'models/good.sql': 'select 1 as id',
      'models/broken.sql': 'select * from table_that_is_not_there',
      'models/after_broken.sql': "select * from {{ ref('broken') }}",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: good\n    columns:\n      - name: id\n        data_tests:\n          - accepted_values: {values: [2]}\n',
    });
    const r = await runCli(['build', '--project-dir', dir, '--now', '2024-03-10T06:00:00Z', '--vars', `{pw: ${SECRET}}`], { cwd: dir, env: { TFORM_ENV_SECRET_PW: SECRET } });
    expect(r.code, r.output).toBe(1);
    const runId = runResults(dir).metadata.invocationId;
    const rel = `target/errors/${runId}.md`;
    expect(r.output).toContain(`Error report: ${rel}`);
    const md = fs.readFileSync(path.join(dir, rel), 'utf8');
    expect(md).toContain(`# tform run ${runId} failed`);
    expect(md).toContain(`| command | \`tform build --project-dir ${dir} --now 2024-03-10T06:00:00Z --vars '{pw: *****}'\` |`);
    expect(md).toContain('| finished at | 2024-03-10T06:00:00.000Z |');
    expect(md).toContain('| results | PASS=0 WARN=0 ERROR=3 SKIP=1 TOTAL=4 |');
    expect(md).toContain('| node | type | status | message | defined in | compiled SQL |');
    expect(md).toMatch(new RegExp(`\\| broken \\| model \\| error \\| [^|]*table_that_is_not_there[^|]* \\| models/broken.sql(:1)? \\| \\[target/compiled/${name}/models/broken.sql(:1)?\\]\\(\\.\\./compiled/${name}/models/broken.sql\\) \\|`));
    expect(md).toMatch(new RegExp(`\\| accepted_values_good_id__2 \\| test \\| fail \\| [^|]+ \\| models/schema.yml:\\d+ \\| \\[target/compiled/${name}/tests/accepted_values_good_id__2.sql\\]`));
    expect(md).toContain('## Skipped (1)\n\n`after_broken`');
    expect(md).toContain('| good | model | error | not published: 1 test failed (accepted_values_good_id__2)');
    expect(md).toContain('### broken (models/broken.sql');
    expect(md).not.toContain(SECRET);
    expect(fs.existsSync(path.join(dir, 'target', 'compiled', name, 'models', 'broken.sql'))).toBe(true);

    const fixed = await runCli(['run', '--select', 'broken', '--vars', '{}', '--project-dir', dir], { cwd: dir });
    expect(fixed.code).toBe(1);
    expect(fs.readdirSync(path.join(dir, 'target', 'errors'))).toHaveLength(2);
  });

  it('a clean run writes no report', async () => {
    const { dir } = opsProject(get(), { 'models/good.sql': 'select 1 as id' });
    const r = await runCli(['build', '--project-dir', dir], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain('Error report');
    expect(fs.existsSync(path.join(dir, 'target', 'errors'))).toBe(false);
  });

  it('a failed load reports the file that failed', async () => {
    const wh = get();
    const { dir } = opsProject(wh, (name) => ({
      'models/sources.yml': `version: 2\nsources:\n  - name: raw\n    schema: ${name}_raw\n    tables:\n      - name: events\n        external: {location: "data/*.jsonl", format: jsonl}\n        columns:\n          - {name: id, data_type: integer}\n`,
      'data/a.jsonl': '{"id": 1}\n',
      'data/b.jsonl': '{"id": "not a number"}\n',
    }));
    const r = await runCli(['load', '--project-dir', dir], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    const [file] = fs.readdirSync(path.join(dir, 'target', 'errors'));
    const md = fs.readFileSync(path.join(dir, 'target', 'errors', file!), 'utf8');
    expect(md).toMatch(/\| raw\.events from data\/b\.jsonl \| source \| error \| .+ \| data\/b\.jsonl(:\d+)? \|/);
    expect(md).not.toContain('data/a.jsonl');
  });
}

describe('error reports on DuckDB', () => {
  const wh = duckdbWarehouse();
  suite(() => wh);
});

await onPostgres('error reports on Postgres', suite);

describe('errorReportMarkdown', () => {
  it('keeps table cells on one line, escapes | and HTML, fences messages holding backticks, masks secrets', () => {
    registerSecret('s3cr3t-token-value');
    const md = errorReportMarkdown(
      {
        runId: 'r1',
        project: 'p',
        commandLine: 'tform run',
        target: 'dev',
        at: '2024-03-10T00:00:00.000Z',
        failures: [{ uniqueId: 'model.p.a', name: 'a', kind: 'model', status: 'error', message: 'a | b <script>\n```\nsecret s3cr3t-token-value', file: 'models/a.sql', line: 3, compiledPath: 'target/compiled/p/models/a b.sql', compiledLine: 4 }],
      },
      'target/errors/r1.md',
    );
    expect(md).toContain('| a | model | error | a \\| b &lt;script&gt; ``` secret ***** | models/a.sql:3 | [target/compiled/p/models/a b.sql:4](../compiled/p/models/a%20b.sql) |');
    expect(md).toContain('````text\na | b <script>\n```\nsecret *****\n````');
    expect(md).not.toContain('s3cr3t-token-value');
  });

  it('redactJson keeps bigints (warehouse counts) as numbers', () => {
    registerSecret('another-secret-value');
    expect(redactJson({ n: 5n, big: 2n ** 70n, s: 'another-secret-value' })).toEqual({ n: 5, big: '1180591620717411303424', s: '*****' });
  });
});
