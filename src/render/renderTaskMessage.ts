// Task -> the whole Discord message that shows it. Pure: the caller stores `storedButtons` and
// compares `fingerprint` with the last one sent to decide whether an edit is needed.
import { createHash } from "node:crypto";
import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIEmbed } from "discord.js";
import { isFinalStatus, type Task } from "../mj/schema.js";
import type { StoredButton } from "./customId.js";
import { renderButtonRows } from "./renderButtonRows.js";
import { type EmbedOptions, renderTaskEmbed } from "./renderTaskEmbed.js";

/** In discord.js option names, so it can go straight to reply()/editReply(). */
export interface TaskMessagePayload {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  allowedMentions: { parse: [] };
}

export interface RenderedTaskMessage {
  payload: TaskMessagePayload;
  storedButtons: StoredButton[];
  /** Changes exactly when the payload does. */
  fingerprint: string;
  /** Buttons that did not fit the 25 a message can hold. */
  droppedButtons: number;
}

export function renderTaskMessage(task: Task, options: EmbedOptions = {}): RenderedTaskMessage {
  // Buttons only once the task is final: clicking an unfinished job's buttons fails upstream.
  const buttons = isFinalStatus(task.status)
    ? renderButtonRows(task.id, task.buttons)
    : { rows: [], storedButtons: [], dropped: 0 };
  const payload: TaskMessagePayload = {
    content: "",
    embeds: [renderTaskEmbed(task, options)],
    components: buttons.rows,
    allowedMentions: { parse: [] },
  };
  const fingerprint = createHash("sha256").update(JSON.stringify(payload)).digest("base64url").slice(0, 22);
  return { payload, storedButtons: buttons.storedButtons, fingerprint, droppedButtons: buttons.dropped };
}
