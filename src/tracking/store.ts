// keyv-backed records of which Discord message shows which MJ task: an SQLite file by default,
// Redis when several processes share the work. One keyv namespace, keys prefixed by record kind.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import KeyvRedis from "@keyv/redis";
import KeyvSqlite from "@keyv/sqlite";
import Keyv from "keyv";
import type { Task } from "../mj/schema.js";
import type { StoredButton } from "../render/customId.js";

/** One Discord message that shows a task. */
export interface TrackedMessage {
  messageId: string;
  channelId: string;
  guildId: string | null;
  /** Who asked for the message (command user or submitter); null for feeds. */
  requesterId: string | null;
  /** Fingerprint of the payload last sent to this message; equal payloads are not sent again. */
  fingerprint: string;
  createdAt: number;
  /**
   * The task's media uploaded as files of this message (upstream URL -> file name), so later
   * edits point at them instead of uploading again; absent until the upload was tried.
   */
  media?: { files: MessageFile[] };
}

/** A file of a message that shows one of its task's pictures or videos. */
export interface MessageFile {
  source: string;
  name: string;
}

export type StopReason = "final" | "max-age" | "not-found" | "no-messages";

/** A task and the messages that show it. */
export interface TrackedTask {
  taskId: string;
  messages: TrackedMessage[];
  /** Last applied status and percentage: a task never moves backwards. */
  status: string;
  progress: number | null;
  /** Set once the task is no longer polled. */
  stopped: StopReason | null;
  /** Why tracking will stop once the last edits are confirmed (absent in older records). */
  finishing?: StopReason | null;
  /** Line shown under the task (e.g. queue position), kept across re-renders. */
  notice: string | null;
  createdAt: number;
  updatedAt: number;
  /** The last applied state (without `properties`), to re-render without asking upstream. */
  lastTask: Task;
  /** Consecutive upstream failures for this task (unknown id, errors), and since when. */
  failures: number;
  failingSince: number | null;
}

/** What became of a click on a mirrored button (or a prompt modal), so it is submitted once. */
export type ClickRecord =
  | { status: "pending"; at: number }
  /** Upstream asked for a prompt: clicking again reopens the modal for the same MODAL task. */
  | { status: "modal"; at: number; modalTaskId: string; prompt: string; title: string; region: boolean }
  | {
      status: "done";
      at: number;
      taskId: string;
      channelId: string;
      messageId: string;
      guildId: string | null;
    };

/** Where callbacks at one notifyHook secret go. */
export type HookTarget =
  | { kind: "bot"; secretHash: string }
  | { kind: "feed"; secretHash: string; channelId: string; guildId: string | null };

/** A channel that receives every task whose callbacks arrive at its own notifyHook URL. */
export interface Feed {
  channelId: string;
  guildId: string | null;
  secret: string;
  createdBy: string;
  createdAt: number;
}

const TASK = "task:";
const BUTTON = "button:";
const CLICK = "click:";
const HOOK = "hook:";
const FEED = "feed:";
const BOT_HOOK_SECRET = "bot-hook-secret";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Finished records stay a while, so buttons and "already shown" answers keep working. */
const STOPPED_TTL_MS = 30 * DAY_MS;
/** A pending click outlives a quick restart but never blocks its button for long. */
const PENDING_CLICK_TTL_MS = 60_000;

export class TrackingStore {
  readonly #keyv: Keyv;

  private constructor(keyv: Keyv) {
    this.#keyv = keyv;
  }

