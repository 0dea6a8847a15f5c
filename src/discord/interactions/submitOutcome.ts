// What an MJ submit result means for the person who asked: a task to show, a prompt to ask for,
// or a refusal in plain words (thrown as a UserError, so nothing is posted or tracked).
import { queuePosition } from "../../mj/queuePosition.js";
import type { SubmitResult } from "../../mj/schema.js";
import { isValidTaskId } from "../../mj/taskId.js";
import { queueNotice } from "../../render/notices.js";
import { UserError } from "./userError.js";

export type SubmitOutcome =
  | { kind: "accepted"; taskId: string; notice: string | null }
  | { kind: "modal"; taskId: string; prompt: string };

/** Upstream text shown to users: one line, bounded, never able to break out of inline code. */
function quoted(text: string): string {
  const line = text.replace(/\s+/g, " ").replaceAll("`", "'").trim().slice(0, 200);
  return line ? ` (\`${line}\`)` : "";
}

function newTaskId(result: SubmitResult): string {
  const id = typeof result.result === "string" ? result.result.trim() : "";
  if (!isValidTaskId(id)) {
    throw new UserError(
      "The MJ API accepted the request but did not say which task it started. Please try again.",
    );
  }
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
      throw new UserError("The MJ queue is full right now. Please try again in a few minutes.");
    case 24: {
      const word = result.properties.bannedWord;
      throw new UserError(
        typeof word === "string" && word.trim()
          ? `The MJ API refused the prompt because it contains a banned word: \`${word.replaceAll("`", "'").trim().slice(0, 100)}\`.`
          : "The MJ API refused the prompt because it contains a banned word.",
      );
    }
    case 3:
      throw new UserError(
        `The MJ API could not find the task or has no account free for it${quoted(result.description)}.`,
      );
    case 4:
      throw new UserError(`The MJ API rejected the request as invalid${quoted(result.description)}.`);
    default:
      throw new UserError(
        `The MJ API could not do that${quoted(result.description)}. Please try again later.`,
      );
  }
}
