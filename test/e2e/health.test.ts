// GET /healthz tells a process manager the truth: 503 once the store cannot be written.
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { useWorlds } from "../support/bot.js";

const world = useWorlds();

describe("/healthz", () => {
  it("answers 503 once the data directory is removed, and the log says why", async () => {
    const w = await world();
    const health = () => fetch(`http://127.0.0.1:${w.bot.app.httpPort}/healthz`);
    expect((await health()).status).toBe(200);

    const directory = dirname(w.env.STORE_URL!.replace(/^sqlite:\/\//, ""));
    rmSync(directory, { recursive: true, force: true });
    const response = await health();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "unavailable", discord: true, store: false });
    const logs = w.bot.logs.join("\n");
    expect(logs).toMatch(/health check: the store cannot be written/);
    expect(logs).toContain(`the SQLite file ${directory}/state.sqlite no longer exists`);
    // Said once, not on every check.
    await health();
    expect(w.bot.logs.join("\n").match(/the store cannot be written/g)).toHaveLength(1);
  });
});
