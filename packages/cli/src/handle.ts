import { isTformError, Logger } from '@tform/core';

/**
 * Run a command body: TformErrors are user errors (message with file:line and hint, exit 2, no
 * stack); anything else is a bug (stack and a request to report it, exit 2).
 */
export async function handle(logger: Logger, body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (e) {
    if (isTformError(e)) {
      logger.error(e.format(), 'user_error', { code: e.code, file: e.file ?? null, line: e.line ?? null, hint: e.hint ?? null });
      process.exitCode = 2;
      return;
    }
    const err = e as Error;
    logger.error(`Internal error: ${err?.stack ?? String(e)}\nThis is a bug in tform; please report it with the command you ran.`, 'internal_error');
    process.exitCode = 2;
  }
}
