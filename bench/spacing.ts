// `npx tsx bench/spacing.ts`: what the CPU cost of one edit depends on besides the edit. Sends
// 2,000 PATCHes at 46 a second to a loopback server in another process, started one by one
// (evenly spaced, as the scheduler once did) or in groups (several times a second, as it does
// now), and prints the client's CPU time per request. Each wake-up of a process and each answer
// arriving alone costs CPU of its own, so the same requests cost less in groups.
import { fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";

const REQUESTS = 2000;
const PER_SECOND = 46;

if (process.argv[2] === "server") {
  // A message as Discord answers an edit, with the bucket headers the editor reads.
  const message = JSON.stringify({ id: "1", channel_id: "2", content: "", embeds: [{ title: "t" }] });
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, {
        "content-type": "application/json",
        "x-ratelimit-remaining": "4",
        "x-ratelimit-reset-after": "1.000",
      });
      res.end(message);
    });
  });
  server.listen(0, "127.0.0.1", () => process.send?.((server.address() as AddressInfo).port));
} else {
  const child = fork(new URL(import.meta.url).pathname, ["server"], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) => child.once("message", (p) => resolve(p as number)));
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64 });
  const body = JSON.stringify({
    content: "",
    embeds: [{ title: "Imagine · 50%", description: "d".repeat(1500) }],
    components: [],
    allowed_mentions: { parse: [] },
  });
  const edit = async (i: number) => {
    const answer = await pool.request({
      method: "PATCH",
      path: `/api/v10/channels/${i % 50}/messages/${i}`,
      headers: { "content-type": "application/json", authorization: "Bot x" },
      body,
    });
    await answer.body.dump();
  };
  for (let i = 0; i < 300; i++) await edit(i); // warm-up

  /** Starts the requests `everyMs` apart in groups of PER_SECOND × everyMs / 1000. */
  const run = async (everyMs: number) => {
    const perGroup = Math.max(1, Math.round((PER_SECOND * everyMs) / 1000));
    const cpu = process.cpuUsage();
    const sent: Promise<void>[] = [];
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (let k = 0; k < perGroup && sent.length < REQUESTS; k++) sent.push(edit(sent.length));
        if (sent.length >= REQUESTS) {
          clearInterval(timer);
          resolve();
        }
      }, everyMs);
    });
    await Promise.all(sent);
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / REQUESTS;
  };
  for (const [label, everyMs] of [
    ["one at a time, evenly spaced", Math.round(1000 / PER_SECOND)],
    ["in groups, every 250 ms", 250],
  ] as const) {
    const micros = await run(everyMs);
    process.stdout.write(`${label}: ${(micros / 1000).toFixed(2)} ms of CPU per request\n`);
  }
  await pool.close();
  child.kill();
}
