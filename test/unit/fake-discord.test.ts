// The fake Discord itself: the real discord.js client logs in and talks to it, and it refuses
// what Discord refuses.
import { Client, DiscordAPIError, Events, GatewayIntentBits, type Interaction, Routes } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeDiscord, startFakeDiscord } from "../support/fake-discord.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(options: Parameters<typeof startFakeDiscord>[0] = {}) {
  const fake = await startFakeDiscord(options);
  cleanups.push(() => fake.close());
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  cleanups.push(() => client.destroy());
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(fake.token);
  await ready;
  return { fake, client };
}

function nextInteraction(client: Client): Promise<Interaction> {
  return new Promise((resolve) => client.once(Events.InteractionCreate, resolve));
}

async function rejection(fake: FakeDiscord, client: Client, body: unknown): Promise<string[]> {
  const message = fake.seedMessage(fake.channelId);
  const error = await client.rest
    .patch(Routes.channelMessage(fake.channelId, message.id), { body })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DiscordAPIError);
  expect((error as DiscordAPIError).code).toBe(50035);
  return fake.rejected.at(-1)?.problems ?? [];
}

const button = (customId: string, extra: Record<string, unknown> = {}) => ({
  type: 2,
  style: 2,
  label: "B",
  custom_id: customId,
  ...extra,
});

describe("fake Discord", () => {
  it("lets discord.js log in and caches the guild", async () => {
    const { fake, client } = await connect();
    expect(client.guilds.cache.has(fake.guildId)).toBe(true);
    expect(client.user?.id).toBe(fake.botUserId);
  });

  it("refuses a wrong token at login", async () => {
    const fake = await startFakeDiscord();
    cleanups.push(() => fake.close());
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    cleanups.push(() => client.destroy());
    await expect(client.login("wrong-token")).rejects.toThrow();
  });

  it("delivers a slash command and records the reply, a deferral and its edit", async () => {
    const { fake, client } = await connect();
    const received = nextInteraction(client);
    const sent = await fake.sendCommand("mjstatus", { id: "123" });
    const interaction = await received;
    expect(interaction.isChatInputCommand() && interaction.options.getString("id")).toBe("123");
    if (!interaction.isChatInputCommand()) throw new Error("not a command");
    await interaction.deferReply();
    await interaction.editReply({ content: "done" });
    const message = await fake.waitForMessage((m) => m.interactionId === sent.id && m.content === "done");
    expect(message.edits).toBe(1);
    expect(fake.interactions.get(sent.id)?.callbacks.map((c) => c.type)).toEqual([5]);
  });

  it("delivers a button click with its message, and records deferUpdate and modals", async () => {
    const { fake, client } = await connect();
    const message = await client.rest.post(Routes.channelMessages(fake.channelId), {
      body: { content: "x", components: [{ type: 1, components: [button("a"), button("b")] }] },
    });
    const received = nextInteraction(client);
    const click = await fake.clickButton((message as { id: string }).id, "a");
    const interaction = await received;
    if (!interaction.isButton()) throw new Error("not a button");
    expect(interaction.customId).toBe("a");
    expect(interaction.message.id).toBe((message as { id: string }).id);
    await interaction.showModal({
      custom_id: "m",
      title: "Prompt",
      components: [{ type: 1, components: [{ type: 4, custom_id: "prompt", label: "Prompt", style: 2 }] }],
    });
    await fake.waitFor(() => fake.interactions.get(click.id)?.modal);
    expect(fake.interactions.get(click.id)?.callbacks.map((c) => c.type)).toEqual([9]);
  });

  it("counts edits and answers 10008 for a deleted message", async () => {
    const { fake, client } = await connect();
    const message = fake.seedMessage(fake.channelId);
    await client.rest.patch(Routes.channelMessage(fake.channelId, message.id), { body: { content: "1" } });
    expect(fake.editsOf(message.id)).toBe(1);
    fake.deleteMessage(message.id);
    const error = await client.rest
      .patch(Routes.channelMessage(fake.channelId, message.id), { body: { content: "2" } })
      .catch((e: unknown) => e);
    expect((error as DiscordAPIError).code).toBe(10008);
  });

  it("refuses what Discord refuses", async () => {
    const { fake, client } = await connect();
    const six = Array.from({ length: 6 }, (_, i) => button(`b${i}`));
    expect(await rejection(fake, client, { components: [{ type: 1, components: six }] })).toContainEqual(
      expect.stringMatching(/1 to 5 buttons/),
    );
    expect(
      await rejection(fake, client, {
        components: [{ type: 1, components: [button("same"), button("same")] }],
      }),
    ).toContainEqual(expect.stringMatching(/duplicated/));
    expect(
      await rejection(fake, client, { components: [{ type: 1, components: [button("x".repeat(101))] }] }),
    ).not.toEqual([]);
    expect(
      await rejection(fake, client, {
        components: [{ type: 1, components: [button("e", { emoji: { name: "upscale_1" } })] }],
      }),
    ).toContainEqual(expect.stringMatching(/BUTTON_COMPONENT_INVALID_EMOJI/));
    const fields = Array.from({ length: 7 }, (_, i) => ({ name: `f${i}`, value: "v".repeat(1000) }));
    expect(await rejection(fake, client, { embeds: [{ description: "d", fields }] })).toContainEqual(
      expect.stringMatching(/more than 6000/),
    );
    expect(await rejection(fake, client, { content: "c".repeat(2001) })).not.toEqual([]);
  });

  it("accepts a rich valid message", async () => {
    const { fake, client } = await connect();
    const emojis = ["🔄", "1️⃣", "🖌️", "⬅️", "🪄"];
    const rows = Array.from({ length: 5 }, (_, r) => ({
      type: 1,
      components: emojis.map((name, b) => button(`r${r}b${b}`, { emoji: { name }, label: undefined })),
    }));
    await client.rest.post(Routes.channelMessages(fake.channelId), {
      body: {
        embeds: [
          {
            title: "t",
            description: "d",
            fields: [{ name: "n", value: "v", inline: true }],
            footer: { text: "f" },
            image: { url: "https://cdn.example.com/x.png" },
          },
        ],
        components: rows,
        allowed_mentions: { parse: [] },
      },
    });
    expect(fake.rejected).toEqual([]);
  });

  it("rate-limits per route with Discord's headers, which discord.js reads and waits out without a 429", async () => {
    const { fake, client } = await connect({ rateLimits: { perRoute: { limit: 2, windowMs: 300 } } });
    const message = fake.seedMessage(fake.channelId);
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.rest.patch(Routes.channelMessage(fake.channelId, message.id), {
          body: { content: String(i) },
        }),
      ),
    );
    expect(fake.editsOf(message.id)).toBe(5);
    expect(fake.rateLimited).toEqual([]);
    // 5 edits at 2 per 300 ms window need at least two resets.
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it("answers 429 over the global limit, and discord.js retries after Retry-After", async () => {
    const { fake, client } = await connect({ rateLimits: { global: { limit: 1, windowMs: 200 } } });
    const messages = [fake.seedMessage(fake.channelId), fake.seedMessage(fake.channelId)];
    await Promise.all(
      messages.map((m) =>
        client.rest.patch(Routes.channelMessage(fake.channelId, m.id), { body: { content: "x" } }),
      ),
    );
    expect(messages.map((m) => fake.editsOf(m.id))).toEqual([1, 1]);
    expect(fake.rateLimited.length).toBeGreaterThanOrEqual(1);
  });
});
