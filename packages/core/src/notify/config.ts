import { TformError, closest } from '../errors/index.js';
import { SECRET_ENV_PREFIXES } from '../log/secrets.js';
import { isPlainObject } from '../project/yaml.js';

/**
 * The `notifications:` block of the project file:
 *
 * ```yaml
 * notifications:
 *   on_failure:                      # a run (run, build, seed, test, load) with a failed node
 *     - slack: {url_env: TFORM_ENV_SECRET_SLACK_URL}
 *     - webhook: {url_env: TFORM_ENV_SECRET_ALERTS_URL, headers_env: {Authorization: TFORM_ENV_SECRET_ALERTS_TOKEN}}
 *     - command: ./scripts/page-on-call.sh
 *   on_warning: [...]                # a run that passed with warnings
 *   on_late: [...]                   # tform monitor found something late, stale or failing
 *   timeout_seconds: 10              # per attempt
 *   retries: 3                       # further attempts after a failed one
 *   backoff_seconds: 1               # wait before the first retry; doubles each time
 * ```
 *
 * URLs and header values are read from environment variables with a secret prefix
 * (`TFORM_ENV_SECRET_`, `DBT_ENV_SECRET_`), whose values tform masks wherever it prints or writes.
 */

/** What a notification is about. */
export type NotifyEvent = 'failure' | 'warning' | 'late';

/** Where one notification goes. */
export type Channel =
  | { kind: 'slack'; urlEnv: string }
  | { kind: 'webhook'; urlEnv: string; headersEnv: Record<string, string> }
  | { kind: 'command'; command: string };

export interface NotificationsConfig {
  on: Record<NotifyEvent, Channel[]>;
  /** Milliseconds per attempt. */
  timeoutMs: number;
  /** Attempts after the first failed one. */
  retries: number;
  /** Wait before the first retry, in milliseconds; doubled before each further one. */
  backoffMs: number;
}

/** The project key of each event's channel list. */
export const EVENT_KEYS: Record<NotifyEvent, string> = { failure: 'on_failure', warning: 'on_warning', late: 'on_late' };

const DEFAULTS = { timeoutMs: 10_000, retries: 3, backoffMs: 1_000 };
const MAX_RETRIES = 10;
const BLOCK_KEYS = [...Object.values(EVENT_KEYS), 'timeout_seconds', 'retries', 'backoff_seconds'];
const CHANNEL_KINDS = ['slack', 'webhook', 'command'];
const HTTP_KEYS: Record<'slack' | 'webhook', string[]> = { slack: ['url_env'], webhook: ['url_env', 'headers_env'] };
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** No channels: nothing is sent. */
export function noNotifications(): NotificationsConfig {
  return { on: { failure: [], warning: [], late: [] }, ...DEFAULTS };
}

type Locate = (path: (string | number)[], exact?: boolean) => number | undefined;
type Path = (string | number)[];

const EXAMPLE = 'e.g. notifications: {on_failure: [{slack: {url_env: TFORM_ENV_SECRET_SLACK_URL}}]}';

/**
 * Read and check `notifications:` (the parsed YAML value); a wrong shape is a PROJECT_INVALID
 * error at its line of `file`.
 */
export function readNotifications(v: unknown, file: string, loc: Locate): NotificationsConfig {
  const out = noNotifications();
  if (v === undefined || v === null) return out;
  const fail = (path: Path, msg: string, hint?: string): never => {
    throw new TformError('PROJECT_INVALID', msg, { file, line: loc(['notifications', ...path]), hint });
  };
  if (!isPlainObject(v)) return fail([], "'notifications' must be a mapping of on_failure / on_warning / on_late to channels", EXAMPLE);
  for (const k of Object.keys(v)) {
    if (!BLOCK_KEYS.includes(k)) {
      const near = closest(k, BLOCK_KEYS);
      fail([k], `unknown key '${k}' in notifications${near ? `; did you mean '${near}'?` : ''}`, `notifications takes ${BLOCK_KEYS.join(', ')}`);
    }
  }
  for (const [event, key] of Object.entries(EVENT_KEYS) as [NotifyEvent, string][]) {
    const list = v[key];
    if (list === undefined || list === null) continue;
    const items = Array.isArray(list) ? list : [list];
    out.on[event] = items.map((item, i) => readChannel(item, Array.isArray(list) ? [key, i] : [key], fail));
  }
  const number = (key: string, min: number, max: number): number | undefined => {
    const x = v[key];
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max) fail([key], `notifications.${key} must be a number from ${min} to ${max}, got ${JSON.stringify(x)}`);
    return x as number;
  };
  const timeout = number('timeout_seconds', 0.001, 600);
  if (timeout !== undefined) out.timeoutMs = Math.round(timeout * 1000);
  const retries = number('retries', 0, MAX_RETRIES);
  if (retries !== undefined) {
    if (!Number.isInteger(retries)) fail(['retries'], 'notifications.retries must be a whole number');
    out.retries = retries;
  }
  const backoff = number('backoff_seconds', 0, 300);
  if (backoff !== undefined) out.backoffMs = Math.round(backoff * 1000);
  return out;
}

