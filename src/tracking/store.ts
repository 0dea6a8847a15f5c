// keyv-backed records of which Discord message shows which MJ task: an SQLite file by default,
// Redis when several processes share the work. One keyv namespace, keys prefixed by record kind.
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import KeyvRedis from "@keyv/redis";
import KeyvSqlite from "@keyv/sqlite";
import Keyv from "keyv";
import type { Phrase } from "../i18n/catalogue.js";
import type { Locale } from "../i18n/locale.js";
import type { StoredButton } from "../render/customId.js";
import type { InteractionReply } from "./editScheduler.js";
import { type StoredTask, storedState } from "./storedTask.js";

/** One Discord message that shows a task. */
export interface TrackedMessage {
  messageId: string;
  channelId: string;
  guildId: string | null;
  /** Who asked for the message (command user or submitter); null for feeds. */
  requesterId: string | null;
  /**
   * The language it is written in (the server's, or BOT_LOCALE's, when it was posted), so every
   * edit, after a restart too, speaks it. Absent in older records: English.
   */
  locale?: Locale;
  /** Fingerprint of the payload last sent to this message; equal payloads are not sent again. */
  fingerprint: string;
  createdAt: number;
  /**
   * The interaction this message answers, whose token edits it outside the global limit for
   * 15 minutes (kept so it is used after a restart too; a secret, never logged).
   */
  interaction?: InteractionReply | null;
  /** Since when Discord refuses edits of it with Missing Access/Permissions (retried with backoff). */
  forbiddenSince?: number | null;
  /**
   * The task's media uploaded as files of this message (upstream URL -> file name), so later
   * edits point at them instead of uploading again; absent until the upload was tried.
   */
  media?: { files: MessageFile[] };
  /**
   * MJ customIds of the buttons on this message whose action upstream accepted: shown as used,
   * on every later render too. Absent: none.
   */
  usedButtons?: string[];
}

/** A file of a message that shows one of its task's pictures or videos. */
export interface MessageFile {
  source: string;
  name: string;
}

export type StopReason = "final" | "max-age" | "not-found" | "no-messages";

/**
 * The reply that mentions a task's requester once it finished after running a while: due from the
 * moment the final state is recorded (in the same write), sent with `nonce` (Discord answers a
 * repeat of it with the first message), then recorded as sent. `attempted`: a send was begun, so
 * after a restart the reply is looked for before it is sent again.
 */
export type CompletionPing =
  | {
      state: "due";
      nonce: string;
      userId: string;
      /** The task's message it replies to. */
      channelId: string;
      messageId: string;
      guildId: string | null;
      attempted?: boolean;
    }
  | { state: "sent"; at: number; pingMessageId: string }
  | { state: "dropped"; at: number };

/** A task and the messages that show it. */
export interface TrackedTask {
  taskId: string;
  /**
   * The feed channel this record shows the task for. A feed's callbacks only ever change the
   * feed's own record; absent or null: the bot's own record (commands, clicks, /mjstatus).
   */
  feedChannelId?: string | null;
  messages: TrackedMessage[];
  /** Last applied status and percentage: a task never moves backwards. */
  status: string;
  progress: number | null;
  /** Set once the task is no longer polled. */
  stopped: StopReason | null;
  /** Why tracking will stop once the last edits are confirmed (absent in older records). */
  finishing?: StopReason | null;
  /** Line shown under the task (e.g. queue position), kept across re-renders, said in each message's language. */
  notice: Phrase | null;
  createdAt: number;
  updatedAt: number;
  /** The last applied state (see StoredTask), to re-render without asking upstream. */
  lastTask: StoredTask;
  /**
   * Where `lastTask` came from: the bot's own upstream (polls, fetches, its own notifyHook) or a
   * feed's callback, which anyone holding the feed URL can send. Absent in older records: upstream.
   */
  stateFrom?: "upstream" | "feed";
  /** When `lastTask` arrived. */
  stateAt?: number;
  /** Consecutive answers of upstream that it does not know this task, and since when. */
  failures: number;
  failingSince: number | null;
  /** Since when polls fail, while the record's messages say the provider is not answering. */
  outageSince?: number | null;
  /** When upstream last showed a visible change (status, progress, preview); absent: `stateAt`. */
  movedAt?: number;
  /** Since when nothing has moved, while the record's messages say so (STALL_NOTICE_MS). */
  stalledSince?: number | null;
  /** The bot's own record of a task its requester waited for (COMPLETION_PING_AFTER_MS). */
  completionPing?: CompletionPing | null;
}

/** The store key of a record: the task id for the bot's own record, else the feed's. */
export function recordKey(record: Pick<TrackedTask, "taskId" | "feedChannelId">): string {
  return record.feedChannelId ? feedRecordKey(record.feedChannelId, record.taskId) : record.taskId;
}

