// Codec for the custom_id of mirrored buttons and of the prompt modal. A button carries the task
// id and the MJ customId directly when both fit Discord's 100 characters; otherwise it carries a
// short key and the pair is stored (see tracking/store.ts).
import { createHash } from "node:crypto";

/** Discord's limit on a component's custom_id. */
export const CUSTOM_ID_MAX = 100;

const DIRECT = "mj:";
const KEYED = "mjk:";
const MODAL = "mjmodal:";
const REGION_SUFFIX = ":region";

/** custom_id prefixes of mirrored buttons, and of the prompt modal (and the button that opens it). */
export const BUTTON_ID_PREFIXES = [DIRECT, KEYED] as const;
export const MODAL_ID_PREFIX = MODAL;

/** A button whose MJ customId did not fit in its custom_id: the pair to remember under `key`. */
export interface StoredButton {
  key: string;
  taskId: string;
  customId: string;
}

export type DecodedButtonId =
  | { kind: "direct"; taskId: string; customId: string }
  | { kind: "keyed"; key: string };

/** Deterministic, so re-rendering a task yields the same keys and storing them again is harmless. */
export function buttonKey(taskId: string, customId: string): string {
  return createHash("sha256").update(`${taskId}\n${customId}`).digest("base64url").slice(0, 22);
}

export function encodeButtonId(
  taskId: string,
  customId: string,
): { customId: string; stored?: StoredButton } {
  const direct = `${DIRECT}${taskId}:${customId}`;
  if (direct.length <= CUSTOM_ID_MAX) return { customId: direct };
  const key = buttonKey(taskId, customId);
  return { customId: `${KEYED}${key}`, stored: { key, taskId, customId } };
}

/** null for a custom_id that is not one of ours. */
export function decodeButtonId(customId: string): DecodedButtonId | null {
  if (customId.startsWith(KEYED)) {
    const key = customId.slice(KEYED.length);
    return key ? { kind: "keyed", key } : null;
  }
  if (customId.startsWith(DIRECT)) {
    const rest = customId.slice(DIRECT.length);
    const separator = rest.indexOf(":");
    if (separator <= 0 || separator === rest.length - 1) return null;
    return { kind: "direct", taskId: rest.slice(0, separator), customId: rest.slice(separator + 1) };
  }
  return null;
}

/** The prompt modal for a MODAL task; `region` marks Vary (Region), which upstream may want a mask for. */
export function encodeModalId(taskId: string, region = false): string {
  return `${MODAL}${taskId}${region ? REGION_SUFFIX : ""}`;
}

export function decodeModalId(customId: string): { taskId: string; region: boolean } | null {
  if (!customId.startsWith(MODAL)) return null;
  let taskId = customId.slice(MODAL.length);
  const region = taskId.endsWith(REGION_SUFFIX);
  if (region) taskId = taskId.slice(0, -REGION_SUFFIX.length);
  return taskId ? { taskId, region } : null;
}
