// zod schemas for what MJ-proxy servers answer. Every family leaves fields out, sends null, or
// sends numbers as strings, so each field is parsed leniently; only a missing id makes a body
// "not a task".
import { z } from "zod";

/** Statuses after which a task never changes again. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(["SUCCESS", "FAILURE", "CANCEL"]);

export function isFinalStatus(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

const text = z
  .unknown()
  .optional()
  .transform((value): string => {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return "";
  });

/** Unix milliseconds; null for "not yet" (proxies send null, new-api sends 0). */
const time = z
  .unknown()
  .optional()
  .transform((value): number | null => {
    let ms = Number.NaN;
    if (typeof value === "number") ms = value;
    else if (typeof value === "string" && value.trim() !== "") {
      ms = /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
    }
    return Number.isFinite(ms) && ms > 0 ? ms : null;
  });

const integer = (fallback: number) =>
  z
    .unknown()
    .optional()
    .transform((value): number => {
      const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
      return Number.isInteger(n) ? n : fallback;
    });

const progress = z
  .unknown()
  .optional()
  .transform((value): string => {
    if (typeof value === "number" && Number.isFinite(value)) return `${value}%`;
    return typeof value === "string" ? value.trim() : "";
  });

const record = z
  .unknown()
  .optional()
  .transform(
    (value): Record<string, unknown> =>
      value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {},
  );

/** Accepts elements that parse and drops the rest, so one odd entry never loses the others. */
function lenientArray<T>(element: z.ZodType<T>) {
  return z
    .unknown()
    .optional()
    .transform((value): T[] => {
      if (!Array.isArray(value)) return [];
      const out: T[] = [];
      for (const item of value) {
        const parsed = element.safeParse(item);
        if (parsed.success) out.push(parsed.data);
      }
      return out;
    });
}

const id = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .pipe(z.string().min(1));

export const ButtonSchema = z.object({
  customId: id,
  emoji: text,
  label: text,
  type: integer(2),
  style: integer(2),
});
export type Button = z.output<typeof ButtonSchema>;

const MediaSchema = z.object({ url: z.string().min(1), thumbnail: text });

export const TaskSchema = z.object({
  id,
  action: text,
  /** Upper-cased; new-api's "" (not polled upstream yet) becomes SUBMITTED. */
  status: text.transform((status) => status.trim().toUpperCase() || "SUBMITTED"),
  progress,
  prompt: text,
  promptEn: text,
  description: text,
  failReason: text,
  state: text,
  submitTime: time,
  startTime: time,
  finishTime: time,
  imageUrl: text,
  imageUrls: lenientArray(MediaSchema),
  videoUrl: text,
  videoUrls: lenientArray(MediaSchema),
  buttons: lenientArray(ButtonSchema),
  properties: record,
});
export type Task = z.output<typeof TaskSchema>;

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
  properties: record,
});
export type SubmitResult = z.output<typeof SubmitResultSchema>;

/** Parses one task; null when the body is not a task (e.g. new-api's `{"code":4,...}`). */
export function parseTask(body: unknown): Task | null {
  const parsed = TaskSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/**
 * The id of a task as upstream sent it, read the way TaskSchema reads it; null when `body` is not
 * a task. Lets a poll match and compare raw tasks without parsing them.
 */
export function rawTaskId(body: unknown): string | null {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return null;
  const id = (body as { id?: unknown }).id;
  if (typeof id !== "string" && typeof id !== "number") return null;
  const text = String(id).trim();
  return text === "" ? null : text;
}

/** The numeric part of a progress string ("45%" -> 45), or null when there is none. */
export function progressPercent(task: Pick<Task, "progress">): number | null {
  const match = /(\d+(?:\.\d+)?)/.exec(task.progress);
  if (!match?.[1]) return null;
  const n = Number(match[1]);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : null;
}
