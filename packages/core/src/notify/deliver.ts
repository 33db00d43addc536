import { spawn } from 'node:child_process';
import type { Channel, NotificationsConfig } from './config.js';
import { notificationText, slackBody, webhookBody, type Notification } from './message.js';

/** What delivery uses from the outside world; tests replace the clock-bound parts. */
export interface DeliveryOptions {
  /** Wait between attempts (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** The HTTP client (default: the global fetch). */
  fetch?: typeof fetch;
  /** Where `url_env` / `headers_env` are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Working directory of `command` channels (default: the current one). */
  cwd?: string;
}

/** How one channel's delivery went. `error` never contains the URL or a header value. */
export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  error?: string;
  /** Set when nothing was attempted (a variable is not set). */
  skipped?: boolean;
}

/** The outcome of one attempt: delivered, failed for good, or worth retrying. */
type Attempt = { ok: true } | { ok: false; retry: boolean; error: string };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Network error codes worth naming (from the error's cause); the address is left out. */
function networkError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; cause?: { code?: unknown; name?: string } };
  if (err?.name === 'TimeoutError' || err?.cause?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs / 1000}s`;
  const code = err?.cause?.code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? `connection failed (${code})` : 'connection failed';
}

/** Statuses a later attempt may get past: timeouts, rate limits, server errors. */
function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

async function postJson(url: string, headers: Record<string, string>, body: unknown, timeoutMs: number, f: typeof fetch): Promise<Attempt> {
  let res: Response;
  try {
    res = await f(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    return { ok: false, retry: true, error: networkError(e, timeoutMs) };
  }
  // Read the answer so the connection is released; its content is not shown (it may echo the request).
  await res.arrayBuffer().catch(() => undefined);
  if (res.ok) return { ok: true };
  return { ok: false, retry: retryableStatus(res.status), error: `HTTP ${res.status}` };
}

function runCommand(command: string, n: Notification, timeoutMs: number, o: DeliveryOptions): Promise<Attempt> {
  return new Promise((resolve) => {
    const child = spawn(command, {
      shell: true,
      cwd: o.cwd,
      detached: process.platform !== 'win32',
      stdio: ['pipe', 'ignore', 'ignore'],
      env: {
        ...(o.env ?? process.env),
        TFORM_NOTIFY_EVENT: n.event,
        TFORM_RUN_ID: n.runId,
        TFORM_TARGET: n.target,
        TFORM_COMMAND: n.command,
        TFORM_NOTIFY_TEXT: notificationText(n),
      },
    });
    let done = false;
    const finish = (a: Attempt) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(a);
    };
    const timer = setTimeout(() => {
      try {
        // The whole process group: the shell and what it started.
        if (child.pid !== undefined) process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      finish({ ok: false, retry: true, error: `did not finish within ${timeoutMs / 1000}s` });
    }, timeoutMs);
    child.on('error', (e) => finish({ ok: false, retry: false, error: `could not start: ${(e as NodeJS.ErrnoException).code ?? 'error'}` }));
    child.on('exit', (code, signal) => finish(code === 0 ? { ok: true } : { ok: false, retry: true, error: signal ? `killed by ${signal}` : `exit code ${code}` }));
    child.stdin?.on('error', () => undefined); // a command that does not read stdin
    child.stdin?.end(JSON.stringify(webhookBody(n)) + '\n');
  });
}

/**
 * Deliver `n` to one channel: up to 1 + `retries` attempts, each bounded by `timeoutMs`, waiting
 * `backoffMs`, then twice as long, … between them. A 4xx answer other than 408/425/429 is not
 * retried. Never throws: the result says how it went.
 */
export async function deliver(channel: Channel, n: Notification, cfg: Pick<NotificationsConfig, 'timeoutMs' | 'retries' | 'backoffMs'>, o: DeliveryOptions = {}): Promise<DeliveryResult> {
  const env = o.env ?? process.env;
  const sleep = o.sleep ?? defaultSleep;
  let attempt: () => Promise<Attempt>;
  if (channel.kind === 'command') {
    attempt = () => runCommand(channel.command, n, cfg.timeoutMs, o);
  } else {
    const url = env[channel.urlEnv];
    if (!url) return { ok: false, attempts: 0, skipped: true, error: `${channel.urlEnv} is not set` };
    const headers: Record<string, string> = {};
    if (channel.kind === 'webhook') {
      for (const [name, v] of Object.entries(channel.headersEnv)) {
        const value = env[v];
        if (!value) return { ok: false, attempts: 0, skipped: true, error: `${v} (header ${name}) is not set` };
        headers[name] = value;
      }
    }
    const body = channel.kind === 'slack' ? slackBody(n) : webhookBody(n);
    const f = o.fetch ?? fetch;
    attempt = () => postJson(url, headers, body, cfg.timeoutMs, f);
  }
  let last: Attempt = { ok: false, retry: false, error: 'not attempted' };
  for (let i = 1; i <= cfg.retries + 1; i++) {
    if (i > 1) await sleep(cfg.backoffMs * 2 ** (i - 2));
    last = await attempt();
    if (last.ok) return { ok: true, attempts: i };
    if (!last.retry) return { ok: false, attempts: i, error: last.error };
  }
  return { ok: false, attempts: cfg.retries + 1, error: last.ok ? undefined : last.error };
}