function readChannel(item: unknown, at: Path, fail: (path: Path, msg: string, hint?: string) => never): Channel {
  const where = `notifications.${at.map(String).join('[').replace(/\[(\d+)/g, '[$1]')}`;
  if (!isPlainObject(item)) return fail(at, `${where}: each channel is a mapping with one of ${CHANNEL_KINDS.join(', ')}`, EXAMPLE);
  const kinds = Object.keys(item);
  if (kinds.length !== 1 || !CHANNEL_KINDS.includes(kinds[0]!)) {
    const near = kinds.length === 1 ? closest(kinds[0]!, CHANNEL_KINDS) : undefined;
    return fail(at, `${where}: a channel has exactly one of ${CHANNEL_KINDS.join(', ')}, got ${kinds.join(', ') || 'nothing'}${near ? `; did you mean '${near}'?` : ''}`, EXAMPLE);
  }
  const kind = kinds[0] as Channel['kind'];
  const body = item[kind];
  const path = [...at, kind];
  if (kind === 'command') {
    if (typeof body !== 'string' || !body.trim()) return fail(path, `${where}: command must be a shell command line`, "e.g. command: './scripts/notify.sh'");
    return { kind, command: body };
  }
  if (!isPlainObject(body)) return fail(path, `${where}: ${kind} needs url_env, the environment variable holding its URL`, `e.g. ${kind}: {url_env: TFORM_ENV_SECRET_${kind.toUpperCase()}_URL}`);
  for (const k of Object.keys(body)) {
    if (!HTTP_KEYS[kind].includes(k)) {
      const near = closest(k, HTTP_KEYS[kind]);
      fail([...path, k], `${where}: unknown key '${k}' of ${kind}${near ? `; did you mean '${near}'?` : ''}`, `${kind} takes ${HTTP_KEYS[kind].join(', ')}`);
    }
  }
  const urlEnv = secretEnvName(body.url_env, [...path, 'url_env'], `${where}: ${kind}.url_env`, fail);
  if (kind === 'slack') return { kind, urlEnv };
  const headersEnv: Record<string, string> = {};
  const h = body.headers_env;
  if (h !== undefined && h !== null) {
    if (!isPlainObject(h)) fail([...path, 'headers_env'], `${where}: webhook.headers_env maps header names to environment variables`, 'e.g. headers_env: {Authorization: TFORM_ENV_SECRET_ALERTS_TOKEN}');
    for (const [name, env] of Object.entries(h as Record<string, unknown>)) {
      if (!HEADER_NAME.test(name)) fail([...path, 'headers_env', name], `${where}: '${name}' is not an HTTP header name`);
      headersEnv[name] = secretEnvName(env, [...path, 'headers_env', name], `${where}: header ${name}`, fail);
    }
  }
  return { kind, urlEnv, headersEnv };
}

function secretEnvName(v: unknown, path: Path, what: string, fail: (path: Path, msg: string, hint?: string) => never): string {
  if (typeof v !== 'string' || !ENV_NAME.test(v)) return fail(path, `${what} must name an environment variable`, 'e.g. url_env: TFORM_ENV_SECRET_SLACK_URL');
  if (!SECRET_ENV_PREFIXES.some((p) => v.startsWith(p))) {
    return fail(path, `${what}: '${v}' is not a secret environment variable, so its value could be printed`, `name it ${SECRET_ENV_PREFIXES[0]}${v} (or ${SECRET_ENV_PREFIXES[1]}…): tform masks the values of those everywhere`);
  }
  return v;
}
