/**
 * One error type for everything tform reports to a user.
 *
 * `user` errors (bad project, flags or profile) exit with code 2 and never print a stack trace.
 * Anything that is not a TformError is a bug: the CLI prints its stack and asks for a report.
 */
export type ErrorCode =
  | 'PROJECT_NOT_FOUND'
  | 'PROJECT_INVALID'
  | 'YAML_SYNTAX'
  | 'CONFIG_INVALID'
  | 'PROFILE_NOT_FOUND'
  | 'TARGET_NOT_FOUND'
  | 'PROFILE_INVALID'
  | 'ENV_VAR_MISSING'
  | 'VAR_MISSING'
  | 'VARS_INVALID'
  | 'TEMPLATE_SYNTAX'
  | 'TEMPLATE_RENDER'
  | 'REF_UNKNOWN'
  | 'SOURCE_UNKNOWN'
  | 'DUPLICATE_NAME'
  | 'CYCLE'
  | 'ADAPTER_UNKNOWN'
  | 'ADAPTER_UNSUPPORTED'
  | 'SELECTOR_INVALID'
  | 'FLAG_INVALID'
  | 'LOCK_HELD'
  | 'INIT_EXISTS'
  | 'DOC_UNKNOWN'
  | 'IO';

export interface ErrorLocation {
  /** Path relative to the project root where possible. */
  file?: string;
  line?: number;
  column?: number;
}

export interface TformErrorOptions extends ErrorLocation {
  hint?: string;
  cause?: unknown;
  /** Extra lines printed under the message (e.g. every edge of a cycle). */
  details?: string[];
}

export class TformError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly hint?: string;
  readonly details: string[];

  constructor(code: ErrorCode, message: string, opts: TformErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TformError';
    this.code = code;
    this.file = opts.file;
    this.line = opts.line;
    this.column = opts.column;
    this.hint = opts.hint;
    this.details = opts.details ?? [];
  }

  /** `path:line:col` (as much of it as is known), or '' when the error has no location. */
  get location(): string {
    if (!this.file) return '';
    let loc = this.file;
    if (this.line !== undefined) loc += `:${this.line}`;
    if (this.line !== undefined && this.column !== undefined) loc += `:${this.column}`;
    return loc;
  }

  /** Exit code for the CLI: every TformError is a user error. */
  get exitCode(): number {
    return 2;
  }

  format(): string {
    const head = this.location ? `${this.location}  ${this.message}` : this.message;
    const lines = [head, ...this.details.map((d) => `  ${d}`)];
    if (this.hint) lines.push(`  hint: ${this.hint}`);
    return lines.join('\n');
  }
}

export function isTformError(e: unknown): e is TformError {
  return e instanceof TformError;
}
