// A task's state as a tracked record holds it, in memory and in the store: without `properties`,
// and with its buttons held compactly. At thousands of tracked tasks the buttons were most of the
// tracker's heap: nine objects and nine customIds per task that differ only in the job's hash
// ("MJ::JOB::upsample::1::<hash>"). A record keeps that hash once and shares everything else (the
// layout: labels, emoji, styles, the customIds around the hash) with every task that has the same
// buttons. Written to the store (JSON), the buttons are a plain list again, as older records hold.
import type { Button, Media, Task } from "../mj/schema.js";
import { memoized } from "../render/memo.js";

/** A task's buttons: the hash and a shared layout, or the list itself when it has no common hash. */
export type StoredButtons = CompactButtons | readonly Button[];

/** The state a record keeps: `properties` can hold secrets (the notifyHook URL) and are dropped. */
export type StoredTask = Omit<Task, "buttons"> & { buttons: StoredButtons };

/** One button of a layout: its customId (and URL) cut where the task's hash stood. */
interface ButtonTemplate {
  readonly customId: readonly string[];
  readonly url: readonly string[] | null;
  readonly emoji: string;
  readonly label: string;
  readonly type: number;
  readonly style: number;
}

/** Buttons of many tasks, but for their hash; one object per distinct layout (see LAYOUTS). */
class ButtonLayout {
  constructor(readonly templates: readonly ButtonTemplate[]) {}
}

/** A task's buttons as its hash and their layout. JSON (the store's rows) sees the plain list. */
export class CompactButtons {
  constructor(
    readonly layout: ButtonLayout,
    readonly hash: string,
  ) {}

  toJSON(): Button[] {
    return this.layout.templates.map((template) => {
      const button: Button = {
        customId: template.customId.join(this.hash),
        emoji: template.emoji,
        label: template.label,
        type: template.type,
        style: template.style,
      };
      if (template.url) button.url = template.url.join(this.hash);
      return button;
    });
  }
}

/**
 * Layouts seen so far, by their text. MJ has a few dozen (a grid's, an upscale's, a video's...);
 * a provider whose customIds differ in more than a hash would make one per task, so past this
 * many, new layouts are not shared and buttons are kept as they came.
 */
const MAX_LAYOUTS = 1000;
const LAYOUTS = new Map<string, ButtonLayout>();
/** MJ's hashes are UUIDs; a shorter common part of every customId is no hash. */
const MIN_HASH_LENGTH = 16;
const NO_BUTTONS: readonly Button[] = Object.freeze([]);

/** Every stored state's `properties`: none are kept, and one empty object does for all. */
const NO_PROPERTIES: Record<string, unknown> = Object.freeze({});

/**
 * Short texts that thousands of tasks hold alike (a status, an action, a percentage, "Submit
 * success"), one copy each: a parsed task brings its own copy of every one of them. The table is
 * bounded like any memo: past 1,000 texts it starts over.
 */
const sharedText = memoized((text: string) => text, { size: 1000, maxInputLength: 64 });

/** `text`, as the one copy of `same` when they are equal. */
function oneCopy(text: string, same: string): string {
  return text === same ? same : text;
}

const NO_MEDIA: readonly Media[] = Object.freeze([]);

function mediaList(list: readonly Media[]): Media[] {
  return (list.length === 0 ? NO_MEDIA : list) as Media[];
}

/**
 * `task` as a record keeps it (see StoredTask): one object literal, so every record's state has
 * the same shape with all its fields inside the object (a spread of a task with a few fields
 * replaced gave each an extra property array).
 */
export function storedState(task: Task | StoredTask): StoredTask {
  const buttons = Array.isArray(task.buttons) ? compactButtons(task.buttons) : task.buttons;
  // An English prompt is often promptEn again, and finalPrompt one of them: one copy of the text.
  const promptEn = oneCopy(task.promptEn, task.prompt);
  const finalPrompt = oneCopy(task.finalPrompt, promptEn);
  return {
    id: task.id,
    action: sharedText(task.action),
    status: sharedText(task.status),
    progress: sharedText(task.progress),
    prompt: task.prompt,
    promptEn,
    description: sharedText(task.description),
    failReason: sharedText(task.failReason),
    state: sharedText(task.state),
    submitTime: task.submitTime,
    startTime: task.startTime,
    finishTime: task.finishTime,
    imageUrl: task.imageUrl,
    imageUrls: mediaList(task.imageUrls),
    videoUrl: task.videoUrl,
    videoUrls: mediaList(task.videoUrls),
    buttons,
    finalPrompt,
    properties: NO_PROPERTIES,
  };
}

