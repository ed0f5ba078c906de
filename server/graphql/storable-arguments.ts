import type { MiddlewareFn } from "type-graphql";
import { badInput } from "../domain/errors.js";
import { hasUnstorableCharacter } from "../domain/storable-text.js";

const ROOT_TYPES = new Set(["Query", "Mutation", "Subscription"]);

/**
 * Rule "bad input gets a clear error and changes nothing": a string argument with a character no
 * database column can keep (NUL, an unpaired surrogate) is refused before any resolver runs, with
 * BAD_USER_INPUT naming the field — instead of a database error halfway through a mutation.
 * Checked on the operation's root fields, whose arguments carry every input.
 */
export const refuseUnstorableArguments: MiddlewareFn = ({ args, info }, next) => {
  if (ROOT_TYPES.has(info.parentType.name)) {
    for (const [name, value] of Object.entries(args)) checkValue(name, value);
  }
  return next();
};

function checkValue(path: string, value: unknown): void {
  if (typeof value === "string") {
    if (hasUnstorableCharacter(value))
      throw badInput(
        path,
        `${path} contains a NUL character (U+0000) or a broken UTF-16 sequence, which cannot be stored; remove it and send again.`,
      );
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkValue(`${path}[${i}]`, item));
  } else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) checkValue(`${path}.${key}`, item);
  }
}