export function feedRecordKey(feedChannelId: string, taskId: string): string {
  return `feed:${feedChannelId}:${taskId}`;
}

/** What became of a click on a mirrored button (or a prompt modal), so it is submitted once. */
export type ClickRecord =
  /** Submitting: kept until upstream's answer is known (see ClickLedger). */
  | { status: "pending"; at: number }
  /**
   * Upstream asked for a prompt: clicking again reopens the modal for the same MODAL task, for
   * the member it was opened for (`userId`; absent in older records).
   */
  | {
      status: "modal";
      at: number;
      modalTaskId: string;
      prompt: string;
      /** The form's title: the clicked button's name (a string in records older than the catalogues). */
      title: Phrase | string;
      region: boolean;
      userId?: string;
    }
  /** Upstream started `taskId`; its message is being posted (or recovered after a restart). */
  | { status: "posting"; at: number; taskId: string }
  /** Upstream started `taskId`, but no message could be posted for it. */
  | { status: "submitted"; at: number; taskId: string }
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

/**
 * A message about to be sent for a task: written before it is sent and deleted once the message
 * is tracked, so a restart in between finds the message (or posts it) instead of losing it.
 */
export interface PendingPost {
  id: string;
  /** The shard that sends it; after a crash, the same shard recovers it. */
  shardId: number;
  taskId: string;
  feedChannelId: string | null;
  channelId: string;
  guildId: string | null;
  requesterId: string | null;
  /** The language of the message (see TrackedMessage.locale). */
  locale: Locale;
  notice: Phrase | null;
  /** The message it answers (a clicked one). */
  replyTo: string | null;
  /** The click (or form) whose result it is: settled once the message is known. */
  clickKey: string | null;
  /** An interaction reply: its token finds (or fills) the reply while it is valid (15 minutes). */
  interaction: { applicationId: string; token: string; createdAt: number } | null;
  startedAt: number;
}

/** A prompt form the bot opened: only `userId` may submit it. */
export interface OpenedForm {
  userId: string;
  /** The task whose button asked for the form. */
  sourceTaskId: string;
  at: number;
  /** The clicked button and its message, shown as used once the form's job starts. */
  source?: { channelId: string; messageId: string; customId: string };
}

/** A task the bot started for a member, in their list of recent jobs (/mjjobs). */
export interface RecentJob {
  taskId: string;
  at: number;
}

/** How many recent jobs each member's list keeps. */
export const RECENT_JOBS_KEPT = 10;

/** What one member has spent, for SUBMIT_COOLDOWN_MS, SUBMIT_DAILY_LIMIT and SUBMIT_MAX_RUNNING. */
export interface MemberSpend {
  /** The UTC day `count` is for (YYYY-MM-DD). */
  day: string;
  count: number;
  lastAt: number | null;
  /** Tasks the member started that were not seen finished yet. */
  running: { taskId: string; at: number }[];
}

/** A channel that receives every task whose callbacks arrive at its own notifyHook URL. */
export interface Feed {
  channelId: string;
  guildId: string | null;
  secret: string;
  createdBy: string;
  createdAt: number;
  /** The server's preferred locale when the feed was made (absent in older records). */
  guildLocale?: string | null;
}

const TASK = "task:";
const BUTTON = "button:";
const CLICK = "click:";
const HOOK = "hook:";
const FEED = "feed:";
const POST = "post:";
const SUBMITTER = "submitter:";
const FORM = "form:";
const SPEND = "spend:";
const RECENT_JOBS = "jobs:";
const BOT_HOOK_SECRET = "bot-hook-secret";
const HEALTH_CHECK = "health-check";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Finished records stay a while, so buttons and "already shown" answers keep working. */
const STOPPED_TTL_MS = 30 * DAY_MS;
/** Default life of a pending click mark; the ledger asks for one that outlasts an upstream call. */
const PENDING_CLICK_TTL_MS = 60_000;
/** A post not completed within a day will not be: its interaction and its moment are long gone. */
const PENDING_POST_TTL_MS = DAY_MS;
/** MODAL tasks wait minutes upstream; a form kept a day is plenty. */
const FORM_TTL_MS = DAY_MS;
/** Spend records outlive the UTC day they count and the tasks they hold. */
const SPEND_TTL_MS = 8 * DAY_MS;

/** The SQLite file a store was opened on, to notice when it is removed or replaced under it. */
interface SqliteFile {
  path: string;
  dev: number;
  ino: number;
}

/**
 * A row as keyv's own serializer writes it (records hold no Buffers): JSON, with every string
 * value that starts with ":" given one more, which keyv's reader takes off again.
 */
