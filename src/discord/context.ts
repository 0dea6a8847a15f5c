// What command and component handlers receive: the app's parts, built in app.ts.
import type { SubmitAccess } from "../access/submitAccess.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { MjClient } from "../mj/client.js";
import type { ClickLedger } from "../tracking/clickLedger.js";
import type { TaskRegistry } from "../tracking/registry.js";
import type { TrackingStore } from "../tracking/store.js";
import type { TaskUpdater } from "../tracking/updater.js";
import type { TaskRouting } from "./taskRouting.js";

export interface BotContext {
  config: Config;
  logger: Logger;
  mj: MjClient;
  store: TrackingStore;
  registry: TaskRegistry;
  updater: TaskUpdater;
  clicks: ClickLedger;
  /** Who may submit upstream, and how often: every submit goes through access.spend(). */
  access: SubmitAccess;
  /** Attaches messages and applies callbacks on the process that owns the task. */
  tasks: TaskRouting;
  /** The bot's own callback URL for submissions; undefined without PUBLIC_URL (tasks are polled). */
  notifyHook: string | undefined;
  /**
   * A server's preferred locale as discord.js knows it (GUILD_CREATE, GUILD_UPDATE); undefined
   * for a server this process does not hold (another shard's).
   */
  guildLocale(guildId: string): string | undefined;
}
