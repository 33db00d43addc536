import { redact } from '../log/secrets.js';

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function shellQuote(arg: string): string {
  if (arg !== '' && PLAIN.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line of a run, as recorded in the run log: `tform` and the arguments as typed
 * (shell-quoted), with every registered secret masked. Without arguments, `fallback`.
 */
export function commandLine(argv: readonly string[] | undefined, fallback: string): string {
  if (!argv || argv.length === 0) return redact(fallback);
  return redact(['tform', ...argv].map(shellQuote).join(' '));
}
