// The only module that reads the environment: validates it once into a typed Config, or explains
// every problem at once by variable name (never echoing a secret's value).
import { existsSync } from "node:fs";
import { z } from "zod";
import { LOCALES, type Locale } from "./i18n/locale.js";

const SECRET_VARIABLES = new Set(["DISCORD_TOKEN", "MJ_API_KEY", "METRICS_TOKEN"]);

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const blankToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const required = (what: string) =>
  z.preprocess(blankToUndefined, z.string({ error: `is required (${what})` }).trim());

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const httpUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  }, "must be an http(s) URL")
  .transform((value) => value.replace(/\/+$/, ""));

const wholeNumber = (min: number, fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: "must be a whole number" })
      .int("must be a whole number")
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

const flag = (fallback: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
      .default(fallback ? "true" : "false")
      .transform((value) => value === "true" || value === "1" || value === "yes"),
  );

const snowflake = z.string().regex(/^\d{17,20}$/, "must be a Discord id (17–20 digits)");

const storeUrl = z
  .string()
  .trim()
  .refine((value) => /^(sqlite|redis|rediss):\/\/.+/.test(value), "must start with sqlite:// or redis://");

const EnvironmentSchema = z.object({
  DISCORD_TOKEN: required("the bot token from the Discord developer portal"),
  DISCORD_API_URL: optional(httpUrl),
  DISCORD_GUILD_ID: optional(snowflake),
  REGISTER_COMMANDS_ON_START: flag(false),
  MJ_BASE_URL: z.preprocess(
    blankToUndefined,
    z.string({ error: "is required (the MJ API base URL)" }).pipe(httpUrl),
  ),
  MJ_API_KEY: required("the MJ API key"),
  MJ_AUTH_STYLE: z.preprocess(
    blankToUndefined,
    z.enum(["bearer", "mj-api-secret"], { error: "must be bearer or mj-api-secret" }).default("bearer"),
  ),
  MJ_TIMEOUT_MS: wholeNumber(1000, 15_000, 300_000),
  MJ_LIST_CHUNK_SIZE: wholeNumber(1, 1000, 10_000),
  STORE_URL: z.preprocess(blankToUndefined, storeUrl.default("sqlite://data/mjrelay.sqlite")),
  POLL_INTERVAL_MS: wholeNumber(250, 3000),
  TRACK_MAX_AGE_MS: wholeNumber(1000, 24 * 60 * 60 * 1000),
  COMPLETION_PING_AFTER_MS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((value) => value === "off" || /^\d{1,15}$/.test(value), {
        error: "must be off or a whole number of milliseconds",
      })
      .default("30000")
      .transform((value) => (value === "off" ? null : Number(value))),
  ),
  STALL_NOTICE_MS: wholeNumber(1000, 10 * 60 * 1000),
  SHARD_COUNT: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((value) => value === "auto" || /^[1-9]\d{0,4}$/.test(value), {
        error: "must be auto or a whole number ≥ 1",
      })
      .default("auto")
      .transform((value) => (value === "auto" ? ("auto" as const) : Number(value))),
  ),
  SHARD_IDS: optional(
    z
      .string()
      .trim()
      .regex(/^\d{1,5}(\s*,\s*\d{1,5})*$/, "must be shard numbers separated by commas, e.g. 0,1")
      .transform((value) => [...new Set(value.split(",").map((id) => Number(id.trim())))]),
  ),
  HTTP_PORT: wholeNumber(0, 8080, 65_535),
  HTTP_HOST: z.preprocess(blankToUndefined, z.string().trim().default("0.0.0.0")),
  PUBLIC_URL: optional(httpUrl),
  MEDIA_UPLOAD: flag(true),
  MEDIA_MAX_BYTES: wholeNumber(1024, 10 * 1024 * 1024, 100 * 1024 * 1024),
  BUTTONS_ALLOWED: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((value) => value === "anyone" || value === "requester" || /^\d{17,20}$/.test(value), {
        error: "must be anyone, requester or a role id (17–20 digits)",
      })
      .default("anyone"),
  ),
  METRICS_TOKEN: optional(
    z
      .string()
      .trim()
      .min(16, "must be at least 16 characters (a random string, e.g. from openssl rand -hex 32)")
      .regex(/^\S+$/, "must not contain spaces"),
  ),
  SUBMIT_ALLOWED: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((value) => value === "anyone" || /^\d{17,20}$/.test(value), {
        error: "must be anyone or a role id (17–20 digits)",
      })
      .default("anyone"),
  ),
  SUBMIT_COOLDOWN_MS: wholeNumber(0, 0),
  SUBMIT_DAILY_LIMIT: wholeNumber(0, 0),
  SUBMIT_MAX_RUNNING: wholeNumber(0, 0),
  HTTP_MAX_CONNECTIONS: wholeNumber(1, 256, 100_000),
  BOT_LOCALE: optional(z.enum(LOCALES, { error: `must be ${LOCALES.join(" or ")}` })),
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === "string" ? blankToUndefined(value.toLowerCase()) : value),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  ),
});

