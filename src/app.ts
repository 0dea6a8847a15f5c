// Composition root: builds every part with plain constructors and wires them; nothing else.
import { createHash } from "node:crypto";
import { type Client, DefaultUserAgent, Events } from "discord.js";
import { SubmitAccess } from "./access/submitAccess.js";
import type { Config } from "./config.js";
import { createDiscordClient } from "./discord/client.js";
import { commands } from "./discord/commands/index.js";
import { buttonHandlers, modalHandlers } from "./discord/components/index.js";
import type { BotContext } from "./discord/context.js";
import { createInteractionRouter } from "./discord/interactions/router.js";
import { RestCompletionPinger } from "./discord/messages/completionPing.js";
import { createCallbackHandler } from "./discord/messages/feedCallback.js";
import { RestMessageEditor } from "./discord/messages/messageEditor.js";
import { recoverPosts, unfinishedPosts } from "./discord/messages/recoverPosts.js";
import { registerCommands } from "./discord/register.js";
import { countDiscordRequests, discordResponseCounter } from "./discord/restMetrics.js";
import { createTaskRouting } from "./discord/taskRouting.js";
import type { Logger } from "./logger.js";
import { MediaDownloader } from "./media/downloadMedia.js";
import { ResultMedia } from "./media/resultMedia.js";
import { createMetrics } from "./metrics.js";
import { MjClient } from "./mj/client.js";
import { isFinalStatus } from "./mj/schema.js";
import { ClickLedger } from "./tracking/clickLedger.js";
import { EditScheduler } from "./tracking/editScheduler.js";
import { Poller } from "./tracking/poller.js";
import { TaskRegistry } from "./tracking/registry.js";
import { SharedTokenBucket } from "./tracking/sharedGlobalLimit.js";
import { TrackingStore } from "./tracking/store.js";
import { countTrackedTasks } from "./tracking/trackedTaskState.js";
import { TaskUpdater } from "./tracking/updater.js";
import { botHookSecret, hookUrl } from "./webhook/hookSecrets.js";
import { createMetricsEndpoint } from "./webhook/metricsEndpoint.js";
import { WebhookServer } from "./webhook/server.js";

export interface App {
  readonly client: Client;
  readonly context: BotContext;
  /** The HTTP server's port once started (useful when HTTP_PORT is 0). */
  readonly httpPort: number | undefined;
  /** Opens the store, resumes tracked tasks, logs in, starts polling. */
  start(): Promise<void>;
  /** Stops polling, lets in-flight updates finish, closes Discord, upstream and the store. */
  stop(): Promise<void>;
}

/** Channel-route edits per second for the whole bot: a few under Discord's 50 for its other requests. */
const GLOBAL_EDITS_PER_SECOND = 46;

/** Per result file, redirects included; upstream's CDNs answer in well under a second. */
const MEDIA_DOWNLOAD_TIMEOUT_MS = 30_000;

export interface AppOptions {
  /** The tracker's clock (outage and unknown-task windows, record times); tests move it ahead. */
  now?: () => number;
}

