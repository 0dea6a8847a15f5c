// `npx tsx bench/throughput.ts [edits] [channels]`: the channel route's throughput with nothing
// but the edit scheduler and the tracker's HTTP editor at work. One final edit for each of
// `edits` messages (default 2,000) over `channels` channels (default 50) of the rate-limited fake
// Discord in its own process (5 edits per 5 s per channel, 50 requests per second for the bot);
// prints edits per second as the fake saw them, its 429s, and the CPU per edit.
import { REST } from "discord.js";
import { RestMessageEditor } from "../src/discord/messages/messageEditor.js";
import { createLogger } from "../src/logger.js";
import { parseTask, type Task } from "../src/mj/schema.js";
import { renderTaskMessage } from "../src/render/renderTaskMessage.js";
import { EditScheduler } from "../src/tracking/editScheduler.js";
import { readFixture } from "../test/support/fixtures.js";
import { ChildRole } from "./childRole.js";
import type { DiscordReport } from "./fakes.js";

const edits = Number(process.argv[2] ?? 2000);
const channels = Number(process.argv[3] ?? 50);

const fake = new ChildRole("discord");

const env = await fake.call<{ apiUrl: string; token: string }>({ cmd: "start" });
const taskIds = Array.from({ length: edits }, (_, i) => `17320${String(i).padStart(11, "0")}`);
const messages = await fake.call<{ channelId: string; messageId: string }[]>({
  cmd: "seed",
  taskIds,
  channels,
  stepMs: 6000,
});
const rest = new REST({ api: env.apiUrl }).setToken(env.token);
const editor = new RestMessageEditor({ rest, apiUrl: env.apiUrl, token: env.token });
const scheduler = new EditScheduler({ editor, logger: createLogger({ level: "silent", secrets: [] }) });
const task = parseTask(readFixture("imagine-success.json")) as Task;
const payload = renderTaskMessage(task, { locale: "en" }).payload;

const cpu = process.cpuUsage();
await Promise.all(messages.map((message) => scheduler.submit(message, async () => payload, { final: true })));
const used = process.cpuUsage(cpu);
const report = await fake.call<DiscordReport>({ cmd: "report" });
const seconds = (report.lastPatchAt - report.firstPatchAt) / 1000;
process.stdout.write(
  `${report.discordPatches} edits over ${channels} channels: ${(report.discordPatches / seconds).toFixed(1)} ` +
    `edits/s, ${report.rateLimited} 429s (${report.rateLimitedGlobal} global), ` +
    `${((used.user + used.system) / 1000 / edits).toFixed(2)} ms of CPU per edit\n`,
);
await editor.close();
await fake.stop();
