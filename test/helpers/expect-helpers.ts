import { expect } from 'vitest';
import { OperatorError } from '../../src/errors.ts';

/** A byte map as UTF-8 text, for readable comparisons. */
export const text = (map: Record<string, Uint8Array>): Record<string, string> =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));

/** The OperatorError a call throws; anything else thrown, or nothing, fails the test. */
export function thrown(run: () => unknown): OperatorError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OperatorError);
    return error as OperatorError;
  }
  throw new Error('expected an OperatorError');
}

/** The reason code a call throws, or undefined when it returns; a foreign error fails the test. */
export function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(OperatorError);
    return (error as OperatorError).code;
  }
}
