// compose.yaml and the Dockerfile, read as Docker would read them: no Docker daemon runs here, so
// this checks their wiring, and test/e2e/healthcheck.test.ts runs the health check itself.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import {
  dockerfileHealthcheckCommand,
  dockerfileInstructions,
  environmentOf,
  readCompose,
  readRepositoryFile,
} from "../support/deployment.js";

const compose = readCompose();
const bot = compose.services.bot!;
const redis = compose.services.redis!;

describe("compose.yaml", () => {
  it("has the bot, built from the Dockerfile, and Redis from the official image", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["bot", "redis"]);
    const context = typeof bot.build === "string" ? bot.build : bot.build?.context;
    expect(context).toBe(".");
    // Official images have no namespace: "redis:<tag>", not "someone/redis".
    expect(redis.image).toMatch(/^redis:[\w.-]+$/);
  });

  it("points the bot's STORE_URL at the redis service, which the bot waits for", () => {
    const environment = environmentOf(bot);
    const store = new URL(environment.STORE_URL!);
    expect(store.protocol).toBe("redis:");
    expect(store.hostname).toBe("redis");
    expect(Object.keys(compose.services)).toContain(store.hostname);
    expect(store.port || "6379").toBe("6379");
    expect(bot.depends_on).toEqual({ redis: { condition: "service_healthy" } });
    // The bot's own config accepts it as is.
    const config = parseConfig({
      DISCORD_TOKEN: "t",
      MJ_BASE_URL: "https://mj.example.com",
      MJ_API_KEY: "k",
      ...environment,
    });
    expect(config.store.url).toBe("redis://redis:6379");
    expect(config.http).toMatchObject({ host: "0.0.0.0", port: 8080 });
  });

  it("restarts both unless stopped, takes the bot's secrets from .env, publishes its port", () => {
    expect(bot.restart).toBe("unless-stopped");
    expect(redis.restart).toBe("unless-stopped");
    const envFiles = [bot.env_file ?? []]
      .flat()
      .map((entry) => (typeof entry === "string" ? entry : entry.path));
    expect(envFiles).toEqual([".env"]);
    // Secrets come from .env only, never written into compose.yaml.
    for (const secret of ["DISCORD_TOKEN", "MJ_API_KEY", "METRICS_TOKEN"]) {
      expect(Object.keys(environmentOf(bot))).not.toContain(secret);
    }
    const exposed = dockerfileInstructions().find((line) => line.startsWith("EXPOSE"));
    expect(exposed).toBe("EXPOSE 8080");
    expect(bot.ports).toEqual(["8080:8080"]);
    expect(environmentOf(bot).HTTP_PORT).toBe("8080");
  });

  it("keeps Redis append-only on a named volume", () => {
    const command = [redis.command ?? []].flat().join(" ");
    expect(command).toMatch(/^redis-server\b.*--appendonly yes\b/);
    const volume = redis.volumes?.find((entry) => typeof entry === "string" && entry.endsWith(":/data"));
    expect(volume).toBe("redis-data:/data");
    expect(Object.keys(compose.volumes ?? {})).toContain("redis-data");
  });

  it("checks both services' health: Redis with redis-cli ping, the bot with the Dockerfile's own command", () => {
    expect(redis.healthcheck?.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(bot.healthcheck?.test).toEqual(["CMD", ...dockerfileHealthcheckCommand()]);
    expect(bot.healthcheck?.interval).toBeDefined();
  });

  it("contains no $ that Compose would interpolate", () => {
    expect(readRepositoryFile("compose.yaml")).not.toContain("$");
  });
});

describe("Dockerfile", () => {
  it("checks health with node itself (the slim image has no curl)", () => {
    const command = dockerfileHealthcheckCommand();
    expect(command[0]).toBe("node");
    expect(command.join(" ")).toContain("/healthz");
    expect(command.join(" ")).not.toMatch(/\b(curl|wget)\b/);
    const instruction = dockerfileInstructions().find((line) => line.startsWith("HEALTHCHECK"));
    expect(instruction).toMatch(/--timeout=\d+s/);
  });

  it("keeps .env (the secrets) out of the build context", () => {
    expect(readRepositoryFile(".dockerignore").split("\n")).toContain(".env");
  });
});

describe(".env.example", () => {
  it("offers METRICS_TOKEN, empty", () => {
    expect(readRepositoryFile(".env.example")).toMatch(/^METRICS_TOKEN=$/m);
  });
});
