// keyv-backed records of which Discord message shows which MJ task: an SQLite file by default,
// Redis when several processes share the work. One keyv namespace, keys prefixed by record kind.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import KeyvRedis from "@keyv/redis";
import KeyvSqlite from "@keyv/sqlite";
import Keyv from "keyv";
import type { Task } from "../mj/schema.js";
import type { StoredButton } from "../render/customId.js";
import type { InteractionReply } from "./editScheduler.js";

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
   * The interaction this message answers, whose token edits it outside the global limit for
   * 15 minutes (kept so it is used after a restart too; a secret, never logged).
   */
  interaction?: InteractionReply | null;
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

/** The table @keyv/sqlite keeps its rows in (named explicitly, as the batched writes use it too). */
const SQLITE_TABLE = "keyv";
const NAMESPACE = "mjrelay";
/** Rows per batched statement (two parameters each, under SQLite's 999). */
const ROWS_PER_STATEMENT = 400;

type PendingWrite = { value: unknown; expires: number | undefined } | { deleted: true };

/**
 * SQLite writes made in the same turn of the event loop, written as one multi-row statement (one
 * transaction) instead of one prepared statement and transaction each: at thousands of tracked
 * tasks those were most of the tracker's CPU. Reads see pending writes at once; each write's
 * promise settles when its batch is on disk.
 */
