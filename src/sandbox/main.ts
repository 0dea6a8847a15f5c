// `npm run sandbox`: the bot against a simulated Discord and MJ proxy, shown on a page at
// http://127.0.0.1:<SANDBOX_PORT>/. Needs no .env and reads no other variable; Ctrl-C stops it all.
import { ConfigError, loadSandboxPort } from "../config.js";
import { startSandbox } from "./sandbox.js";

const sentences = {
  ready: (url: string) =>
    `mjrelay sandbox: open ${url} (a simulated Discord server; a demo job plays in #welcome). Ctrl-C stops it.`,
  portTaken: (port: number) =>
    `mjrelay sandbox: port ${port} is in use. Stop what uses it, or pick another: SANDBOX_PORT=8788 npm run sandbox`,
  stopping: "mjrelay sandbox: stopping…",
  stopped: "mjrelay sandbox: stopped.",
  demoFailed: "mjrelay sandbox: the #welcome demo did not finish (see the log above); the page still works.",
} as const;

async function main(): Promise<void> {
  let port: number;
  try {
    port = loadSandboxPort();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`mjrelay sandbox: ${error.message}\n`);
    process.exit(1);
  }
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({ port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      process.stderr.write(`${sentences.portTaken(port)}\n`);
      process.exit(1);
    }
    throw error;
  }
  process.stdout.write(`${sentences.ready(sandbox.url)}\n`);
  sandbox.demo.catch(() => process.stderr.write(`${sentences.demoFailed}\n`));

  let firstSignalAt = 0;
  const shutdown = () => {
    // npm relays the terminal's Ctrl-C to its child, so one Ctrl-C can arrive twice; only a
    // later one means "stop waiting".
    if (firstSignalAt > 0) {
      if (Date.now() - firstSignalAt > 1000) process.exit(1);
      return;
    }
    firstSignalAt = Date.now();
    process.stdout.write(`${sentences.stopping}\n`);
    sandbox.stop().then(
      () => {
        process.stdout.write(`${sentences.stopped}\n`);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`mjrelay sandbox: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

await main();