  /** `sqlite://relative/path`, `sqlite:///absolute/path`, `redis://…` or `rediss://…`. */
  static async open(url: string): Promise<TrackingStore> {
    if (url.startsWith("redis://") || url.startsWith("rediss://")) {
      const keyv = new Keyv({ store: new KeyvRedis(url), namespace: "mjrelay", useKeyPrefix: false });
      return new TrackingStore(keyv);
    }
    const file = sqliteFile(url);
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const sqlite = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 10_000, iterationLimit: 500 });
    // WAL: readers never block the writer, and an interrupted write never leaves a torn file.
    await sqlite.query("PRAGMA journal_mode=WAL");
    return new TrackingStore(new Keyv({ store: sqlite, namespace: "mjrelay" }));
  }

  async getTask(taskId: string): Promise<TrackedTask | undefined> {
    return (await this.#keyv.get<TrackedTask>(TASK + taskId)) ?? undefined;
  }

  async saveTask(record: TrackedTask): Promise<void> {
    await this.#keyv.set(TASK + record.taskId, record, record.stopped === null ? undefined : STOPPED_TTL_MS);
  }

  async deleteTask(taskId: string): Promise<void> {
    await this.#keyv.delete(TASK + taskId);
  }

  /** Every task still being tracked (not stopped), e.g. to resume after a restart. */
  async *activeTasks(): AsyncGenerator<TrackedTask> {
    if (!this.#keyv.iterator) throw new Error("the store cannot enumerate its records");
    for await (const [key, value] of this.#keyv.iterator(undefined)) {
      if (typeof key !== "string" || !key.startsWith(TASK)) continue;
      const record = value as TrackedTask | undefined;
      if (record && record.stopped === null) yield record;
    }
  }

  async saveButtons(buttons: readonly StoredButton[]): Promise<void> {
    if (buttons.length === 0) return;
    await Promise.all(
      buttons.map((button) =>
        this.#keyv.set(BUTTON + button.key, { taskId: button.taskId, customId: button.customId }),
      ),
    );
  }

  async getButton(key: string): Promise<StoredButton | undefined> {
    const value = await this.#keyv.get<{ taskId: string; customId: string }>(BUTTON + key);
    return value ? { key, ...value } : undefined;
  }

  async getClick(key: string): Promise<ClickRecord | undefined> {
    return (await this.#keyv.get<ClickRecord>(CLICK + key)) ?? undefined;
  }

  async saveClick(key: string, record: ClickRecord): Promise<void> {
    await this.#keyv.set(
      CLICK + key,
      record,
      record.status === "pending" ? PENDING_CLICK_TTL_MS : STOPPED_TTL_MS,
    );
  }

  async deleteClick(key: string): Promise<void> {
    await this.#keyv.delete(CLICK + key);
  }

  async getHook(secretHash: string): Promise<HookTarget | undefined> {
    return (await this.#keyv.get<HookTarget>(HOOK + secretHash)) ?? undefined;
  }

  async saveHook(target: HookTarget): Promise<void> {
    await this.#keyv.set(HOOK + target.secretHash, target);
  }

  async deleteHook(secretHash: string): Promise<void> {
    await this.#keyv.delete(HOOK + secretHash);
  }

  async getBotHookSecret(): Promise<string | undefined> {
    return (await this.#keyv.get<string>(BOT_HOOK_SECRET)) ?? undefined;
  }

  async saveBotHookSecret(secret: string): Promise<void> {
    await this.#keyv.set(BOT_HOOK_SECRET, secret);
  }

  async getFeed(channelId: string): Promise<Feed | undefined> {
    return (await this.#keyv.get<Feed>(FEED + channelId)) ?? undefined;
  }

  async saveFeed(feed: Feed): Promise<void> {
    await this.#keyv.set(FEED + feed.channelId, feed);
  }

  async deleteFeed(channelId: string): Promise<void> {
    await this.#keyv.delete(FEED + channelId);
  }

  /** Answers only when the backing store answers (for health checks). */
  async ping(): Promise<void> {
    await this.#keyv.get("ping");
  }

  async close(): Promise<void> {
    await this.#keyv.disconnect();
  }
}

function sqliteFile(url: string): string {
  const path = url.replace(/^sqlite:\/\//, "");
  if (path === ":memory:") return path;
  return resolve(path);
}
