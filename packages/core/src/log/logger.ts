import pc from 'picocolors';
import { redact } from './secrets.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';

export interface LogEvent {
  level: LogLevel;
  msg: string;
  /** Machine-readable event name, e.g. `node_start`. */
  event?: string;
  data?: Record<string, unknown>;
}

export interface LoggerOptions {
  format?: LogFormat;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
  /** Where lines go; defaults to stdout for info/debug and stderr for nothing (dbt prints all to stdout). */
  write?: (line: string) => void;
  now?: () => Date;
}

/** Colour only on a TTY and never with NO_COLOR (https://no-color.org). */
export function colorWanted(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR) return true;
  return Boolean(stream.isTTY);
}

function hhmmss(d: Date): string {
  return d.toTimeString().slice(0, 8);
}

/**
 * The one logger for all output. Every line passes through `redact`, so secrets never reach the
 * console or a log file whichever code path produced them.
 */
export class Logger {
  readonly format: LogFormat;
  readonly color: boolean;
  private readonly quiet: boolean;
  private readonly showDebug: boolean;
  private readonly write: (line: string) => void;
  private readonly now: () => Date;
  readonly c: ReturnType<typeof pc.createColors>;

  constructor(opts: LoggerOptions = {}) {
    this.format = opts.format ?? 'text';
    this.quiet = opts.quiet ?? false;
    this.showDebug = opts.debug ?? false;
    this.color = this.format === 'text' && (opts.color ?? colorWanted());
    this.write = opts.write ?? ((line) => process.stdout.write(line + '\n'));
    this.now = opts.now ?? (() => new Date());
    this.c = pc.createColors(this.color);
  }

  emit(e: LogEvent): void {
    if (e.level === 'debug' && !this.showDebug) return;
    if (this.quiet && (e.level === 'info' || e.level === 'debug')) return;
    if (this.format === 'json') {
      const rec = { ts: this.now().toISOString(), level: e.level, event: e.event ?? 'log', msg: e.msg, ...(e.data ? { data: e.data } : {}) };
      this.write(redact(JSON.stringify(rec)));
      return;
    }
    const ts = hhmmss(this.now());
    for (const line of e.msg.split('\n')) this.write(redact(`${ts}  ${line}`));
  }

  info(msg: string, event?: string, data?: Record<string, unknown>): void {
    this.emit({ level: 'info', msg, event, data });
  }
  warn(msg: string, event?: string, data?: Record<string, unknown>): void {
    this.emit({ level: 'warn', msg: this.format === 'text' ? this.c.yellow(`[WARNING]: ${msg}`) : msg, event: event ?? 'warning', data });
  }
  error(msg: string, event?: string, data?: Record<string, unknown>): void {
    this.emit({ level: 'error', msg: this.format === 'text' ? this.c.red(msg) : msg, event: event ?? 'error', data });
  }
  debug(msg: string, event?: string, data?: Record<string, unknown>): void {
    this.emit({ level: 'debug', msg, event, data });
  }
  /** Raw output without timestamp (e.g. `tform ls`, `tform compile --inline`), still redacted. */
  print(text: string): void {
    if (this.format === 'json') this.emit({ level: 'info', msg: text, event: 'output' });
    else this.write(redact(text));
  }
}

/** A logger that collects events in memory (tests, embedding). */
export class MemoryLogger extends Logger {
  readonly lines: string[] = [];
  constructor(opts: Omit<LoggerOptions, 'write'> = {}) {
    const lines: string[] = [];
    super({ color: false, ...opts, write: (l) => lines.push(l) });
    this.lines = lines;
  }
  get text(): string {
    return this.lines.join('\n');
  }
}
