// Starts the real bot (src/app.ts, as src/main.ts does) against the loopback fakes, with its
// logs captured so tests can assert on them (and on what they never contain).

import { afterEach } from "vitest";
import { type App, type AppOptions, createApp } from "../../src/app.js";
import { type Config, parseConfig, secretsOf } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { type FakeDiscord, startFakeDiscord } from "../../src/sandbox/discord/fakeDiscord.js";
import { type FakeMj, startFakeMj } from "../../src/sandbox/mj/fakeMj.js";
import { checkedAgainstSpec } from "./discordSpec.js";
import { freePort } from "./freePort.js";
import { temporaryStoreUrl } from "./storeUrl.js";

export interface RunningBot {
  app: App;
  config: Config;
  /** Every log line the bot wrote, as JSON text. */
  logs: string[];
  stop(): Promise<void>;
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
    // The simulated tasks point at cdn.discordapp.com, which no test may reach; the tests of
    // uploaded results turn it on and serve their files from the fake MJ.
    MEDIA_UPLOAD: "false",
    ...overrides,
  };
}

export async function startBot(env: Record<string, string>, options: AppOptions = {}): Promise<RunningBot> {
  const config = parseConfig(env);
  const logs: string[] = [];
  const logger = createLogger({
    level: config.logLevel,
    secrets: secretsOf(config),
    destination: { write: (line: string) => void logs.push(line) },
  });
  const app = await createApp(config, logger, options);
  await app.start();
  return { app, config, logs, stop: () => app.stop() };
}

/** One line of the bot's log, parsed. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** Every line the bot has logged so far, parsed. */
export function logLines(bot: RunningBot): LogLine[] {
  return bot.logs.map((line) => JSON.parse(line) as LogLine);
}

/** Fakes and a running bot wired together, with a restart that keeps the store. */
export interface World {
  discord: FakeDiscord;
  mj: FakeMj;
  env: Record<string, string>;
  bot: RunningBot;
  /** Stops the bot and starts a new one on the same store (a process restart). */
  restart(): Promise<RunningBot>;
  close(): Promise<void>;
}

/** A clock for the bot (startWorld's `now`) that a test moves ahead instead of waiting. */
export function movableClock(): { now: () => number; skip: (ms: number) => void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    skip: (ms) => {
      offset += ms;
    },
  };
}

export async function startWorld(
  options: {
    env?: Record<string, string>;
    discord?: Parameters<typeof startFakeDiscord>[0];
    mj?: Parameters<typeof startFakeMj>[0];
    /** Give the bot a PUBLIC_URL, so it sends its notifyHook and accepts feeds. */
    callbacks?: boolean;
    /** The bot's clock (see AppOptions.now): a test moves it ahead instead of waiting. */
    now?: () => number;
  } = {},
): Promise<World> {
  const discord = await startFakeDiscord({ ...checkedAgainstSpec, ...options.discord });
  const mj = await startFakeMj(options.mj);
  const port = options.callbacks ? await freePort() : 0;
  const env = botEnvironment(discord, mj, {
    HTTP_PORT: String(port),
    HTTP_HOST: "127.0.0.1",
    ...(options.callbacks ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
    ...options.env,
  });
  const appOptions: AppOptions = options.now ? { now: options.now } : {};
  const world: World = {
    discord,
    mj,
    env,
    bot: await startBot(env, appOptions),
    async restart() {
      await world.bot.stop();
      world.bot = await startBot(env, appOptions);
      return world.bot;
    },
    async close() {
      await world.bot.stop();
      await Promise.all([discord.close(), mj.close()]);
    },
  };
  return world;
}

/** In a test file: `const world = useWorlds();` then `await world()` in a test; closed after each test. */
export function useWorlds(): (options?: Parameters<typeof startWorld>[0]) => Promise<World> {
  const worlds: World[] = [];
  afterEach(async () => {
    await Promise.all(worlds.splice(0).map((world) => world.close()));
  });
  return async (options) => {
    const started = await startWorld(options);
    worlds.push(started);
    return started;
  };
}
