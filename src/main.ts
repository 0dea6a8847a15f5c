// Process entry: read the configuration, build the app, start it, stop it cleanly on signals.
import { createApp } from "./app.js";
import { ConfigError, loadConfig, secretsOf } from "./config.js";
import { createLogger } from "./logger.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mjrelay: ${error.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled promise rejection"));

  const app = await createApp(config, logger);
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, "stopping");
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  try {
    await app.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.fatal({ reason: message }, "could not start");
    await app.stop().catch(() => undefined);
    process.exit(1);
  }
}

await main();
