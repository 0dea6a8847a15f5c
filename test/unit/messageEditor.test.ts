// The REST message editor against the fake Discord: what Discord's answers tell the edit
// scheduler (a channel's bucket is empty; the bot is over its global limit), and edits that
// upload a task's files.
import { REST } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { interactionTokenUsable, RestMessageEditor } from "../../src/discord/messages/messageEditor.js";
import type { TaskMessagePayload } from "../../src/render/renderTaskMessage.js";
import { startFakeDiscord } from "../../src/sandbox/discord/fakeDiscord.js";
import { checkedAgainstSpec } from "../support/discordSpec.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const payload: TaskMessagePayload = {
  content: "x",
  embeds: [],
  components: [],
  allowedMentions: { parse: [] },
};

async function setup(
  rateLimits: NonNullable<Parameters<typeof startFakeDiscord>[0]>["rateLimits"],
  options: Parameters<typeof startFakeDiscord>[0] = {},
) {
  const fake = await startFakeDiscord({ ...checkedAgainstSpec, rateLimits, ...options });
  cleanups.push(() => fake.close());
  const channelId = "900000000000000001";
  fake.addChannel(channelId);
  const messages = [fake.seedMessage(channelId).id, fake.seedMessage(channelId).id];
  const editor = new RestMessageEditor({
    rest: new REST({ api: fake.apiUrl }).setToken(fake.token),
    apiUrl: fake.apiUrl,
    token: fake.token,
  });
  cleanups.push(() => editor.close());
  return { fake, editor, channelId, messages };
}

describe("RestMessageEditor", () => {
  it("reports a channel whose edit bucket Discord said is empty, until it refills", async () => {
    const { editor, channelId, messages } = await setup({ perRoute: { limit: 1, windowMs: 2000 } });
    expect(editor.readyAt(channelId)).toBe(0);
    expect(await editor.edit({ channelId, messageId: messages[0]! }, payload)).toBe("edited");
    expect(editor.readyAt(channelId)).toBeGreaterThan(Date.now() + 1000);
  });

  it("reports the bot held to its global limit after a global 429, and hands the edit back", async () => {
    const { fake, editor, channelId, messages } = await setup({ global: { limit: 1, windowMs: 1000 } });
    await editor.edit({ channelId, messageId: messages[0]! }, payload);
    expect(editor.globalReadyAt()).toBe(0);
    // Over the limit: the scheduler sends it again once the limit allows.
    expect(await editor.edit({ channelId, messageId: messages[1]! }, payload)).toBe("rate-limited");
    const limitedAt = fake.rateLimited[0]?.at ?? Number.NaN;
    expect(fake.rateLimited[0]?.rateLimitScope).toBe("global");
    expect(editor.globalReadyAt()).toBeGreaterThanOrEqual(limitedAt + 900);
  });

  it("reports a message that is gone, and sends the bot token only on the channel route", async () => {
    const { fake, editor, channelId, messages } = await setup({});
    fake.deleteMessage(messages[0]!);
    expect(await editor.edit({ channelId, messageId: messages[0]! }, payload)).toBe("gone");
    const reply = fake.seedInteractionReply(channelId);
    const target = {
      channelId,
      messageId: reply.message.id,
      interaction: {
        applicationId: fake.applicationId,
        token: reply.interaction.token,
        message: "@original",
        createdAt: reply.interaction.createdAt,
      },
    };
    expect(editor.laneOf(target)).toEqual({ key: `token:${reply.interaction.token}`, global: false });
    expect(await editor.edit(target, payload)).toBe("edited");
    const [channelEdit, tokenEdit] = fake.requests.filter((r) => r.method === "PATCH");
    expect(channelEdit?.headers.authorization).toBe(`Bot ${fake.token}`);
    expect(tokenEdit?.path).toBe(
      `/webhooks/${fake.applicationId}/${reply.interaction.token}/messages/@original`,
    );
    expect(tokenEdit?.headers.authorization).toBeUndefined();
  });

  it("leaves a token for the channel route once it is within its margin of 15 minutes", () => {
    const now = Date.now();
    const reply = { applicationId: "1", token: "t", message: "@original", createdAt: now };
    expect(interactionTokenUsable(reply, now + 13 * 60_000)).toBe(true);
    expect(interactionTokenUsable(reply, now + 14 * 60_000)).toBe(false);
    expect(interactionTokenUsable(reply, now + 16 * 60_000)).toBe(false);
  });

  it("uploads an edit's files as multipart, listed by placeholder, and the embed shows them", async () => {
    const { fake, editor, channelId, messages } = await setup(undefined);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(60, 7)]);
    const withFile: TaskMessagePayload = {
      ...payload,
      embeds: [{ title: "Done", image: { url: "attachment://task-1.png" } }],
      uploads: {
        files: [{ name: "task-1.png", contentType: "image/png", data: png }],
        withoutFiles: payload,
      },
    };
    expect(await editor.edit({ channelId, messageId: messages[0]! }, withFile)).toBe("edited");
    const sent = fake.requests.at(-1)!;
    expect(sent.files).toEqual([
      expect.objectContaining({ field: "files[0]", filename: "task-1.png", size: 64 }),
    ]);
    expect(sent.body).toMatchObject({ attachments: [{ id: "0", filename: "task-1.png" }] });
    const message = fake.messages.get(messages[0]!)!;
    const file = message.attachments[0] as { url: string };
    expect((message.embeds[0] as { image: { url: string } }).image.url).toBe(file.url);
    expect(Buffer.from(await (await fetch(file.url)).arrayBuffer()).equals(png)).toBe(true);

    // A later edit without files keeps them, and attachment:// still finds them.
    const later = {
      ...payload,
      embeds: [{ title: "Done again", image: { url: "attachment://task-1.png" } }],
    };
    expect(await editor.edit({ channelId, messageId: messages[0]! }, later)).toBe("edited");
    expect(fake.requests.at(-1)?.body).not.toHaveProperty("attachments");
    expect(fake.messages.get(messages[0]!)?.attachments).toEqual(message.attachments);
    expect((fake.messages.get(messages[0]!)!.embeds[0] as { image: { url: string } }).image.url).toBe(
      file.url,
    );
  });

  it("edits without the files when Discord refuses them, or sends nothing more when that is shown already", async () => {
    const { fake, editor, channelId, messages } = await setup(undefined, { uploadLimitBytes: 10 });
    const file = { name: "big.png", contentType: "image/png", data: Buffer.alloc(64, 1) };
    const links = {
      ...payload,
      content: "",
      embeds: [{ title: "Done", image: { url: "https://cdn.example.com/a.png" } }],
    };
    const upload = (withoutFiles: TaskMessagePayload | null): TaskMessagePayload => ({
      ...payload,
      embeds: [{ title: "Done", image: { url: "attachment://big.png" } }],
      uploads: { files: [file], withoutFiles },
    });
    expect(await editor.edit({ channelId, messageId: messages[0]! }, upload(links))).toBe(
      "edited-without-files",
    );
    expect(fake.requests.slice(-2).map((r) => [r.status, Boolean(r.files)])).toEqual([
      [413, true],
      [200, false],
    ]);
    expect(fake.messages.get(messages[0]!)?.embeds).toEqual(links.embeds);
    const before = fake.requests.length;
    expect(await editor.edit({ channelId, messageId: messages[1]! }, upload(null))).toBe(
      "edited-without-files",
    );
    expect(fake.requests.length).toBe(before + 1);
  });
});
