// The sandbox's simulated Midjourney through the page's own API, with the real bot in between:
// describe, blend, shorten, the queue, a banned word, feeds, and what the page refuses to send.
import { afterEach, describe, expect, it } from "vitest";
import type { FakeMessage } from "../../src/sandbox/discord/fakeDiscord.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/sandbox.js";
import { SANDBOX_CHANNELS, SANDBOX_MEMBERS } from "../../src/sandbox/world.js";
import { checkedAgainstSpec } from "../support/discordSpec.js";
import { isReplyTo } from "../support/jobs.js";

const [ADA, BEN] = SANDBOX_MEMBERS.map((member) => member.id) as [string, string];
const GENERAL = SANDBOX_CHANNELS[1]?.id as string;

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.stop()));
});

async function sandbox(): Promise<Sandbox> {
  const started = await startSandbox({
    port: 0,
    demo: false,
    stepMs: 80,
    discord: checkedAgainstSpec,
    log: { level: "silent" },
  });
  sandboxes.push(started);
  return started;
}

async function post(
  s: Sandbox,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(new URL(path, s.url), { method: "POST", body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

async function command(
  s: Sandbox,
  name: string,
  options: Record<string, string>,
  extra: Record<string, string> = {},
) {
  const answer = await post(s, "/api/command", { userId: ADA, channelId: GENERAL, name, options, ...extra });
  expect(answer.status).toBe(200);
  return answer.body.interactionId as string;
}

const title = (message: FakeMessage | undefined) =>
  (message?.embeds[0] as { title?: string } | undefined)?.title;
const embedText = (message: FakeMessage) => JSON.stringify(message.embeds);

function finished(s: Sandbox, interactionId: string, expected: string | RegExp): Promise<FakeMessage> {
  return s.discord.waitFor(() => {
    const message = [...s.discord.messages.values()].find(
      (m) => m.interactionId === interactionId && !m.ephemeral,
    );
    const shown = title(message) ?? "";
    return message && (typeof expected === "string" ? shown === expected : expected.test(shown))
      ? message
      : undefined;
  });
}

function buttonId(message: FakeMessage, name: string): string {
  const buttons = (
    message.components as { components: { custom_id: string; label?: string; emoji?: { name: string } }[] }[]
  ).flatMap((row) => row.components);
  const found = buttons.find((b) => b.label === name || b.emoji?.name === name);
  if (!found) throw new Error(`no button ${name}: ${JSON.stringify(buttons)}`);
  return found.custom_id;
}

describe("the sandbox's simulated Midjourney", () => {
  it("describes a sample image by what it shows, and 1️⃣ opens a form that starts that prompt as a reply", async () => {
    const s = await sandbox();
    const asked = await command(s, "describe", { image: "fox.png" });
    const described = await finished(s, asked, "Describe · Done");
    expect(embedText(described)).toContain("a red fox on green hills");
    const submit = s.mj.requestsTo("/mj/submit/describe")[0]?.body as { base64?: string };
    expect(submit.base64).toMatch(/^data:image\/png;base64,iVBOR/);

    const click = await post(s, "/api/click", {
      userId: ADA,
      messageId: described.id,
      customId: buttonId(described, "1️⃣"),
    });
    const modal = await s.discord.waitFor(
      () => s.discord.interactions.get(click.body.interactionId as string)?.modal,
    );
    const prompt =
      (modal.components as { components: { value?: string }[] }[])[0]?.components[0]?.value ?? "";
    expect(prompt).toContain("a red fox on green hills");
    const form = await post(s, "/api/modal", {
      userId: ADA,
      interactionId: click.body.interactionId,
      fields: { prompt: "a red fox, storybook art" },
    });
    expect(form.status).toBe(200);
    const started = await s.discord.waitForMessage(isReplyTo(described));
    await s.discord.waitFor(() => title(s.discord.messages.get(started.id)) === "Imagine · Done");
    expect(s.mj.requestsTo("/mj/submit/modal").map((r) => (r.body as { prompt?: string }).prompt)).toEqual([
      "a red fox, storybook art",
    ]);
    expect(s.discord.rejected).toEqual([]);
  });

  it("blends two samples into a grid drawn as PNG on the proxy's own origin", async () => {
    const s = await sandbox();
    const asked = await command(s, "blend", {
      image1: "fox.png",
      image2: "city.png",
      dimensions: "Landscape (3:2)",
    });
    const blended = await finished(s, asked, "Blend · Done");
    const image = (blended.embeds[0] as { image?: { url: string } }).image?.url ?? "";
    expect(new URL(image).origin).toBe(new URL(s.mj.url).origin);
    const png = Buffer.from(await (await fetch(image)).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    // 3:2, as asked: width and height from the PNG header.
    expect(png.readUInt32BE(16) / png.readUInt32BE(20)).toBeCloseTo(1.5, 1);
    expect(s.mj.requestsTo("/mj/submit/blend")[0]?.body).toMatchObject({ dimensions: "LANDSCAPE" });
    // Every state reached the bot's notifyHook too (the sandbox gives the bot a PUBLIC_URL).
    const hook = s.app.context.notifyHook;
    expect(hook).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/mj\//);
    await s.mj.waitFor(() =>
      s.mj.callbacks.some((c) => c.task.status === "SUCCESS" && c.url === hook && c.status === 204),
    );
  });

  it("answers /shorten with the shortened prompts where proxies put them, and fails a banned word", async () => {
    const s = await sandbox();
    const shortened = await finished(
      s,
      await command(s, "shorten", { prompt: "a majestic red fox, standing on hills, golden hour light" }),
      "Shorten · Done",
    );
    const taskId = /Task (\d+)/.exec(embedText(shortened))?.[1] ?? "";
    expect(String(s.mj.task(taskId)?.description)).toMatch(/^\*\*Shortened prompts\*\*\n1️⃣ /);

    const banned = await finished(
      s,
      await command(s, "imagine", { prompt: "a gore scene" }),
      "Imagine · Failed",
    );
    expect(embedText(banned)).toContain("Banned prompt detected");
  });

  it("queues a fourth job while three run, and says how many are ahead", async () => {
    const s = await sandbox();
    const ids: string[] = [];
    for (const prompt of ["one fox", "two foxes", "three foxes", "four foxes"])
      ids.push(await command(s, "imagine", { prompt }));
    const fourth = await s.discord.waitForMessage((m) => m.interactionId === ids[3] && !m.ephemeral);
    expect(embedText(fourth)).toContain("Queued: 1 task ahead.");
    await finished(s, ids[3] as string, "Imagine · Done");
  });

  it("lets the member who manages channels enable a feed and tells the other one why not", async () => {
    const s = await sandbox();
    const enabled = await post(s, "/api/command", {
      userId: ADA,
      channelId: GENERAL,
      name: "mjfeed",
      subcommand: "enable",
      options: {},
    });
    const answer = await s.discord.waitForMessage((m) => m.interactionId === enabled.body.interactionId);
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toMatch(/now a feed/);
    const refused = await post(s, "/api/command", {
      userId: BEN,
      channelId: GENERAL,
      name: "mjfeed",
      subcommand: "status",
      options: {},
    });
    const refusal = await s.discord.waitForMessage((m) => m.interactionId === refused.body.interactionId);
    expect(refusal.content).toMatch(/Manage Channels/);
  });

  it("refuses what Discord's own client would never send, in plain words", async () => {
    const s = await sandbox();
    const cases: [unknown, RegExp][] = [
      [{ userId: ADA, channelId: GENERAL, name: "imagine", options: {} }, /prompt is required/],
      [{ userId: ADA, channelId: GENERAL, name: "nope", options: {} }, /not one of the bot's commands/],
      [{ userId: "1", channelId: GENERAL, name: "imagine", options: { prompt: "x" } }, /no such member/],
      [
        { userId: ADA, channelId: GENERAL, name: "describe", options: { image: "other.png" } },
        /no sample image/,
      ],
      [
        {
          userId: ADA,
          channelId: GENERAL,
          name: "blend",
          options: { image1: "fox.png", image2: "city.png", dimensions: "round" },
        },
        /must be one of/,
      ],
    ];
    for (const [body, expected] of cases) {
      const answer = await post(s, "/api/command", body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(expected);
    }
    const notJson = await fetch(new URL("/api/command", s.url), { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
    expect(s.discord.interactions.size).toBe(0);
  });
});
