/** Shared test helper: the `UserError` a call throws. */
import { UserError } from '../../lib/errors';

/** The `UserError` that `run` throws; fails the test if it throws nothing or something else. */
export function userErrorOf(run: () => unknown): UserError {
  try {
    run();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError, but nothing was thrown');
}
