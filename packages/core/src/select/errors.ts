import { TformError, type ErrorLocation } from '../errors/index.js';

/** Every selection problem is a user error (exit 2) with code SELECTOR_INVALID. */
export function selectorError(message: string, hint?: string, at: ErrorLocation = {}): TformError {
  return new TformError('SELECTOR_INVALID', message, { hint, ...at });
}

/** `did you mean 'x'? <tail>`, or just the tail. */
export function suggest(near: string | undefined, tail: string, quote: (s: string) => string = (s) => `'${s}'`): string {
  return near ? `did you mean ${quote(near)}? ${tail}` : tail;
}
