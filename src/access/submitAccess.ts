// Who may spend the operator's MJ credits: every upstream submit (a command, a button click, a
// prompt form) goes through SubmitAccess.spend(), which refuses it before anything reaches
// upstream when the member lacks SUBMIT_ALLOWED's role, is within SUBMIT_COOLDOWN_MS of their last
// job, has used SUBMIT_DAILY_LIMIT today (UTC) or has SUBMIT_MAX_RUNNING jobs unfinished. Members
// with Manage Server are held by the role only. The counts live in the store, so a restart
// forgets nothing; allowance() reports what a member has left (for a help command).
import type { SubmitPolicy } from "../config.js";
import { UserError } from "../discord/interactions/userError.js";
import type { Phrase } from "../i18n/catalogue.js";
import { durationPhrase } from "../i18n/duration.js";
import { phrase } from "../i18n/translate.js";
import type { Logger } from "../logger.js";
import { KeyedLocks } from "../tracking/keyedLocks.js";
import type { MemberSpend, TrackingStore } from "../tracking/store.js";
import type { Member } from "./member.js";

export type Refusal =
  | { reason: "role"; roleId: string }
  | { reason: "cooldown"; until: number; cooldownMs: number }
  | { reason: "daily"; limit: number; resetsAt: number }
  | { reason: "running"; limit: number; taskIds: string[] };

/** What a member may still do now. */
export interface Allowance {
  /** Why a submit would be refused now; null when it would go through. */
  refusal: Refusal | null;
  /** Not held by the cooldown or the limits (Manage Server). */
  exempt: boolean;
  /** Jobs left today; null without a daily limit (or when exempt). */
  leftToday: number | null;
  /** When today's count starts again (the next midnight UTC). */
  resetsAt: number;
  /** When the cooldown ends; null when it is over, or there is none. */
  cooldownEndsAt: number | null;
  /** Jobs the member may still start before one of theirs finishes; null without a limit. */
  runningLeft: number | null;
}

/** Whether a task is still running: undefined when the bot has no record of it (yet). */
export type IsRunning = (taskId: string) => Promise<boolean | undefined>;

export interface SubmitAccessOptions {
  store: TrackingStore;
  policy: SubmitPolicy;
  isRunning: IsRunning;
  logger: Logger;
  now?: () => number;
}

/** A task without a record yet is being posted; after this long without one it no longer counts. */
const UNRECORDED_RUNNING_MS = 15 * 60 * 1000;

/** A refused submit, in words for the member: why, and when they may try again. */
export class SubmitRefused extends UserError {
  override name = "SubmitRefused";
  constructor(readonly refusal: Refusal) {
    super(describeRefusal(refusal));
  }
}

export function describeRefusal(refusal: Refusal): Phrase {
  switch (refusal.reason) {
    case "role":
      return phrase("access.role", { roleId: refusal.roleId });
    case "cooldown":
      return phrase("access.cooldown", {
        when: relativeTime(refusal.until),
        duration: durationPhrase(refusal.cooldownMs),
      });
    case "daily":
      return phrase("access.daily", { count: refusal.limit, when: relativeTime(refusal.resetsAt) });
    case "running":
      return phrase("access.running", {
        count: refusal.taskIds.length,
        taskIds: refusal.taskIds.map((id) => `\`${id}\``),
      });
  }
}

export class SubmitAccess {
  readonly #options: SubmitAccessOptions;
  readonly #now: () => number;
  readonly #locks = new KeyedLocks();

