import { redact, redactJson } from '../log/secrets.js';
import type { NotifyEvent } from './config.js';

/** One thing a notification reports: a failed node, a warning, a late model. */
export interface NotificationItem {
  /** Unique id of the node (empty for the run itself). */
  uniqueId: string;
  name: string;
  /** model, seed, test, source, hook, run; or a monitor check (schedule, freshness, percent_change). */
  kind: string;
  /** error, fail, warn, late, stale, … */
  status: string;
  message: string;
  /** The compiled SQL, relative to the project dir. */
  compiledPath?: string;
  /** The file the node is defined in. */
  path?: string;
}

/** What one notification says, before it is shaped for a channel. */
export interface Notification {
  event: NotifyEvent;
  project: string;
  target: string;
  /** The tform command (`build`, `test`, `monitor`, …). */
  command: string;
  runId: string;
  /** The settable clock's time (ISO-8601). */
  at: string;
  /** Counts of the run's results (PASS, WARN, ERROR, SKIP, TOTAL), where there is a run. */
  summary?: { pass: number; warn: number; error: number; skip: number; total: number };
  items: NotificationItem[];
  /** The markdown error report of a failed run, relative to the project dir. */
  errorReport?: string;
}

/** Items listed in a message; the rest are counted. */
const MAX_ITEMS = 20;
const MAX_MESSAGE = 300;

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function headline(n: Notification): string {
  const failed = n.items.length;
  switch (n.event) {
    case 'failure':
      return `tform ${n.command} failed on target ${n.target}: ${failed} ${failed === 1 ? 'failure' : 'failures'}`;
    case 'warning':
      return `tform ${n.command} passed with ${plural(failed, 'warning')} on target ${n.target}`;
    case 'late':
      return `tform monitor found ${plural(failed, 'problem')} on target ${n.target}`;
  }
}

/** Slack mrkdwn needs &, < and > escaped; everything else is literal. */
function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The readable message: a headline, one line per item (name, kind, status, the first line of its
 * message), the project, run id and error report. `slack` formats it as Slack mrkdwn.
 */
export function notificationText(n: Notification, style: 'plain' | 'slack' = 'plain'): string {
  const esc = style === 'slack' ? slackEscape : (s: string) => s;
  const code = (s: string) => (style === 'slack' ? `\`${esc(s)}\`` : s);
  const lines = [style === 'slack' ? `*${esc(headline(n))}*` : headline(n)];
  for (const it of n.items.slice(0, MAX_ITEMS)) {
    const msg = firstLine(it.message);
    lines.push(`• ${code(it.name)} (${it.kind}, ${it.status})${msg ? `: ${esc(msg)}` : ''}`);
  }
  if (n.items.length > MAX_ITEMS) lines.push(`… and ${n.items.length - MAX_ITEMS} more`);
  const s = n.summary;
  if (s) lines.push(`PASS=${s.pass} WARN=${s.warn} ERROR=${s.error} SKIP=${s.skip} TOTAL=${s.total}`);
  lines.push(`project ${code(n.project)}, run ${code(n.runId)} at ${n.at}`);
  if (n.errorReport) lines.push(`error report: ${code(n.errorReport)}`);
  return redact(lines.join('\n'));
}

/** The body of a Slack-compatible incoming webhook. */
export function slackBody(n: Notification): { text: string } {
  return { text: notificationText(n, 'slack') };
}

/** The JSON document a generic webhook receives (and a command reads on stdin), secrets masked. */
export function webhookBody(n: Notification): Record<string, unknown> {
  return redactJson({
    event: n.event,
    project: n.project,
    target: n.target,
    command: n.command,
    run_id: n.runId,
    at: n.at,
    summary: n.summary ?? null,
    items: n.items.map((i) => ({
      unique_id: i.uniqueId,
      name: i.name,
      kind: i.kind,
      status: i.status,
      message: i.message,
      compiled_path: i.compiledPath ?? null,
      path: i.path ?? null,
    })),
    error_report: n.errorReport ?? null,
    text: notificationText(n),
  });
}