export type Environment = z.output<typeof EnvironmentSchema>;

export interface Config {
  discord: {
    token: string;
    /** REST base such as "https://discord.com/api"; undefined means discord.js's default. */
    apiUrl: string | undefined;
    guildId: string | undefined;
    registerCommandsOnStart: boolean;
  };
  mj: {
    baseUrl: string;
    apiKey: string;
    authStyle: "bearer" | "mj-api-secret";
    timeoutMs: number;
    /** Ids per list-by-condition call. */
    listChunkSize: number;
  };
  store: { url: string };
  tracking: {
    pollIntervalMs: number;
    maxAgeMs: number;
    /** A task that finishes after running this long pings its requester; null: never (`off`). */
    completionPingAfterMs: number | null;
    /** A running task that shows no change upstream for this long says since when on its message. */
    stallNoticeMs: number;
  };
  /** Shards for `npm run start:sharded`; "auto" asks Discord. */
  shardCount: number | "auto";
  /**
   * The shards this process connects when it is one replica of several (SHARD_IDS with
   * SHARD_COUNT), without the ShardingManager; undefined otherwise.
   */
  shards: { ids: number[]; count: number } | undefined;
  http: {
    port: number;
    host: string;
    /** Base URL upstream can reach this server at; without it no notifyHook is sent. */
    publicUrl: string | undefined;
    /** Connections the HTTP server holds open at once; more are closed at once. */
    maxConnections: number;
  };
  /** Who may click mirrored buttons. */
  buttons: { allowed: ButtonsAllowed };
  /** GET /metrics needs `Authorization: Bearer <token>` when set. */
  metrics: { token: string | undefined };
  /** Uploading finished results to Discord, so their pictures and videos last. */
  media: { upload: boolean; maxBytes: number };
  /** Who may start upstream jobs (commands, clicks, forms), and how often; 0 = no limit. */
  submit: SubmitPolicy;
  /**
   * The language of every public message (task messages, channel and feed posts); undefined: each
   * server's preferred locale. Private replies always follow the member's Discord language.
   */
  botLocale: Locale | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
}

export type ButtonsAllowed = { kind: "anyone" } | { kind: "requester" } | { kind: "role"; roleId: string };

export interface SubmitPolicy {
  allowed: { kind: "anyone" } | { kind: "role"; roleId: string };
  cooldownMs: number;
  dailyLimit: number;
  maxRunning: number;
}

function buttonsAllowed(value: string): ButtonsAllowed {
  if (value === "anyone" || value === "requester") return { kind: value };
  return { kind: "role", roleId: value };
}