/** The task as rendering and upstream see it, from what a record keeps. */
export function shownTask(stored: StoredTask): Task {
  const { buttons } = stored;
  return { ...stored, buttons: buttons instanceof CompactButtons ? buttons.toJSON() : [...buttons] };
}

/** The buttons as a list (a new one for compact buttons). */
export function buttonList(buttons: StoredButtons): readonly Button[] {
  return buttons instanceof CompactButtons ? buttons.toJSON() : buttons;
}

/** `buttons` as their hash and a shared layout; the list itself when they have no common hash. */
export function compactButtons(buttons: readonly Button[]): StoredButtons {
  if (buttons.length === 0) return NO_BUTTONS;
  const hash = commonHash(buttons);
  if (hash === null) return buttons;
  const templates = buttons.map(
    (button): ButtonTemplate => ({
      customId: button.customId.split(hash),
      url: button.url === undefined ? null : button.url.split(hash),
      emoji: button.emoji,
      label: button.label,
      type: button.type,
      style: button.style,
    }),
  );
  const text = JSON.stringify(templates);
  let layout = LAYOUTS.get(text);
  if (!layout) {
    if (LAYOUTS.size >= MAX_LAYOUTS) return buttons;
    layout = new ButtonLayout(templates);
    LAYOUTS.set(text, layout);
  }
  return new CompactButtons(layout, ownCopy(hash));
}

/**
 * The longest "::"-separated part of the first customId that every other non-empty customId
 * holds too; null when there is none of MIN_HASH_LENGTH characters (or no customId).
 */
function commonHash(buttons: readonly Button[]): string | null {
  const withIds = buttons.filter((button) => button.customId !== "");
  const first = withIds[0];
  if (!first) return null;
  let best: string | null = null;
  for (const part of first.customId.split("::")) {
    if (part.length < MIN_HASH_LENGTH || (best !== null && part.length <= best.length)) continue;
    if (withIds.every((button) => button.customId.includes(part))) best = part;
  }
  return best;
}

/**
 * A copy of `part` that holds no reference to the customId it was cut from (V8 keeps a cut-out
 * string as a view of the whole), so the parsed customIds can be collected.
 */
function ownCopy(part: string): string {
  return [...part].join("");
}

/**
 * `next` (the caller's own copy, changed in place), with each field equal to `previous`'s taken
 * from `previous`; `previous` itself when no field differs. A record then holds one copy of a
 * prompt or a button list however often the task is polled, and the copies a poll parsed die young.
 */
export function shareUnchanged(previous: StoredTask, next: StoredTask): StoredTask {
  let changed = false;
  const fields = next as unknown as Record<string, unknown>;
  const earlier = previous as unknown as Record<string, unknown>;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    if (jsonEqual(earlier[key], fields[key])) fields[key] = earlier[key];
    else changed = true;
  }
  if (!changed) return previous;
  // A prompt taken from `previous` and an equal one that changed (finalPrompt, which appears with
  // the final state) are one text again.
  next.promptEn = oneCopy(next.promptEn, next.prompt);
  next.finalPrompt = oneCopy(next.finalPrompt, next.promptEn);
  return next;
}

/** Deep equality of JSON values (compact buttons as the list they stand for), key order aside. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof CompactButtons && b instanceof CompactButtons) {
    // Layouts are shared: the same layout is the same object.
    return a.layout === b.layout && a.hash === b.hash;
  }
  if (a instanceof CompactButtons) return jsonEqual(a.toJSON(), b);
  if (b instanceof CompactButtons) return jsonEqual(a, b.toJSON());
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!jsonEqual(a[index], b[index])) return false;
    return true;
  }
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(b, key)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
    count++;
  }
  for (const key in b) if (Object.hasOwn(b, key)) count--;
  return count === 0;
}
