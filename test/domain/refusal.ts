import { expect } from "vitest";
import { DomainError, ErrorCode } from "../../server/domain/errors.js";

/** Runs `fn`, which must refuse with BAD_USER_INPUT, and returns the error for closer checks. */
export function refusal(fn: () => unknown): DomainError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a refusal").toBeInstanceOf(DomainError);
  const error = caught as DomainError;
  expect(error.code).toBe(ErrorCode.BadUserInput);
  return error;
}
