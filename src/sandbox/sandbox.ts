// The whole sandbox in one process: the simulated Discord (REST and gateway) and MJ proxy on
// 127.0.0.1, the real bot (the same createApp as `npm start`) configured against them with a
// temporary SQLite store, the page that shows the server, and the demo in #welcome.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DestinationStream } from "pino";
import { type App, createApp } from "../app.js";
import { parseConfig, secretsOf } from "../config.js";
import { createLogger, type Logger } from "../logger.js";
import { playDemo } from "./demo.js";
import { type FakeDiscord, type FakeDiscordOptions, startFakeDiscord } from "./discord/fakeDiscord.js";
import { freePort } from "./freePort.js";
import { type FakeMj, startFakeMj } from "./mj/fakeMj.js";
import { SimulatedJobs } from "./mj/simulatedJobs.js";
import { PageModel } from "./page/pageModel.js";
import { PageServer } from "./page/pageServer.js";
import { sampleImages } from "./page/samples.js";
import {
  SANDBOX_CHANNELS,
  SANDBOX_GUILD,
  SANDBOX_MEMBERS,
  type SandboxMember,
  WELCOME_CHANNEL,
} from "./world.js";

export interface SandboxOptions {
  /** The page's port; 0 takes any free one. */
  port: number;
  /** Play the demo in #welcome (default true). */
  demo?: boolean;
  /** Between two steps of a simulated job (default 1400 ms). */
  stepMs?: number;
  /** Who may click the mirrored buttons (default requester, so the member switcher shows the rule at work). */
  buttonsAllowed?: string;
  /** Extra options for the simulated Discord (the tests add Discord's OpenAPI check). */
  discord?: Pick<FakeDiscordOptions, "specRules">;
  /** Where the bot's log goes (default standard output) and from which level (default warn). */
  log?: { level?: string; destination?: DestinationStream };
}

export interface Sandbox {
  /** The page's address, e.g. http://127.0.0.1:8787/ */
  url: string;
  discord: FakeDiscord;
  mj: FakeMj;
  app: App;
  members: readonly SandboxMember[];
  /** Settles when the demo has shown its upscale (rejects if it could not). */
  demo: Promise<void>;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const jobs = new SimulatedJobs(options.stepMs !== undefined ? { stepMs: options.stepMs } : {});
    cleanups.push(() => jobs.close());
    const discord = await startFakeDiscord({
      ...options.discord,
      guildId: SANDBOX_GUILD.id,
      guildName: SANDBOX_GUILD.name,
      channelIds: SANDBOX_CHANNELS.map((channel) => channel.id),
      channelNames: Object.fromEntries(SANDBOX_CHANNELS.map((channel) => [channel.id, channel.name])),
    });
    cleanups.push(() => discord.close());
    const mj = await startFakeMj({ submits: jobs.submit, publicFiles: jobs.file });
    cleanups.push(() => mj.close());
    const samples = sampleImages();
    for (const sample of samples) jobs.rememberImage(sample.bytes, sample.prompt);

    const store = mkdtempSync(join(tmpdir(), "mjrelay-sandbox-"));
    cleanups.push(() => rmSync(store, { recursive: true, force: true }));
    const hookPort = await freePort();
    const config = parseConfig({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
      REGISTER_COMMANDS_ON_START: "true",
      MJ_BASE_URL: mj.url,
      MJ_API_KEY: mj.apiKey,
      MJ_AUTH_STYLE: mj.authStyle,
      STORE_URL: `sqlite://${join(store, "sandbox.sqlite")}`,
      POLL_INTERVAL_MS: "2000",
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: String(hookPort),
      PUBLIC_URL: `http://127.0.0.1:${hookPort}`,
      BUTTONS_ALLOWED: options.buttonsAllowed ?? "requester",
      // Limits at work: each member's jobs are counted per day (and /mjhelp says what is left).
      SUBMIT_DAILY_LIMIT: "50",
      // The server listens on 127.0.0.1 only; a token of its own keeps the bot's warning about an
      // open /metrics (meant for real deployments) out of the sandbox's output.
      METRICS_TOKEN: randomBytes(24).toString("hex"),
      LOG_LEVEL: options.log?.level ?? "warn",
    });
    const logger: Logger = createLogger({
      level: config.logLevel,
      secrets: secretsOf(config),
      ...(options.log?.destination ? { destination: options.log.destination } : {}),
    });
    const app = await createApp(config, logger);
    cleanups.push(() => app.stop());
    await app.start();

    const model = new PageModel({
      discord,
      guildName: SANDBOX_GUILD.name,
      members: SANDBOX_MEMBERS,
      channels: SANDBOX_CHANNELS,
      samples,
    });
    const page = new PageServer({ discord, model, samples });
    cleanups.push(() => page.close());
    const url = await page.listen(options.port);

    let stopping = false;
    const demo =
      options.demo === false
        ? Promise.resolve()
        : playDemo(discord, model, {
            channelId: WELCOME_CHANNEL.id,
            member: SANDBOX_MEMBERS[0] as SandboxMember,
          }).then(
            () => undefined,
            (error: unknown) => {
              if (stopping) return;
              logger.warn({ err: error }, "the #welcome demo did not finish");
              throw error;
            },
          );
    // Whoever does not wait for the demo must not see its failure as an unhandled rejection.
    demo.catch(() => undefined);

    let stopped: Promise<void> | undefined;
    return {
      url,
      discord,
      mj,
      app,
      members: SANDBOX_MEMBERS,
      demo,
      stop() {
        stopping = true;
        stopped ??= cleanUp();
        return stopped;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
