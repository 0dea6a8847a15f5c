import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config.js";

const minimal = {
  DISCORD_TOKEN: "discord-secret-token",
  MJ_BASE_URL: "https://mj.example.com/",
  MJ_API_KEY: "sk-secret-key",
};

function problemsOf(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("applies the documented defaults", () => {
    const config = parseConfig(minimal);
    expect(config).toMatchObject({
      discord: {
        token: "discord-secret-token",
        apiUrl: undefined,
        guildId: undefined,
        registerCommandsOnStart: false,
      },
      mj: { baseUrl: "https://mj.example.com", apiKey: "sk-secret-key", authStyle: "bearer" },
      store: { url: "sqlite://data/mjrelay.sqlite" },
      tracking: {
        pollIntervalMs: 3000,
        maxAgeMs: 86_400_000,
        completionPingAfterMs: 30_000,
        stallNoticeMs: 600_000,
      },
      logLevel: "info",
    });
  });

  it("reads every variable", () => {
    const config = parseConfig({
      ...minimal,
      DISCORD_API_URL: "http://127.0.0.1:9999/api",
      DISCORD_GUILD_ID: "900000000000000010",
      REGISTER_COMMANDS_ON_START: "true",
      MJ_AUTH_STYLE: "mj-api-secret",
      STORE_URL: "sqlite:///var/lib/mjrelay/state.sqlite",
      POLL_INTERVAL_MS: "250",
      TRACK_MAX_AGE_MS: "3600000",
      COMPLETION_PING_AFTER_MS: "90000",
      STALL_NOTICE_MS: "300000",
      LOG_LEVEL: "DEBUG",
    });
    expect(config.discord).toMatchObject({
      apiUrl: "http://127.0.0.1:9999/api",
      guildId: "900000000000000010",
    });
    expect(config.discord.registerCommandsOnStart).toBe(true);
    expect(config.mj.authStyle).toBe("mj-api-secret");
    expect(config.store.url).toBe("sqlite:///var/lib/mjrelay/state.sqlite");
    expect(config.tracking).toEqual({
      pollIntervalMs: 250,
      maxAgeMs: 3_600_000,
      completionPingAfterMs: 90_000,
      stallNoticeMs: 300_000,
    });
    expect(config.logLevel).toBe("debug");
  });

  it("turns the completion ping off with COMPLETION_PING_AFTER_MS=off and refuses other words", () => {
    expect(parseConfig({ ...minimal, COMPLETION_PING_AFTER_MS: "off" }).tracking.completionPingAfterMs).toBe(
      null,
    );
    expect(parseConfig({ ...minimal, COMPLETION_PING_AFTER_MS: "0" }).tracking.completionPingAfterMs).toBe(0);
    expect(problemsOf({ ...minimal, COMPLETION_PING_AFTER_MS: "soon" })).toContain(
      'COMPLETION_PING_AFTER_MS must be off or a whole number of milliseconds (got "soon")',
    );
    expect(problemsOf({ ...minimal, STALL_NOTICE_MS: "10" })).toContain(
      "STALL_NOTICE_MS must be at least 1000",
    );
  });

  it("lists every problem by variable name in one message", () => {
    const message = problemsOf({ MJ_BASE_URL: "ftp://x", POLL_INTERVAL_MS: "100", MJ_AUTH_STYLE: "basic" });
    for (const name of ["DISCORD_TOKEN", "MJ_API_KEY", "MJ_BASE_URL", "POLL_INTERVAL_MS", "MJ_AUTH_STYLE"]) {
      expect(message).toContain(name);
    }
    expect(message.split("\n").filter((line) => line.startsWith("  - "))).toHaveLength(5);
  });

  it("never prints a secret's value", () => {
    const message = problemsOf({
      ...minimal,
      DISCORD_TOKEN: "   ",
      MJ_API_KEY: "sk-secret-key",
      POLL_INTERVAL_MS: "x",
    });
    expect(message).toContain("DISCORD_TOKEN");
    expect(message).not.toContain("sk-secret-key");
    expect(message).toContain('got "x"');
  });

  it("reads SHARD_IDS with SHARD_COUNT for a replica, and refuses ids that do not fit", () => {
    expect(parseConfig(minimal).shards).toBeUndefined();
    expect(parseConfig({ ...minimal, SHARD_IDS: "0, 2", SHARD_COUNT: "4" }).shards).toEqual({
      ids: [0, 2],
      count: 4,
    });
    expect(problemsOf({ ...minimal, SHARD_IDS: "0,1" })).toContain(
      "  - SHARD_COUNT must be a whole number when SHARD_IDS is set",
    );
    expect(problemsOf({ ...minimal, SHARD_IDS: "1,3", SHARD_COUNT: "2" })).toContain(
      "  - SHARD_IDS must name shards below SHARD_COUNT (2); 3 is not",
    );
    expect(problemsOf({ ...minimal, SHARD_IDS: "zero", SHARD_COUNT: "2" })).toContain(
      '  - SHARD_IDS must be shard numbers separated by commas, e.g. 0,1 (got "zero")',
    );
  });

  it("reads who may spend, and how often (no limits by default), and the HTTP connection cap", () => {
    expect(parseConfig(minimal).submit).toEqual({
      allowed: { kind: "anyone" },
      cooldownMs: 0,
      dailyLimit: 0,
      maxRunning: 0,
    });
    expect(parseConfig(minimal).http.maxConnections).toBe(256);
    const config = parseConfig({
      ...minimal,
      SUBMIT_ALLOWED: "900000000000000777",
      SUBMIT_COOLDOWN_MS: "30000",
      SUBMIT_DAILY_LIMIT: "20",
      SUBMIT_MAX_RUNNING: "2",
      HTTP_MAX_CONNECTIONS: "64",
    });
    expect(config.submit).toEqual({
      allowed: { kind: "role", roleId: "900000000000000777" },
      cooldownMs: 30_000,
      dailyLimit: 20,
      maxRunning: 2,
    });
    expect(config.http.maxConnections).toBe(64);
    const message = problemsOf({
      ...minimal,
      SUBMIT_ALLOWED: "requester",
      SUBMIT_COOLDOWN_MS: "-1",
      SUBMIT_DAILY_LIMIT: "lots",
      SUBMIT_MAX_RUNNING: "1.5",
      HTTP_MAX_CONNECTIONS: "0",
    });
    expect(message).toContain('SUBMIT_ALLOWED must be anyone or a role id (17–20 digits) (got "requester")');
    expect(message).toContain("SUBMIT_COOLDOWN_MS must be at least 0");
    expect(message).toContain("SUBMIT_DAILY_LIMIT must be a whole number");
    expect(message).toContain("SUBMIT_MAX_RUNNING must be a whole number");
    expect(message).toContain("HTTP_MAX_CONNECTIONS must be at least 1");
  });

  it("accepts redis store URLs and refuses unknown schemes", () => {
    expect(parseConfig({ ...minimal, STORE_URL: "redis://127.0.0.1:6379" }).store.url).toBe(
      "redis://127.0.0.1:6379",
    );
    expect(problemsOf({ ...minimal, STORE_URL: "postgres://db" })).toContain("STORE_URL");
  });
});
