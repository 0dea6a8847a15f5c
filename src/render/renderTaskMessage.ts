// Task -> the whole Discord message that shows it. Pure: the caller stores `storedButtons` and
// compares `fingerprint` with the last one sent to decide whether an edit is needed.
import { createHash } from "node:crypto";
import type { APIEmbed } from "discord.js";
import { ComponentType } from "discord.js";
import { isFinalStatus, type Task } from "../mj/schema.js";
import type { StoredButton } from "./customId.js";
import { openFormButton, renderButtonRows, type TaskButtonRow } from "./renderButtonRows.js";
import { type EmbedOptions, renderTaskEmbeds } from "./renderTaskEmbed.js";

/** A file sent with an edit (see media/): its name, as `attachment://` names it, and its bytes. */
export interface UploadFile {
  name: string;
  contentType: string;
  data: Uint8Array;
}

/** Files to upload with an edit, and the message to send instead should Discord refuse them. */
export interface MessageUploads {
  files: readonly UploadFile[];
  /** null: the message shows that already, so nothing is sent instead. */
  withoutFiles: TaskMessagePayload | null;
}

/** In discord.js option names, so it can go straight to reply()/editReply(). */
export interface TaskMessagePayload {
  content: string;
  embeds: APIEmbed[];
  components: TaskButtonRow[];
  allowedMentions: { parse: [] };
  /** Only on a channel edit that uploads the task's media (added by the tracker, never rendered). */
  uploads?: MessageUploads;
}

export interface RenderedTaskMessage {
  payload: TaskMessagePayload;
  storedButtons: StoredButton[];
  /** Changes exactly when the payload does. */
  fingerprint: string;
  /** Buttons that did not fit the 25 a message can hold. */
  droppedButtons: number;
}

/** The "Open the form" row of a task waiting for its prompt (Vary (Region) tasks are INPAINT). */
function modalRow(task: Task, options: EmbedOptions): TaskButtonRow {
  return {
    type: ComponentType.ActionRow,
    components: [openFormButton(task.id, task.action.toUpperCase() === "INPAINT", options.locale)],
  };
}

export interface TaskMessageOptions extends EmbedOptions {
  /** MJ customIds of the buttons whose action was already carried out from this message. */
  usedButtons?: readonly string[] | undefined;
}

export function renderTaskMessage(task: Task, options: TaskMessageOptions): RenderedTaskMessage {
  // Buttons only once the task is final: clicking an unfinished job's buttons fails upstream. A
  // task waiting for its prompt gets the button that opens the same form a click opens.
  const buttons = isFinalStatus(task.status)
    ? renderButtonRows(task.id, task.buttons, options.locale, new Set(options.usedButtons ?? []))
    : { rows: task.status === "MODAL" ? [modalRow(task, options)] : [], storedButtons: [], dropped: 0 };
  const payload: TaskMessagePayload = {
    content: "",
    embeds: renderTaskEmbeds(task, options),
    components: buttons.rows,
    allowedMentions: { parse: [] },
  };
  const fingerprint = createHash("sha256").update(JSON.stringify(payload)).digest("base64url").slice(0, 22);
  return { payload, storedButtons: buttons.storedButtons, fingerprint, droppedButtons: buttons.dropped };
}