class SqliteWriteBatcher {
  readonly #pending = new Map<string, PendingWrite>();
  #waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #scheduled = false;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sqlite: KeyvSqlite,
    private readonly serialize: (data: { value: unknown; expires?: number }) => string | Promise<string>,
  ) {}

  /** The pending write of `key`, if any (a read must see it). */
  pending(key: string): PendingWrite | undefined {
    return this.#pending.get(`${NAMESPACE}:${key}`);
  }

  set(key: string, value: unknown, ttlMs: number | undefined): Promise<void> {
    return this.#add(key, { value, expires: ttlMs === undefined ? undefined : Date.now() + ttlMs });
  }

  delete(key: string): Promise<void> {
    return this.#add(key, { deleted: true });
  }

  #add(key: string, write: PendingWrite): Promise<void> {
    // The newest write of a key replaces a pending one: only it reaches the disk.
    this.#pending.set(`${NAMESPACE}:${key}`, write);
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#flushing = this.#flushing.then(() => this.#write());
      });
    }
    return done;
  }

  /** Resolves once every write made so far is on disk. */
  async flush(): Promise<void> {
    if (this.#pending.size > 0) this.#flushing = this.#flushing.then(() => this.#write());
    await this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const writes = [...this.#pending];
    const waiters = this.#waiters;
    this.#waiters = [];
    try {
      const rows: string[] = [];
      const deletes: string[] = [];
      for (const [key, write] of writes) {
        if ("deleted" in write) {
          deletes.push(key);
          continue;
        }
        const data =
          write.expires === undefined
            ? { value: write.value }
            : { value: write.value, expires: write.expires };
        rows.push(key, await this.serialize(data));
      }
      for (let at = 0; at < rows.length; at += ROWS_PER_STATEMENT * 2) {
        const chunk = rows.slice(at, at + ROWS_PER_STATEMENT * 2);
        const values = Array.from({ length: chunk.length / 2 }, () => "(?, ?)").join(", ");
        await this.sqlite.query(
          `INSERT INTO ${SQLITE_TABLE} (key, value) VALUES ${values} ON CONFLICT(key) DO UPDATE SET value=excluded.value`,
          ...chunk,
        );
      }
      if (deletes.length > 0) {
        await this.sqlite.query(
          `DELETE FROM ${SQLITE_TABLE} WHERE key IN (SELECT value FROM json_each(?))`,
          JSON.stringify(deletes),
        );
      }
      for (const [key, write] of writes) if (this.#pending.get(key) === write) this.#pending.delete(key);
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const [key, write] of writes) if (this.#pending.get(key) === write) this.#pending.delete(key);
      for (const waiter of waiters) waiter.reject(error);
    }
  }
}

export class TrackingStore {
  readonly #keyv: Keyv;
  readonly #batch: SqliteWriteBatcher | undefined;

  private constructor(keyv: Keyv, batch?: SqliteWriteBatcher) {
    this.#keyv = keyv;
    this.#batch = batch;
  }

  async #get<T>(key: string): Promise<T | undefined> {
    const pending = this.#batch?.pending(key);
    if (pending) {
      if ("deleted" in pending) return undefined;
      if (pending.expires !== undefined && pending.expires <= Date.now()) return undefined;
      return pending.value as T;
    }
    return (await this.#keyv.get<T>(key)) ?? undefined;
  }

  async #set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    if (this.#batch) return this.#batch.set(key, value, ttlMs);
    await this.#keyv.set(key, value, ttlMs);
  }

  async #delete(key: string): Promise<void> {
    if (this.#batch) return this.#batch.delete(key);
    await this.#keyv.delete(key);
  }

  /** `sqlite://relative/path`, `sqlite:///absolute/path`, `redis://…` or `rediss://…`. */
  static async open(url: string): Promise<TrackingStore> {
    if (url.startsWith("redis://") || url.startsWith("rediss://")) {
      const keyv = new Keyv({ store: new KeyvRedis(url), namespace: NAMESPACE, useKeyPrefix: false });
      return new TrackingStore(keyv);
    }
    const file = sqliteFile(url);
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const sqlite = new KeyvSqlite({
      uri: `sqlite://${file}`,
      table: SQLITE_TABLE,
      busyTimeout: 10_000,
      iterationLimit: 500,
    });
    // WAL: readers never block the writer, and an interrupted write never leaves a torn file.
    await sqlite.query("PRAGMA journal_mode=WAL");
    // In WAL mode NORMAL still never corrupts the file and loses nothing when the process dies;
    // only a power cut can undo the last commits. FULL syncs the disk on every commit.
    await sqlite.query("PRAGMA synchronous=NORMAL");
    const keyv = new Keyv({ store: sqlite, namespace: NAMESPACE });
    // keyv's own row format ({ value, expires }, its serializer), so keyv reads the rows back.
    const serialize = keyv.serialize;
    const batch = new SqliteWriteBatcher(sqlite, (data) =>
      serialize ? serialize(data as Parameters<typeof serialize>[0]) : JSON.stringify(data),
    );
    return new TrackingStore(keyv, batch);
  }

  async getTask(taskId: string): Promise<TrackedTask | undefined> {
    return (await this.#get<TrackedTask>(TASK + taskId)) ?? undefined;
  }

  async saveTask(record: TrackedTask): Promise<void> {
    await this.#set(TASK + record.taskId, record, record.stopped === null ? undefined : STOPPED_TTL_MS);
  }

  async deleteTask(taskId: string): Promise<void> {
    await this.#delete(TASK + taskId);
  }

  /** Every task still being tracked (not stopped), e.g. to resume after a restart. */
  async *activeTasks(): AsyncGenerator<TrackedTask> {
    if (!this.#keyv.iterator) throw new Error("the store cannot enumerate its records");
    await this.#batch?.flush();
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
        this.#set(BUTTON + button.key, { taskId: button.taskId, customId: button.customId }),
      ),
    );
  }

  async getButton(key: string): Promise<StoredButton | undefined> {
    const value = await this.#get<{ taskId: string; customId: string }>(BUTTON + key);
    return value ? { key, ...value } : undefined;
  }

  async getClick(key: string): Promise<ClickRecord | undefined> {
    return (await this.#get<ClickRecord>(CLICK + key)) ?? undefined;
  }

  async saveClick(key: string, record: ClickRecord): Promise<void> {
    await this.#set(CLICK + key, record, record.status === "pending" ? PENDING_CLICK_TTL_MS : STOPPED_TTL_MS);
  }

  async deleteClick(key: string): Promise<void> {
    await this.#delete(CLICK + key);
  }

  async getHook(secretHash: string): Promise<HookTarget | undefined> {
    return (await this.#get<HookTarget>(HOOK + secretHash)) ?? undefined;
  }

  async saveHook(target: HookTarget): Promise<void> {
    await this.#set(HOOK + target.secretHash, target);
  }

  async deleteHook(secretHash: string): Promise<void> {
    await this.#delete(HOOK + secretHash);
  }

  async getBotHookSecret(): Promise<string | undefined> {
    return (await this.#get<string>(BOT_HOOK_SECRET)) ?? undefined;
  }

  async saveBotHookSecret(secret: string): Promise<void> {
    await this.#set(BOT_HOOK_SECRET, secret);
  }

  async getFeed(channelId: string): Promise<Feed | undefined> {
    return (await this.#get<Feed>(FEED + channelId)) ?? undefined;
  }

  async saveFeed(feed: Feed): Promise<void> {
    await this.#set(FEED + feed.channelId, feed);
  }

  async deleteFeed(channelId: string): Promise<void> {
    await this.#delete(FEED + channelId);
  }

  /** Answers only when the backing store answers (for health checks). */
  async ping(): Promise<void> {
    await this.#keyv.get("ping");
  }

  async close(): Promise<void> {
    await this.#batch?.flush();
    await this.#keyv.disconnect();
  }
}

function sqliteFile(url: string): string {
  const path = url.replace(/^sqlite:\/\//, "");
  if (path === ":memory:") return path;
  return resolve(path);
}
