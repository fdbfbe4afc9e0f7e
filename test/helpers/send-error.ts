import { SendError } from '../../src/core/errors.js';

/** The SendError a send ends with; fails the test if it succeeds or fails otherwise. */
export async function sendFailure(work: Promise<void>): Promise<SendError> {
  const error: unknown = await work.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof SendError)) throw new Error(`expected a SendError, got ${String(error)}`);
  return error;
}