  constructor(options: SubmitAccessOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** What `member` may still do now (nothing is changed). */
  async allowance(member: Member): Promise<Allowance> {
    return (await this.#read(member)).allowance;
  }

  /** Throws SubmitRefused when a submit by `member` would be refused now (nothing is changed). */
  async assertMaySubmit(member: Member): Promise<void> {
    const { refusal } = await this.allowance(member);
    if (refusal) throw new SubmitRefused(refusal);
  }

  /**
   * Runs `submit` (the upstream call and the reading of its answer) if `member` may submit now,
   * else throws SubmitRefused before it runs. A submit that starts a job (`startedTaskId` names
   * it) counts for the cooldown, today's limit and the running jobs, and makes the member the
   * task's submitter; one that fails or starts nothing (a prompt form to fill in) does not.
   * A member's submits run one at a time, so two quick ones cannot both take the last slot.
   */
  spend<T>(
    member: Member,
    submit: () => Promise<T>,
    startedTaskId: (result: T) => string | null,
  ): Promise<T> {
    const key = memberKey(member);
    const run = async (): Promise<T> => {
      const { spend, allowance } = await this.#read(member);
      if (allowance.refusal) throw new SubmitRefused(allowance.refusal);
      const { store } = this.#options;
      if (allowance.exempt) {
        const result = await submit();
        const taskId = startedTaskId(result);
        if (taskId !== null) await this.#started(key, member, taskId, this.#now());
        return result;
      }
      const now = this.#now();
      // Charged before the call: a crash during it errs on the side of the operator's credits.
      const charged: MemberSpend = { ...spend, count: spend.count + 1, lastAt: now };
      await store.saveSpend(key, charged);
      let result: T;
      let taskId: string | null;
      try {
        result = await submit();
        taskId = startedTaskId(result);
      } catch (error) {
        await this.#refund(key, spend);
        throw error;
      }
      if (taskId === null) {
        await this.#refund(key, spend);
        return result;
      }
      await store.saveSpend(key, { ...charged, running: [...charged.running, { taskId, at: now }] });
      await this.#started(key, member, taskId, now);
      return result;
    };
    return this.#locks.run(key, run);
  }

  /** The member started `taskId`: they are its submitter, and it heads their recent jobs. */
  async #started(key: string, member: Member, taskId: string, at: number): Promise<void> {
    await this.#options.store.saveSubmitter(taskId, member.userId);
    await this.#options.store.addRecentJob(key, { taskId, at });
  }

  async #refund(key: string, before: MemberSpend): Promise<void> {
    try {
      await this.#options.store.saveSpend(key, before);
    } catch (error) {
      this.#options.logger.error({ err: error }, "could not give back a submit that started nothing");
    }
  }

  /** The member's spend for today (finished jobs dropped) and what it allows. */
  async #read(member: Member): Promise<{ spend: MemberSpend; allowance: Allowance }> {
    const { policy, store } = this.#options;
    const now = this.#now();
    const today = utcDay(now);
    const resetsAt = nextUtcMidnight(now);
    const stored = await store.getSpend(memberKey(member));
    const running = await this.#stillRunning(stored?.running ?? [], now);
    const spend: MemberSpend = {
      day: today,
      count: stored?.day === today ? stored.count : 0,
      lastAt: stored?.lastAt ?? null,
      running,
    };
    const exempt = member.managesServer;
    const cooldownEndsAt =
      !exempt && policy.cooldownMs > 0 && spend.lastAt !== null && spend.lastAt + policy.cooldownMs > now
        ? spend.lastAt + policy.cooldownMs
        : null;
    const leftToday = !exempt && policy.dailyLimit > 0 ? Math.max(0, policy.dailyLimit - spend.count) : null;
    const runningLeft =
      !exempt && policy.maxRunning > 0 ? Math.max(0, policy.maxRunning - running.length) : null;

    let refusal: Refusal | null = null;
    if (policy.allowed.kind === "role" && !member.roleIds.includes(policy.allowed.roleId)) {
      refusal = { reason: "role", roleId: policy.allowed.roleId };
    } else if (leftToday === 0) {
      refusal = { reason: "daily", limit: policy.dailyLimit, resetsAt };
    } else if (runningLeft === 0) {
      refusal = {
        reason: "running",
        limit: policy.maxRunning,
        taskIds: running.map((entry) => entry.taskId),
      };
    } else if (cooldownEndsAt !== null) {
      refusal = { reason: "cooldown", until: cooldownEndsAt, cooldownMs: policy.cooldownMs };
    }
    return { spend, allowance: { refusal, exempt, leftToday, resetsAt, cooldownEndsAt, runningLeft } };
  }

  async #stillRunning(entries: MemberSpend["running"], now: number): Promise<MemberSpend["running"]> {
    if (this.#options.policy.maxRunning === 0) return [];
    const kept: MemberSpend["running"] = [];
    for (const entry of entries) {
      const running = await this.#options.isRunning(entry.taskId);
      if (running === true || (running === undefined && now - entry.at < UNRECORDED_RUNNING_MS)) {
        kept.push(entry);
      }
    }
    return kept;
  }
}

/** Whose spend and recent jobs a record holds: one member of one server. */
export function memberKey(member: Pick<Member, "guildId" | "userId">): string {
  return `${member.guildId ?? "dm"}:${member.userId}`;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function nextUtcMidnight(ms: number): number {
  const day = new Date(ms);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1);
}

/** A Discord timestamp ("in 5 minutes"), which every client shows in its own language. */
function relativeTime(ms: number): string {
  return `<t:${Math.ceil(ms / 1000)}:R>`;
}