export function keyvRow(data: { value: unknown; expires?: number }): string {
  // A replacer costs a call per value, and most rows have no such string. In JSON.stringify's
  // output (no spaces) a string's opening quote follows ":", ",", "[" or "{", so a string that
  // starts with ":" always shows as one of those, a quote and a colon; text without that needs
  // nothing more. (A key that ends in ":" matches too, and only costs the replacer's pass.)
  const plain = JSON.stringify(data);
  if (!COLON_STRING.test(plain)) return plain;
  return JSON.stringify(data, (_key, value: unknown) =>
    typeof value === "string" && value.charCodeAt(0) === COLON ? `:${value}` : value,
  );
}

const COLON = 0x3a;
const COLON_STRING = /[:,[{]":/;

/** The table @keyv/sqlite keeps its rows in (named explicitly, as the batched writes use it too). */
const SQLITE_TABLE = "keyv";
const NAMESPACE = "mjrelay";
/** Rows per batched statement (two parameters each, under SQLite's 999). */
const ROWS_PER_STATEMENT = 400;

type PendingWrite = { value: unknown; expires: number | undefined } | { deleted: true };

/**
 * SQLite writes made in one turn of the event loop, written as one multi-row statement (one
 * transaction) instead of one prepared statement and transaction each: at thousands of tracked
 * tasks those were most of the tracker's CPU. While a statement runs, the next writes gather
 * behind it (a group commit): under load batches grow, and a lone write waits for nothing. Reads
 * see pending writes at once; each write's promise settles when its batch is on disk.
 */
class SqliteWriteBatcher {
  readonly #pending = new Map<string, PendingWrite>();
  #waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #scheduled = false;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sqlite: KeyvSqlite,
    private readonly serialize: (data: { value: unknown; expires?: number }) => string,
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
      const upserts: [string, { value: unknown; expires?: number }][] = [];
      const deletes: string[] = [];
      for (const [key, write] of writes) {
        if ("deleted" in write) deletes.push(key);
        else
          upserts.push([
            key,
            write.expires === undefined
              ? { value: write.value }
              : { value: write.value, expires: write.expires },
          ]);
      }
      // Serialized one statement at a time: a burst of thousands of final states (each row a few
      // KB) never has all its JSON in memory at once.
      for (let at = 0; at < upserts.length; at += ROWS_PER_STATEMENT) {
        const chunk = upserts.slice(at, at + ROWS_PER_STATEMENT);
        const values = Array.from({ length: chunk.length }, () => "(?, ?)").join(", ");
        await this.sqlite.query(
          `INSERT INTO ${SQLITE_TABLE} (key, value) VALUES ${values} ON CONFLICT(key) DO UPDATE SET value=excluded.value`,
          ...chunk.flatMap(([key, data]) => [key, this.serialize(data)]),
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
  readonly #file: SqliteFile | undefined;
  readonly #batch: SqliteWriteBatcher | undefined;

  private constructor(keyv: Keyv, file?: SqliteFile, batch?: SqliteWriteBatcher) {
    this.#keyv = keyv;
    this.#file = file;
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
    // keyv's own row format ({ value, expires }, strings that start with ":" escaped as keyv
    // escapes them), so keyv reads the rows back; JSON.stringify does the work, not keyv's
    // serializer written in JavaScript (twice the CPU for the same text).
    const batch = new SqliteWriteBatcher(sqlite, keyvRow);
    if (file === ":memory:") return new TrackingStore(keyv, undefined, batch);
    const { dev, ino } = statSync(file);
    return new TrackingStore(keyv, { path: file, dev, ino }, batch);
  }

  /** A record by its key (see recordKey): the task id for the bot's own record. */
  async getTask(key: string): Promise<TrackedTask | undefined> {
    const record = await this.#get<TrackedTask>(TASK + key);
    return record ? readableTask(record) : undefined;
  }

  async saveTask(record: TrackedTask): Promise<void> {
    await this.#set(TASK + recordKey(record), record, record.stopped === null ? undefined : STOPPED_TTL_MS);
  }

  async deleteTask(key: string): Promise<void> {
    await this.#delete(TASK + key);
  }

  /** Every task still being tracked (not stopped), e.g. to resume after a restart. */
  async *activeTasks(): AsyncGenerator<TrackedTask> {
    if (!this.#keyv.iterator) throw new Error("the store cannot enumerate its records");
    await this.#batch?.flush();
    for await (const [key, value] of this.#keyv.iterator(undefined)) {
      if (typeof key !== "string" || !key.startsWith(TASK)) continue;
      const record = value as TrackedTask | undefined;
      if (record && record.stopped === null) yield readableTask(record);
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

  async saveClick(key: string, record: ClickRecord, pendingTtlMs = PENDING_CLICK_TTL_MS): Promise<void> {
    await this.#set(CLICK + key, record, record.status === "pending" ? pendingTtlMs : STOPPED_TTL_MS);
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

  async savePendingPost(post: PendingPost): Promise<void> {
    await this.#set(POST + post.id, post, PENDING_POST_TTL_MS);
  }

  async deletePendingPost(id: string): Promise<void> {
    await this.#delete(POST + id);
  }

  /** Every post that was begun and not completed (after a crash). */
  async *pendingPosts(): AsyncGenerator<PendingPost> {
    if (!this.#keyv.iterator) throw new Error("the store cannot enumerate its records");
    await this.#batch?.flush();
    for await (const [key, value] of this.#keyv.iterator(undefined)) {
      if (typeof key === "string" && key.startsWith(POST) && value) {
        const post = readable(value as PendingPost);
        // Posts begun before the catalogues have no language: they were English.
        yield { ...post, locale: post.locale ?? "en" };
      }
    }
  }

  /** Who started a task through the bot (a command, a click or a form). */
  async getSubmitter(taskId: string): Promise<string | undefined> {
    return (await this.#get<string>(SUBMITTER + taskId)) ?? undefined;
  }

  async saveSubmitter(taskId: string, userId: string): Promise<void> {
    await this.#set(SUBMITTER + taskId, userId, STOPPED_TTL_MS);
  }

  async getForm(modalTaskId: string): Promise<OpenedForm | undefined> {
    return (await this.#get<OpenedForm>(FORM + modalTaskId)) ?? undefined;
  }

  async saveForm(modalTaskId: string, form: OpenedForm): Promise<void> {
    await this.#set(FORM + modalTaskId, form, FORM_TTL_MS);
  }

  async getSpend(memberKey: string): Promise<MemberSpend | undefined> {
    return (await this.#get<MemberSpend>(SPEND + memberKey)) ?? undefined;
  }

  async saveSpend(memberKey: string, spend: MemberSpend): Promise<void> {
    await this.#set(SPEND + memberKey, spend, SPEND_TTL_MS);
  }

  /** The member's recent jobs (see memberKey in access/), newest first. */
  async getRecentJobs(memberKey: string): Promise<RecentJob[]> {
    return (await this.#get<RecentJob[]>(RECENT_JOBS + memberKey)) ?? [];
  }

  /**
   * Puts `job` first in the member's list, which keeps RECENT_JOBS_KEPT. A member's submits run one
   * at a time (SubmitAccess), so two never interleave here.
   */
  async addRecentJob(memberKey: string, job: RecentJob): Promise<void> {
    const kept = (await this.getRecentJobs(memberKey)).filter((entry) => entry.taskId !== job.taskId);
    await this.#set(RECENT_JOBS + memberKey, [job, ...kept].slice(0, RECENT_JOBS_KEPT), STOPPED_TTL_MS);
  }

  /** Answers only when the backing store answers. */
  async ping(): Promise<void> {
    await this.#keyv.get("ping");
  }

  /**
   * Throws, saying why, unless a write reaches the store. An SQLite file removed from under the
   * process (its directory deleted) still takes writes into the unlinked file, which the next
   * start never sees: the file on disk must still be the one that was opened.
   */
  async checkWritable(): Promise<void> {
    if (this.#file) {
      let current: { dev: number; ino: number };
      try {
        current = statSync(this.#file.path);
      } catch {
        throw new Error(`the SQLite file ${this.#file.path} no longer exists (was its directory removed?)`);
      }
      if (current.dev !== this.#file.dev || current.ino !== this.#file.ino) {
        throw new Error(`the SQLite file ${this.#file.path} was replaced since the bot opened it`);
      }
    }
    await this.#keyv.set(HEALTH_CHECK, Date.now(), 60_000);
  }

  async close(): Promise<void> {
    await this.#batch?.flush();
    await this.#keyv.disconnect();
  }
}

/**
 * A record as this version reads it: records written before the catalogues hold their notice as
 * English text, which is dropped (a queue position or a stop notice; the next state replaces it).
 */
function readable<T extends { notice: Phrase | null }>(record: T): T {
  return typeof record.notice === "string" ? { ...record, notice: null } : record;
}

/** A stored record as this version holds it: readable, its state's buttons compact again. */
function readableTask(record: TrackedTask): TrackedTask {
  const readableRecord = readable(record);
  return { ...readableRecord, lastTask: storedState(readableRecord.lastTask) };
}

function sqliteFile(url: string): string {
  const path = url.replace(/^sqlite:\/\//, "");
  if (path === ":memory:") return path;
  return resolve(path);
}
