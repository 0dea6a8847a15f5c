// When a task's requester is told it finished (COMPLETION_PING_AFTER_MS), and what the tracker
// asks of the part that sends that reply (discord/messages/completionPing.ts).
import { randomBytes } from "node:crypto";
import { isFinalStatus, type Task } from "../mj/schema.js";
import type { CompletionPingPayload } from "../render/renderCompletionPing.js";
import type { CompletionPing, TrackedTask } from "./store.js";

/** Statuses a requester is told about: cancelling was somebody's own doing. */
const PINGED_STATUSES: ReadonlySet<string> = new Set(["SUCCESS", "FAILURE"]);

/** One reply to send. */
export interface CompletionPingRequest {
  channelId: string;
  /** The task's message it replies to. */
  replyTo: string;
  /** The same for every try of this reply: Discord answers a repeat with the first message. */
  nonce: string;
  /** A try may have reached Discord before (a restart came in between): look for it first. */
  retry: boolean;
  payload: CompletionPingPayload;
  signal: AbortSignal;
}

/** What became of a try: sent (or found sent), or refused by Discord for good (channel gone, no access). */
export type CompletionPingOutcome = { kind: "sent"; messageId: string } | { kind: "refused"; reason: string };

export interface CompletionPinger {
  /** Throws when the try failed and may work later (Discord down, rate limits, network). */
  send(request: CompletionPingRequest): Promise<CompletionPingOutcome>;
}

/**
 * The ping a record owes once `task` (its new state) is applied: due when the bot's own record of
 * a task sees it finish, after the record was created more than `afterMs` ago, and one of its
 * messages has a requester. Null when none is owed; a record's earlier ping state is kept.
 */
export function completionPingFor(
  record: TrackedTask,
  task: Pick<Task, "status">,
  afterMs: number | null,
  now: number,
): CompletionPing | null {
  if (record.completionPing) return record.completionPing;
  if (afterMs === null || record.feedChannelId) return null;
  if (!PINGED_STATUSES.has(task.status) || isFinalStatus(record.status)) return null;
  if (now - record.createdAt <= afterMs) return null;
  const message = record.messages.find((candidate) => candidate.requesterId);
  if (!message?.requesterId) return null;
  return {
    state: "due",
    // Discord accepts nonces of up to 25 characters.
    nonce: randomBytes(12).toString("base64url"),
    userId: message.requesterId,
    channelId: message.channelId,
    messageId: message.messageId,
    guildId: message.guildId,
  };
}

export function isPingDue(record: Pick<TrackedTask, "completionPing">): boolean {
  return record.completionPing?.state === "due";
}
