// What an MJ submit result means for the person who asked: a task to show, a prompt to ask for,
// or a refusal in plain words (thrown as a UserError, so nothing is posted or tracked). Upstream's
// own words (its description, a banned word) are quoted as upstream wrote them, in any language.
import type { MessageKey, Phrase, PlainKey } from "../../i18n/catalogue.js";
import { phrase } from "../../i18n/translate.js";
import { queuePosition } from "../../mj/queuePosition.js";
import type { SubmitResult } from "../../mj/schema.js";
import { isValidTaskId } from "../../mj/taskId.js";
import { queueNotice, quotable } from "../../render/notices.js";
import { UserError } from "./userError.js";

export type SubmitOutcome =
  | { kind: "accepted"; taskId: string; notice: Phrase | null }
  | { kind: "modal"; taskId: string; prompt: string };

/** Sentences that have a variant quoting upstream's description as `reason`. */
type WithReason = {
  [K in PlainKey]: `${K}WithReason` extends MessageKey ? K : never;
}[PlainKey];

/** `key`'s sentence, quoting upstream's description when it gave one. */
function withDescription(key: WithReason, description: string): Phrase {
  const reason = quotable(description);
  return reason ? phrase(`${key}WithReason`, { reason }) : phrase(key);
}

function newTaskId(result: SubmitResult): string {
  const id = typeof result.result === "string" ? result.result.trim() : "";
  if (!isValidTaskId(id)) throw new UserError(phrase("submit.noTaskId"));
  return id;
}

export function interpretSubmitResult(result: SubmitResult): SubmitOutcome {
  switch (result.code) {
    case 1: {
      // new-api answers a queued submit (22) as 1 and keeps the queue sentence in `description`.
      const ahead = queuePosition(result);
      return {
        kind: "accepted",
        taskId: newTaskId(result),
        notice: ahead === null ? null : queueNotice(ahead),
      };
    }
    case 22:
      return {
        kind: "accepted",
        taskId: newTaskId(result),
        notice: queueNotice(queuePosition(result), result.description),
      };
    case 21: {
      const finalPrompt = result.properties.finalPrompt;
      return {
        kind: "modal",
        taskId: newTaskId(result),
        prompt: typeof finalPrompt === "string" ? finalPrompt : "",
      };
    }
    case 23:
      throw new UserError(phrase("submit.queueFull"));
    case 24: {
      const word = result.properties.bannedWord;
      throw new UserError(
        typeof word === "string" && word.trim()
          ? phrase("submit.bannedWord", { word: word.replaceAll("`", "'").trim().slice(0, 100) })
          : phrase("submit.banned"),
      );
    }
    case 3:
      throw new UserError(withDescription("submit.notFound", result.description));
    case 4:
      throw new UserError(withDescription("submit.invalid", result.description));
    default:
      throw new UserError(withDescription("submit.failed", result.description));
  }
}
