// Discord's global limit (50 requests per second) belongs to the bot, not to one process: every
// process of one bot (shards under the manager, replicas on other hosts) draws its channel-route
// requests from one budget in their shared Redis.
//
// Two ways were built and measured (bench/results.md, "two processes sharing Redis"):
// - SharedTokenBucket: one token bucket in Redis, one round trip per request; no process waits
//   while another has spare budget, and the total never exceeds the rate, however the load is split.
// - FixedShare: each process takes rate / (live processes), announced by heartbeat; no round trip
//   per request, but a process with nothing to send leaves its share unused, and the total is
//   over the rate for a heartbeat's length when a process joins.
import type { Logger } from "../logger.js";
import { connectRedis, type Redis } from "../redisConnection.js";

/**
 * Takes one token if there is one; else answers how many ms until there is. Redis's own clock
 * (TIME) is the bucket's, so processes on hosts whose clocks differ share it fairly.
 */
const TAKE_TOKEN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local perMs = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * perMs)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / perMs) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
`;

export interface GlobalBudget {
  /** Resolves when one more channel-route request may start. */
  acquire(): Promise<void>;
  close(): Promise<void>;
}

export interface SharedBudgetOptions {
  redisUrl: string;
  /** The bot's application id (or any id of the bot): processes of one bot share one budget. */
  botId: string;
  /** Requests per second for the whole bot (the scheduler's default, 46: room under Discord's 50). */
  perSecond: number;
  logger: Logger;
}

/** One token bucket in Redis for every process of the bot. */
export class SharedTokenBucket implements GlobalBudget {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #perMs: number;
  /** Small: the fake and real Discord count in fixed one-second windows, so bursts add up. */
  readonly #burst: number;
  readonly #logger: Logger;
  #sha: string | undefined;

  private constructor(redis: Redis, options: SharedBudgetOptions) {
    this.#redis = redis;
    this.#key = `mjrelay:global-limit:${options.botId}`;
    this.#perMs = options.perSecond / 1000;
    this.#burst = Math.max(1, Math.floor(options.perSecond / 15));
    this.#logger = options.logger;
  }

  static async open(options: SharedBudgetOptions): Promise<SharedTokenBucket> {
    return new SharedTokenBucket(
      await connectRedis(options.redisUrl, options.logger, "global limit"),
      options,
    );
  }

  async acquire(): Promise<void> {
    for (;;) {
      let wait: number;
      try {
        wait = Number(await this.#take());
      } catch (error) {
        // Without Redis the process goes on under its own pacing (46/s): better than no edits.
        this.#logger.warn({ err: error }, "could not reach the shared global limit; pacing alone");
        return;
      }
      if (!(wait > 0)) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async #take(): Promise<unknown> {
    const args = [String(this.#perMs), String(this.#burst)];
    if (this.#sha) {
      try {
        return await this.#redis.sendCommand(["EVALSHA", this.#sha, "1", this.#key, ...args]);
      } catch (error) {
        if (!String(error).includes("NOSCRIPT")) throw error;
      }
    }
    this.#sha = String(await this.#redis.sendCommand(["SCRIPT", "LOAD", TAKE_TOKEN]));
    return this.#redis.sendCommand(["EVALSHA", this.#sha, "1", this.#key, ...args]);
  }

  async close(): Promise<void> {
    await this.#redis.close();
  }
}

/** How often a process says it is alive, and how long until it is counted gone. */
const HEARTBEAT_MS = 1000;
const GONE_AFTER_MS = 3500;

/**
 * Each process paces itself at rate / (processes alive), counted from heartbeats in Redis; the
 * share is handed to `onShare` (the scheduler's pacing) whenever it changes.
 */
export class FixedShare implements GlobalBudget {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #member = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  readonly #timer: NodeJS.Timeout;
  #share = 0;

  private constructor(
    redis: Redis,
    private readonly options: SharedBudgetOptions & { onShare: (perSecond: number) => void },
  ) {
    this.#redis = redis;
    this.#key = `mjrelay:processes:${options.botId}`;
    this.#timer = setInterval(() => void this.#beat(), HEARTBEAT_MS);
    this.#timer.unref();
  }

  static async open(
    options: SharedBudgetOptions & { onShare: (perSecond: number) => void },
  ): Promise<FixedShare> {
    const redis = await connectRedis(options.redisUrl, options.logger, "global limit");
    const share = new FixedShare(redis, options);
    await share.#beat();
    return share;
  }

  async #beat(): Promise<void> {
    try {
      const now = Date.now();
      await this.#redis.zAdd(this.#key, { score: now, value: this.#member });
      await this.#redis.zRemRangeByScore(this.#key, 0, now - GONE_AFTER_MS);
      await this.#redis.pExpire(this.#key, 60_000);
      const alive = Math.max(1, await this.#redis.zCard(this.#key));
      const share = this.options.perSecond / alive;
      if (share !== this.#share) {
        this.#share = share;
        this.options.onShare(share);
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, "could not count the bot's processes in Redis");
    }
  }

  async acquire(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#redis.zRem(this.#key, this.#member).catch(() => undefined);
    await this.#redis.close();
  }
}
