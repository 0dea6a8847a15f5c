// What MJ-proxy servers answer: tasks (read by hand, field by field, leniently) and submit
// results (a zod schema).
import { z } from "zod";

/** Statuses after which a task never changes again. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(["SUCCESS", "FAILURE", "CANCEL"]);

export function isFinalStatus(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

// Field readers. Plain functions: a poll parses thousands of tasks, and a validation library's
// bookkeeping per field would cost more than the fields themselves.

function toText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

/** Unix milliseconds; null for "not yet" (proxies send null, new-api sends 0). */
function toTime(value: unknown): number | null {
  let ms = Number.NaN;
  if (typeof value === "number") ms = value;
  else if (typeof value === "string" && value.trim() !== "") {
    ms = /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  }
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

function toInteger(value: unknown, fallback: number): number {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isInteger(n) ? n : fallback;
}

function toProgress(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value)) return `${value}%`;
  return typeof value === "string" ? value.trim() : "";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function toRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** A non-empty id from a string or a number; null otherwise. */
function toId(value: unknown): string | null {
  if (typeof value !== "string" && (typeof value !== "number" || !Number.isFinite(value))) return null;
  const id = String(value).trim();
  return id === "" ? null : id;
}

/** Keeps the elements that read and drops the rest, so one odd entry never loses the others. */
function toList<T>(value: unknown, read: (item: unknown) => T | null): T[] {
  if (!Array.isArray(value)) return [];
  const out: T[] = [];
  for (const item of value) {
    const parsed = read(item);
    if (parsed !== null) out.push(parsed);
  }
  return out;
}

export interface Button {
  /** "" for a link button. */
  customId: string;
  emoji: string;
  label: string;
  type: number;
  style: number;
  /** Link buttons (style 5, e.g. Midjourney's "Web") carry a URL instead of a customId. */
  url?: string;
}

const LINK_STYLE = 5;

function toButton(value: unknown): Button | null {
  if (!isRecord(value)) return null;
  const style = toInteger(value.style, 2);
  const url = style === LINK_STYLE ? toText(value.url).trim() : "";
  const customId = toId(value.customId) ?? (url ? "" : null);
  if (customId === null) return null;
  // One literal, one shape: a spread would give each of a poll's thousands of buttons a larger,
  // slower object.
  const button: Button = {
    customId,
    emoji: toText(value.emoji),
    label: toText(value.label),
    type: toInteger(value.type, 2),
    style,
  };
  if (url) button.url = url;
  return button;
}

export interface Media {
  url: string;
  thumbnail: string;
}

function toMedia(value: unknown): Media | null {
  if (!isRecord(value) || typeof value.url !== "string" || value.url === "") return null;
  return { url: value.url, thumbnail: toText(value.thumbnail) };
}

/** A task as mjrelay sees it, whichever MJ-proxy family sent it. */
export interface Task {
  id: string;
  action: string;
  /** Upper-cased; new-api's "" (not polled upstream yet) becomes SUBMITTED. */
  status: string;
  progress: string;
  prompt: string;
  promptEn: string;
  description: string;
  failReason: string;
  state: string;
  submitTime: number | null;
  startTime: number | null;
  finishTime: number | null;
  imageUrl: string;
  imageUrls: Media[];
  videoUrl: string;
  videoUrls: Media[];
  buttons: Button[];
  /**
   * `properties.finalPrompt`, the one property rendering needs (the Java proxy's describe result);
   * the rest of `properties` is never shown or stored.
   */
  finalPrompt: string;
  properties: Record<string, unknown>;
}

/**
 * Parses one task; null when the body is not a task (e.g. new-api's `{"code":4,...}`). Every
 * family leaves fields out, sends null, or sends numbers as strings, so each field is read
 * leniently; only a missing id makes a body "not a task".
 */
export function parseTask(body: unknown): Task | null {
  if (!isRecord(body)) return null;
  const id = toId(body.id);
  if (id === null) return null;
  const properties = toRecord(body.properties);
  return {
    id,
    action: toText(body.action),
    status: toText(body.status).trim().toUpperCase() || "SUBMITTED",
    progress: toProgress(body.progress),
    prompt: toText(body.prompt),
    promptEn: toText(body.promptEn),
    description: toText(body.description),
    failReason: toText(body.failReason),
    state: toText(body.state),
    submitTime: toTime(body.submitTime),
    startTime: toTime(body.startTime),
    finishTime: toTime(body.finishTime),
    imageUrl: toText(body.imageUrl),
    imageUrls: toList(body.imageUrls, toMedia),
    videoUrl: toText(body.videoUrl),
    videoUrls: toList(body.videoUrls, toMedia),
    buttons: toList(body.buttons, toButton),
    finalPrompt: typeof properties.finalPrompt === "string" ? properties.finalPrompt : "",
    properties,
  };
}

/**
 * The id of a task as upstream sent it, read the way parseTask reads it; null when `body` is not
 * a task.
 */
export function rawTaskId(body: unknown): string | null {
  return isRecord(body) ? toId(body.id) : null;
}

const text = z.unknown().optional().transform(toText);

export const SubmitResultSchema = z.object({
  code: z.union([z.number(), z.string()]).transform(Number).pipe(z.number().int()),
  description: text,
  result: z
    .unknown()
    .optional()
    .transform((value): string | string[] | null =>
      typeof value === "string" || typeof value === "number"
        ? String(value)
        : Array.isArray(value)
          ? value.map(String)
          : null,
    ),
  properties: z.unknown().optional().transform(toRecord),
});
export type SubmitResult = z.output<typeof SubmitResultSchema>;

/** The numeric part of a progress string ("45%" -> 45), or null when there is none. */
export function progressPercent(task: Pick<Task, "progress">): number | null {
  const match = /(\d+(?:\.\d+)?)/.exec(task.progress);
  if (!match?.[1]) return null;
  const n = Number(match[1]);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : null;
}
