/**
 * Errors for values that arrive as code (construct props), raised eagerly in constructors.
 * Values from files are validated at the boundary (config and outputs loaders) and reported
 * as `UserError`; reaching one of these means a caller passed something the loaders would
 * have rejected, so the message names the object, the prop path, the value and the fix.
 */
import { display } from '../lib/errors';

export function constructError(subject: string, path: string, received: unknown, message: string): Error {
  const value = received === undefined ? '' : ` ${display(received)}`;
  return new Error(`${subject}: ${path}${value}: ${message}`);
}
