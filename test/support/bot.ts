// Starts the real bot (src/app.ts, as src/main.ts does) against the loopback fakes, with its
// logs captured so tests can assert on them (and on what they never contain).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, createApp } from "../../src/app.js";
import { type Config, parseConfig, secretsOf } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import type { FakeDiscord } from "./fake-discord.js";
import type { FakeMj } from "./fake-mj.js";

export interface RunningBot {
  app: App;
  config: Config;
  /** Every log line the bot wrote, as JSON text. */
  logs: string[];
  stop(): Promise<void>;
}

/** A fresh SQLite file per test, so tests never share state and can run in parallel. */
export function temporaryStoreUrl(): string {
  return `sqlite://${join(mkdtempSync(join(tmpdir(), "mjrelay-test-")), "state.sqlite")}`;
}

export function botEnvironment(discord: FakeDiscord, mj: FakeMj, overrides: Record<string, string> = {}) {
  return {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    MJ_BASE_URL: mj.url,
    MJ_API_KEY: mj.apiKey,
    MJ_AUTH_STYLE: mj.authStyle,
    STORE_URL: temporaryStoreUrl(),
    POLL_INTERVAL_MS: "250",
    MJ_TIMEOUT_MS: "2000",
    LOG_LEVEL: "debug",
    ...overrides,
  };
}

export async function startBot(env: Record<string, string>): Promise<RunningBot> {
  const config = parseConfig(env);
  const logs: string[] = [];
  const logger = createLogger({
    level: config.logLevel,
    secrets: secretsOf(config),
    destination: { write: (line: string) => void logs.push(line) },
  });
  const app = await createApp(config, logger);
  await app.start();
  return { app, config, logs, stop: () => app.stop() };
}