/** Thrown when the environment is unusable; `message` lists every problem, one per line. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  }
}

function configErrorOf(error: z.ZodError, env: Record<string, string | undefined>): ConfigError {
  const problems = error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    const raw = env[name];
    const shown =
      raw === undefined || raw.trim() === "" || SECRET_VARIABLES.has(name) ? "" : ` (got "${raw}")`;
    return `${name} ${issue.message}${shown}`;
  });
  return new ConfigError(problems);
}

/** SHARD_IDS needs a SHARD_COUNT every replica agrees on, and ids below it. */
function shardProblems(e: Environment): string[] {
  if (e.SHARD_IDS === undefined) return [];
  if (e.SHARD_COUNT === "auto") {
    return ["SHARD_COUNT must be a whole number when SHARD_IDS is set (every replica must agree on it)"];
  }
  const count = e.SHARD_COUNT;
  const outside = e.SHARD_IDS.filter((id) => id >= count);
  return outside.length > 0
    ? [`SHARD_IDS must name shards below SHARD_COUNT (${count}); ${outside.join(", ")} is not`]
    : [];
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvironmentSchema.safeParse(env);
  if (!parsed.success) throw configErrorOf(parsed.error, env);
  const e = parsed.data;
  const problems = shardProblems(e);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    discord: {
      token: e.DISCORD_TOKEN,
      apiUrl: e.DISCORD_API_URL,
      guildId: e.DISCORD_GUILD_ID,
      registerCommandsOnStart: e.REGISTER_COMMANDS_ON_START,
    },
    mj: {
      baseUrl: e.MJ_BASE_URL,
      apiKey: e.MJ_API_KEY,
      authStyle: e.MJ_AUTH_STYLE,
      timeoutMs: e.MJ_TIMEOUT_MS,
      listChunkSize: e.MJ_LIST_CHUNK_SIZE,
    },
    store: { url: e.STORE_URL },
    tracking: {
      pollIntervalMs: e.POLL_INTERVAL_MS,
      maxAgeMs: e.TRACK_MAX_AGE_MS,
      completionPingAfterMs: e.COMPLETION_PING_AFTER_MS,
      stallNoticeMs: e.STALL_NOTICE_MS,
    },
    shardCount: e.SHARD_COUNT,
    shards:
      e.SHARD_IDS !== undefined && e.SHARD_COUNT !== "auto"
        ? { ids: e.SHARD_IDS, count: e.SHARD_COUNT }
        : undefined,
    http: {
      port: e.HTTP_PORT,
      host: e.HTTP_HOST,
      publicUrl: e.PUBLIC_URL,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
    buttons: { allowed: buttonsAllowed(e.BUTTONS_ALLOWED) },
    metrics: { token: e.METRICS_TOKEN },
    media: { upload: e.MEDIA_UPLOAD, maxBytes: e.MEDIA_MAX_BYTES },
    submit: {
      allowed:
        e.SUBMIT_ALLOWED === "anyone" ? { kind: "anyone" } : { kind: "role", roleId: e.SUBMIT_ALLOWED },
      cooldownMs: e.SUBMIT_COOLDOWN_MS,
      dailyLimit: e.SUBMIT_DAILY_LIMIT,
      maxRunning: e.SUBMIT_MAX_RUNNING,
    },
    botLocale: e.BOT_LOCALE,
    logLevel: e.LOG_LEVEL,
  };
}

/** Reads `.env` when present (variables already set win), then the process environment. */
export function loadConfig(envFile = ".env"): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}

/**
 * The Discord part alone (`npm run invite` needs nothing else): `.env` when present, then the
 * process environment.
 */
export function loadDiscordConfig(envFile = ".env"): Pick<Config["discord"], "token" | "apiUrl"> {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const parsed = EnvironmentSchema.pick({ DISCORD_TOKEN: true, DISCORD_API_URL: true }).safeParse(
    process.env,
  );
  if (!parsed.success) throw configErrorOf(parsed.error, process.env);
  return { token: parsed.data.DISCORD_TOKEN, apiUrl: parsed.data.DISCORD_API_URL };
}

/** Every secret value in a config, for log redaction. */
export function secretsOf(config: Config): string[] {
  return [config.discord.token, config.mj.apiKey, config.metrics.token ?? ""].filter(
    (secret) => secret.length >= 4,
  );
}

/**
 * `npm run sandbox` reads only SANDBOX_PORT (default 8787, 0 for any free port); the bot it runs
 * gets a configuration the sandbox builds, never the real variables.
 */
export function parseSandboxPort(env: Record<string, string | undefined>): number {
  const parsed = wholeNumber(0, 8787, 65_535).safeParse(env.SANDBOX_PORT);
  if (!parsed.success) {
    throw new ConfigError([`SANDBOX_PORT ${parsed.error.issues[0]?.message} (got "${env.SANDBOX_PORT}")`]);
  }
  return parsed.data;
}

/** SANDBOX_PORT from the process environment (the sandbox reads nothing else). */
export function loadSandboxPort(): number {
  return parseSandboxPort(process.env);
}