export async function createApp(config: Config, logger: Logger, options: AppOptions = {}): Promise<App> {
  const now = options.now ?? Date.now;
  const store = await TrackingStore.open(config.store.url);
  const registry = new TaskRegistry(store);
  const metrics = createMetrics({ trackedTasks: () => countTrackedTasks(registry.activeRecords()) });
  const client = createDiscordClient(config.discord, config.shards);
  countDiscordRequests(client.rest, metrics);
  // Under the ShardingManager, discord.js knows its shard from the environment the manager set;
  // a replica knows its shards from SHARD_IDS.
  const shardLabel = config.shards
    ? `shard ${config.shards.ids.join(",")}/${config.shards.count}`
    : client.shard
      ? `shard ${client.shard.ids[0]}/${client.shard.count}`
      : undefined;
  // Processes of one bot that share a Redis share its global limit (and hand tasks to each other).
  const redisUrl = /^rediss?:\/\//.test(config.store.url) ? config.store.url : undefined;
  const botId = createHash("sha256").update(config.discord.token).digest("hex").slice(0, 16);
  const globalBudget =
    redisUrl && (client.shard || config.shards)
      ? await SharedTokenBucket.open({ redisUrl, botId, perSecond: GLOBAL_EDITS_PER_SECOND, logger })
      : undefined;
  const userAgentAppendix = shardLabel ? `mjrelay (${shardLabel})` : "mjrelay";
  if (shardLabel) client.rest.options.userAgentAppendix = userAgentAppendix;
  const mj = new MjClient({
    baseUrl: config.mj.baseUrl,
    apiKey: config.mj.apiKey,
    authStyle: config.mj.authStyle,
    timeoutMs: config.mj.timeoutMs,
    listChunkSize: config.mj.listChunkSize,
    userAgent: shardLabel ? `mjrelay (${shardLabel})` : "mjrelay",
    observer: {
      onRequest: (route, outcome) => metrics.upstreamRequests.inc({ route, outcome }),
      onSubmit: (kind, outcome) => metrics.submits.inc({ kind, outcome }),
    },
  });
  const editor = new RestMessageEditor({
    rest: client.rest,
    apiUrl: config.discord.apiUrl,
    token: config.discord.token,
    userAgent: `${DefaultUserAgent} ${userAgentAppendix}`,
    onResponse: discordResponseCounter(metrics),
    ...(globalBudget ? { acquireGlobal: () => globalBudget.acquire() } : {}),
  });
  const edits = new EditScheduler({ editor, logger, maxPerSecond: GLOBAL_EDITS_PER_SECOND });
  const media = config.media.upload
    ? new ResultMedia(
        new MediaDownloader({
          maxBytes: config.media.maxBytes,
          timeoutMs: MEDIA_DOWNLOAD_TIMEOUT_MS,
          trustedOrigin: new URL(config.mj.baseUrl).origin,
        }),
        logger,
      )
    : undefined;
  const updater = new TaskUpdater({
    registry,
    edits,
    logger,
    maxAgeMs: config.tracking.maxAgeMs,
    observeEditDelay: (seconds) => metrics.editDelay.observe(seconds),
    media,
    pinger: new RestCompletionPinger(client.rest, () => client.user?.id),
    completionPingAfterMs: config.tracking.completionPingAfterMs,
    stallNoticeMs: config.tracking.stallNoticeMs,
    now,
  });
  const routing = await createTaskRouting({
    client,
    updater,
    logger,
    shards: config.shards,
    redisUrl,
    botId,
  });
  // Under the manager one process serves HTTP (the port can be bound once) and registers the
  // commands; replicas each serve it on their own host. Callbacks reach the owners either way.
  const primary = client.shard ? client.shard.ids[0] === 0 : (config.shards?.ids.includes(0) ?? true);
  const servesHttp = client.shard ? primary : true;
  const poller = new Poller({
    registry,
    updater,
    mj,
    logger,
    intervalMs: config.tracking.pollIntervalMs,
    now,
  });
  const notifyHook = config.http.publicUrl
    ? hookUrl(config.http.publicUrl, await botHookSecret(store))
    : undefined;
  const context: BotContext = {
    config,
    logger,
    mj,
    store,
    registry,
    updater,
    // A pending click outlives the upstream call it waits for.
    clicks: new ClickLedger(store, { pendingTtlMs: config.mj.timeoutMs + 60_000 }),
    access: new SubmitAccess({
      store,
      policy: config.submit,
      logger,
      isRunning: async (taskId) => {
        const record = await registry.find(taskId);
        if (!record) return undefined;
        return (
          record.stopped === null && (record.finishing ?? null) === null && !isFinalStatus(record.status)
        );
      },
    }),
    notifyHook,
    tasks: routing,
    guildLocale: (guildId) => client.guilds.cache.get(guildId)?.preferredLocale,
  };
  const webhook = new WebhookServer({
    host: config.http.host,
    port: config.http.port,
    store,
    logger,
    isDiscordReady: () => client.isReady(),
    onCallback: createCallbackHandler(client.rest, context),
    metrics: createMetricsEndpoint(metrics.registry, config.metrics.token),
    countCallback: (outcome) => metrics.callbacks.inc({ outcome }),
    maxConnections: config.http.maxConnections,
  });
  const routeInteraction = createInteractionRouter(
    { commands, buttons: buttonHandlers, modals: modalHandlers },
    context,
  );

  // Interactions still being handled when a stop begins are allowed to finish first.
  const inFlight = new Set<Promise<void>>();
  let accepting = true;
  client.on(Events.InteractionCreate, (interaction) => {
    if (!accepting) return;
    const handling = routeInteraction(interaction).finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  });
  client.on(Events.Error, (error) => logger.error({ err: error }, "discord client error"));
  client.on(Events.Warn, (message) => logger.warn(message));
  client.rest.on("rateLimited", (info) =>
    logger.debug(
      { route: info.route, retryAfter: info.retryAfter, global: info.global },
      "rate limited by Discord",
    ),
  );

  let stopping: Promise<void> | undefined;
  let httpPort: number | undefined;

  return {
    client,
    context,
    get httpPort() {
      return httpPort;
    },
    async start() {
      const resumed = await registry.load(routing.owns);
      logger.info(
        { tasks: resumed, shard: routing.shardIds.join(","), shards: routing.shardCount },
        "resumed tracked tasks from the store",
      );
      // Read before logging in: none of these can be this process's own, still being sent.
      const unfinished = await unfinishedPosts(context);
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(config.discord.token);
      await ready;
      logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, "connected to Discord");
      if (unfinished.length > 0 && client.user) {
        const recovering = recoverPosts(client.rest, client.user.id, context, unfinished).finally(() =>
          inFlight.delete(recovering),
        );
        inFlight.add(recovering);
      }
      if (config.discord.registerCommandsOnStart && primary) {
        const result = await registerCommands(
          client.rest,
          client.application!.id,
          config.discord.guildId,
          commands,
        );
        logger.info(result, "registered slash commands");
      }
      if (servesHttp) {
        httpPort = await webhook.start();
        logger.info(
          {
            port: httpPort,
            callbacks: notifyHook !== undefined,
            metricsToken: config.metrics.token !== undefined,
          },
          "HTTP server listening (notifyHook, /healthz, /metrics)",
        );
        // PUBLIC_URL says the server is reachable from outside: so are the metrics, unless guarded.
        if (config.http.publicUrl && config.metrics.token === undefined) {
          logger.warn(
            "GET /metrics answers anyone who can reach PUBLIC_URL; set METRICS_TOKEN to require a token",
          );
        }
      }
      poller.start();
    },
    stop() {
      stopping ??= (async () => {
        accepting = false;
        if (httpPort !== undefined) await webhook.stop();
        await poller.stop();
        // Downloads under way are cut short; their uploads happen after a restart.
        await media?.close();
        await Promise.allSettled(inFlight);
        await registry.drain();
        // Edits already queued get a few seconds; what is left is sent again after a restart.
        await edits.drain(5000);
        edits.stop();
        updater.stop();
        await registry.drain();
        await registry.flush();
        await client.destroy();
        await editor.close();
        await routing.close();
        await globalBudget?.close();
        await mj.close();
        await store.close();
        logger.info("stopped");
      })();
      return stopping;
    },
  };
}
