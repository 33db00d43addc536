/**
 * Notifications (`notifications:` in tform_project.yml) against a local HTTP server on 127.0.0.1:
 * a failing run sends exactly one notification naming the failed model, a passing run none, a
 * webhook answering 500 is retried a bounded number of times and the run's result stands; URLs
 * and tokens never appear in the output. Through the CLI on DuckDB and Postgres, plus deliver()
 * with an injected wait.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver, readNotifications, type Notification } from '@tform/core';
import { runCli } from './helpers/cli.js';
import { cleanupProjects } from './helpers/fixture.js';
import { duckdbWarehouse, onPostgres, opsProject, runResults, type OpsWarehouse } from './helpers/ops.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A server on 127.0.0.1 that records every request and answers with the status set for its path (default 200). */
class Hooks {
  readonly received: Received[] = [];
  readonly status = new Map<string, number>();
  private server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const p = req.url ?? '';
      if (p.startsWith('/hang')) return; // never answers
      this.received.push({ path: p, headers: req.headers, body: JSON.parse(text || '{}') });
      res.statusCode = this.status.get(p) ?? 200;
      res.end('ok');
    });
  });
  port = 0;
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }
  url(p: string): string {
    return `http://127.0.0.1:${this.port}${p}`;
  }
  to(p: string): Received[] {
    return this.received.filter((r) => r.path === p);
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const hooks = new Hooks();
beforeAll(() => hooks.start());
afterAll(async () => {
  await hooks.stop();
  cleanupProjects();
});

const TOKEN = 'xoxb-T0K3N-8d7c6b5a';
let pathCount = 0;
/** A fresh hook path carrying a token, as Slack's do. */
const hookPath = () => `/services/${++pathCount}/${TOKEN}`;

const MODELS = {
  'models/good.sql': 'select 1 as id',
  'models/broken.sql': 'select * from table_that_is_not_there',
  'models/schema.yml': 'version: 2\nmodels:\n  - name: good\n    columns:\n      - name: id\n        data_tests:\n          - accepted_values: {values: [2], config: {severity: warn}}\n',
};

function notifications(block: string): string {
  return `notifications:\n${block.replace(/^/gm, '  ')}\n`;
}

function suite(get: () => OpsWarehouse) {
  it('a failing run sends exactly one Slack notification naming the failed model; the URL is never printed', async () => {
    const p = hookPath();
    const { dir } = opsProject(get(), MODELS, notifications('on_failure:\n  - slack: {url_env: TFORM_ENV_SECRET_SLACK_URL}\non_warning:\n  - slack: {url_env: TFORM_ENV_SECRET_SLACK_URL}'));
    const r = await runCli(['run', '--project-dir', dir, '--now', '2024-03-10T06:00:00Z'], { cwd: dir, env: { TFORM_ENV_SECRET_SLACK_URL: hooks.url(p) } });
    expect(r.code, r.output).toBe(1);
    const got = hooks.to(p);
    expect(got).toHaveLength(1);
    expect(got[0]!.headers['content-type']).toBe('application/json');
    const text = String(got[0]!.body.text);
    const runId = runResults(dir).metadata.invocationId;
    expect(text).toContain('*tform run failed on target dev: 1 failure*');
    expect(text).toContain('• `broken` (model, error): ');
    expect(text).not.toContain('`good`');
    expect(text).toContain(runId);
    expect(text).toContain(`error report: \`target/errors/${runId}.md\``);
    expect(r.output).toContain('Sent the failure notification to slack (on_failure[0])');
    expect(r.output).not.toContain(TOKEN);
    expect(r.output).not.toContain(String(hooks.port));
  });

  it('a passing run sends nothing', async () => {
    const p = hookPath();
    const { dir } = opsProject(get(), { 'models/good.sql': 'select 1 as id' }, notifications('on_failure:\n  - slack: {url_env: TFORM_ENV_SECRET_SLACK_URL}\non_warning:\n  - webhook: {url_env: TFORM_ENV_SECRET_SLACK_URL}'));
    const r = await runCli(['build', '--project-dir', dir], { cwd: dir, env: { TFORM_ENV_SECRET_SLACK_URL: hooks.url(p) } });
    expect(r.code, r.output).toBe(0);
    expect(hooks.to(p)).toHaveLength(0);
    expect(r.output).not.toContain('notification');
  });

  it('a webhook answering 500 is retried a bounded number of times; the run result is unchanged', async () => {
    const p = hookPath();
    hooks.status.set(p, 500);
    const block = 'on_failure:\n  - webhook: {url_env: TFORM_ENV_SECRET_HOOK_URL}\non_warning:\n  - webhook: {url_env: TFORM_ENV_SECRET_HOOK_URL}\nretries: 2\nbackoff_seconds: 0';
    const withHook = opsProject(get(), MODELS, notifications(block));
    const without = opsProject(get(), MODELS);
    const env = { TFORM_ENV_SECRET_HOOK_URL: hooks.url(p) };
    const r = await runCli(['build', '--project-dir', withHook.dir], { cwd: withHook.dir, env });
    const plain = await runCli(['build', '--project-dir', without.dir], { cwd: without.dir });
    expect(r.code, r.output).toBe(1);
    expect(r.code).toBe(plain.code);
    expect(hooks.to(p)).toHaveLength(3);
    expect(r.output).toContain('[WARNING]: Could not send the failure notification to webhook (on_failure[0]): HTTP 500 (3 attempts); the result of the command is unchanged');
    expect(r.output).not.toContain(TOKEN);
    const statuses = (dir: string) => runResults(dir).results.map((x) => `${String(x.name)}:${String(x.status)}`).sort();
    expect(statuses(withHook.dir)).toEqual(statuses(without.dir));

    // A run that only warned: on_warning fails the same way, and the exit code stays 0.
    const warnOnly = opsProject(get(), { ...MODELS, 'models/broken.sql': 'select 2 as id' }, notifications(block));
    const w = await runCli(['build', '--project-dir', warnOnly.dir], { cwd: warnOnly.dir, env });
    expect(w.code, w.output).toBe(0);
    expect(hooks.to(p)).toHaveLength(6);
    expect(hooks.to(p)[5]!.body).toMatchObject({ event: 'warning', items: [{ kind: 'test', status: 'warn' }] });
    expect(w.output).toContain('Could not send the warning notification to webhook (on_warning[0]): HTTP 500 (3 attempts)');
  });
}

describe('notifications on DuckDB', () => {
  const wh = duckdbWarehouse();
  suite(() => wh);

  it('a generic webhook gets the JSON document with its secret headers', async () => {
    const p = hookPath();
    const { dir, name } = opsProject(wh, MODELS, notifications('on_failure:\n  - webhook:\n      url_env: TFORM_ENV_SECRET_HOOK_URL\n      headers_env: {Authorization: TFORM_ENV_SECRET_HOOK_TOKEN}'));
    const r = await runCli(['run', '--project-dir', dir, '--now', '2024-03-10T06:00:00Z'], { cwd: dir, env: { TFORM_ENV_SECRET_HOOK_URL: hooks.url(p), TFORM_ENV_SECRET_HOOK_TOKEN: `Bearer ${TOKEN}` } });
    expect(r.code, r.output).toBe(1);
    const [got] = hooks.to(p);
    expect(got!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const runId = runResults(dir).metadata.invocationId;
    expect(got!.body).toMatchObject({
      event: 'failure',
      project: name,
      target: 'dev',
      command: 'run',
      run_id: runId,
      at: '2024-03-10T06:00:00.000Z',
      summary: { pass: 1, warn: 0, error: 1, skip: 0, total: 2 },
      items: [{ unique_id: `model.${name}.broken`, name: 'broken', kind: 'model', status: 'error', compiled_path: `target/compiled/${name}/models/broken.sql`, path: 'models/broken.sql' }],
      error_report: `target/errors/${runId}.md`,
    });
    expect(String((got!.body.items as { message: string }[])[0]!.message)).toMatch(/table_that_is_not_there/);
    expect(r.output).not.toContain(TOKEN);
  });

  it('a command channel reads the document on stdin and the event from its environment', async () => {
    const { dir } = opsProject(wh, MODELS, notifications('on_failure:\n  - command: \'cat > notified.json; echo "$TFORM_NOTIFY_EVENT $TFORM_TARGET" > notified.env\''));
    const b = await runCli(['run', '--project-dir', dir], { cwd: dir });
    expect(b.code, b.output).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'notified.json'), 'utf8'))).toMatchObject({ event: 'failure', items: [{ name: 'broken' }] });
    expect(fs.readFileSync(path.join(dir, 'notified.env'), 'utf8')).toBe('failure dev\n');
    fs.rmSync(path.join(dir, 'notified.json'));
    // The tests of what was built only warn, and there is no on_warning channel: nothing is sent.
    const t = await runCli(['test', '--project-dir', dir], { cwd: dir });
    expect(t.code, t.output).toBe(0);
    expect(fs.existsSync(path.join(dir, 'notified.json'))).toBe(false);
    expect(b.output).toContain('Sent the failure notification to command (on_failure[0])');
  });

  it('a failing tform test notifies once, naming the failed test', async () => {
    const p = hookPath();
    const { dir } = opsProject(
      wh,
      { 'models/good.sql': 'select 1 as id', 'models/schema.yml': 'version: 2\nmodels:\n  - name: good\n    columns:\n      - name: id\n        data_tests:\n          - accepted_values: {values: [2]}\n' },
      notifications('on_failure:\n  - slack: {url_env: TFORM_ENV_SECRET_SLACK_URL}'),
    );
    expect((await runCli(['run', '--project-dir', dir], { cwd: dir })).code).toBe(0);
    const r = await runCli(['test', '--project-dir', dir], { cwd: dir, env: { TFORM_ENV_SECRET_SLACK_URL: hooks.url(p) } });
    expect(r.code, r.output).toBe(1);
    expect(hooks.to(p)).toHaveLength(1);
    expect(String(hooks.to(p)[0]!.body.text)).toContain('• `accepted_values_good_id__2` (test, fail)');
  });

  it('a channel whose variable is not set is a warning, and the run result stands', async () => {
    const { dir } = opsProject(wh, MODELS, notifications('on_failure:\n  - slack: {url_env: TFORM_ENV_SECRET_NOT_SET_URL}'));
    const r = await runCli(['run', '--project-dir', dir], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain('[WARNING]: Did not send the failure notification to slack (on_failure[0]): TFORM_ENV_SECRET_NOT_SET_URL is not set');
  });

  it('a run that does not finish (the warehouse cannot be opened) still notifies', async () => {
    const p = hookPath();
    const { dir } = opsProject(wh, MODELS, notifications('on_failure:\n  - webhook: {url_env: TFORM_ENV_SECRET_HOOK_URL}'));
    fs.mkdirSync(path.join(dir, 'warehouse.duckdb')); // a directory where the database file should be
    const r = await runCli(['run', '--project-dir', dir], { cwd: dir, env: { TFORM_ENV_SECRET_HOOK_URL: hooks.url(p) } });
    expect(r.code, r.output).toBe(2);
    expect(hooks.to(p)).toHaveLength(1);
    expect(hooks.to(p)[0]!.body).toMatchObject({ event: 'failure', items: [{ kind: 'run', status: 'error', name: 'tform run' }] });
  });

  it('tform monitor sends on_late naming what is late', async () => {
    const p = hookPath();
    const { dir } = opsProject(wh, { 'models/daily.sql': "{{ config(expect_every='1 day') }}\nselect 1 as id" }, notifications('on_late:\n  - webhook: {url_env: TFORM_ENV_SECRET_HOOK_URL}'));
    const env = { TFORM_ENV_SECRET_HOOK_URL: hooks.url(p) };
    expect((await runCli(['run', '--project-dir', dir, '--now', '2024-03-07T00:00:00Z'], { cwd: dir, env })).code).toBe(0);
    const ok = await runCli(['monitor', '--project-dir', dir, '--now', '2024-03-07T12:00:00Z'], { cwd: dir, env });
    expect(ok.code, ok.output).toBe(0);
    expect(hooks.to(p)).toHaveLength(0);
    const late = await runCli(['monitor', '--project-dir', dir, '--now', '2024-03-10T00:00:00Z'], { cwd: dir, env });
    expect(late.code, late.output).toBe(1);
    expect(hooks.to(p)).toHaveLength(1);
    expect(hooks.to(p)[0]!.body).toMatchObject({ event: 'late', command: 'monitor', items: [{ name: 'daily', kind: 'schedule', status: 'late' }] });
  });

  it('a bad notifications block is a user error at its line', async () => {
    const cases: [string, number, string][] = [
      ['on_failure:\n  - slack: {url_env: SLACK_URL}', 5, "'SLACK_URL' is not a secret environment variable"],
      ['on_failure:\n  - slak: {url_env: TFORM_ENV_SECRET_X}', 5, "did you mean 'slack'?"],
      ['on_falure: []', 4, "unknown key 'on_falure' in notifications; did you mean 'on_failure'?"],
      ['on_late:\n  - webhook: {url_env: TFORM_ENV_SECRET_X, headers_env: {Authorization: TOKEN}}', 5, 'header Authorization'],
      ['retries: 99', 4, 'notifications.retries must be a number from 0 to 10'],
    ];
    for (const [block, line, message] of cases) {
      const { dir } = opsProject(wh, { 'models/good.sql': 'select 1 as id' }, notifications(block));
      const r = await runCli(['ls', '--project-dir', dir], { cwd: dir });
      expect(r.code, r.output).toBe(2);
      expect(r.output).toContain(`tform_project.yml:${line}`);
      expect(r.output).toContain(message);
    }
  });
});

await onPostgres('notifications on Postgres', suite);

describe('deliver()', () => {
  const n: Notification = { event: 'failure', project: 'p', target: 'dev', command: 'run', runId: 'r1', at: '2024-03-10T00:00:00.000Z', items: [{ uniqueId: 'model.p.a', name: 'a', kind: 'model', status: 'error', message: 'boom' }] };
  const cfg = (o: string) => readNotifications(JSON.parse(o), 'tform_project.yml', () => 1);

  it('waits backoff, then twice as long, between attempts, and stops at the bound', async () => {
    const p = hookPath();
    hooks.status.set(p, 503);
    const waits: number[] = [];
    const c = cfg('{"retries": 3, "backoff_seconds": 0.1}');
    const r = await deliver({ kind: 'webhook', urlEnv: 'TFORM_ENV_SECRET_U', headersEnv: {} }, n, c, { env: { TFORM_ENV_SECRET_U: hooks.url(p) }, sleep: async (ms) => void waits.push(ms) });
    expect(r).toEqual({ ok: false, attempts: 4, error: 'HTTP 503' });
    expect(waits).toEqual([100, 200, 400]);
    expect(hooks.to(p)).toHaveLength(4);
  });

  it('succeeds on a later attempt; a 4xx other than 408/429 is not retried', async () => {
    const p = hookPath();
    hooks.status.set(p, 429);
    const c = cfg('{"retries": 2}');
    const sleep = async () => {
      hooks.status.set(p, 200);
    };
    expect(await deliver({ kind: 'slack', urlEnv: 'TFORM_ENV_SECRET_U' }, n, c, { env: { TFORM_ENV_SECRET_U: hooks.url(p) }, sleep })).toEqual({ ok: true, attempts: 2 });
    const gone = hookPath();
    hooks.status.set(gone, 404);
    expect(await deliver({ kind: 'slack', urlEnv: 'TFORM_ENV_SECRET_U' }, n, c, { env: { TFORM_ENV_SECRET_U: hooks.url(gone) }, sleep: async () => {} })).toEqual({ ok: false, attempts: 1, error: 'HTTP 404' });
  });

  it('a server that does not answer times out, and the error names neither host nor path', async () => {
    const c = { ...cfg('{"retries": 1}'), timeoutMs: 100 };
    const r = await deliver({ kind: 'slack', urlEnv: 'TFORM_ENV_SECRET_U' }, n, c, { env: { TFORM_ENV_SECRET_U: hooks.url(`/hang/${TOKEN}`) }, sleep: async () => {} });
    expect(r).toEqual({ ok: false, attempts: 2, error: 'no answer within 0.1s' });
    // A port nothing listens on any more.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await deliver({ kind: 'slack', urlEnv: 'TFORM_ENV_SECRET_U' }, n, c, { env: { TFORM_ENV_SECRET_U: `http://127.0.0.1:${port}/${TOKEN}` }, sleep: async () => {} });
    expect(refused).toEqual({ ok: false, attempts: 2, error: 'connection failed (ECONNREFUSED)' });
  });
});
