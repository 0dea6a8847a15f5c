// The fake Discord itself: the real discord.js client logs in and talks to it, and it refuses
// what Discord refuses.
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  type ModalSubmitInteraction,
  Routes,
} from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeDiscord,
  startFakeDiscord,
  validateMessagePayload,
} from "../../src/sandbox/discord/fakeDiscord.js";
import { checkedAgainstSpec } from "../support/discordSpec.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: Parameters<typeof startFakeDiscord>[0] = {}) {
  const fake = await startFakeDiscord({ ...checkedAgainstSpec, ...options });
  cleanups.push(() => fake.close());
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  cleanups.push(() => client.destroy());
  return { fake, client };
}

async function connect(options: Parameters<typeof startFakeDiscord>[0] = {}) {
  const { fake, client } = await start(options);
  // login() can resolve after the client is ready: listen first.
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(fake.token);
  await ready;
  return { fake, client };
}

function nextInteraction(client: Client): Promise<Interaction> {
  return new Promise((resolve) => client.once(Events.InteractionCreate, resolve));
}

async function command(fake: FakeDiscord, client: Client, ...args: Parameters<FakeDiscord["sendCommand"]>) {
  const received = nextInteraction(client);
  const record = await fake.sendCommand(...args);
  return { record, interaction: (await received) as ChatInputCommandInteraction };
}

async function click(fake: FakeDiscord, client: Client, messageId: string, customId: string) {
  const received = nextInteraction(client);
  const record = await fake.clickButton(messageId, customId);
  return { record, interaction: (await received) as ButtonInteraction };
}

const button = (customId: string, extra: Record<string, unknown> = {}) => ({
  type: 2,
  style: 2,
  label: "B",
  custom_id: customId,
  ...extra,
});

async function postWithButtons(fake: FakeDiscord, client: Client, ...ids: string[]): Promise<string> {
  const posted = await client.rest.post(Routes.channelMessages(fake.channelId), {
    body: { content: "x", components: [{ type: 1, components: ids.map((id) => button(id)) }] },
  });
  return (posted as { id: string }).id;
}

/** Sends `body` as an edit of a fresh message; returns what the fake found wrong with it. */
async function rejection(fake: FakeDiscord, client: Client, body: unknown): Promise<string[]> {
  const message = fake.seedMessage(fake.channelId, "before");
  const error = await client.rest
    .patch(Routes.channelMessage(fake.channelId, message.id), { body })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DiscordAPIError);
  expect((error as DiscordAPIError).code).toBe(50035);
  expect(fake.messages.get(message.id)?.content).toBe("before");
  return fake.rejected.at(-1)?.problems ?? [];
}

describe("fake Discord: gateway and login", () => {
  it("lets discord.js log in and caches the guild and its channels", async () => {
    const { fake, client } = await connect({ channelIds: ["900000000000000020", "900000000000000021"] });
    expect(client.guilds.cache.has(fake.guildId)).toBe(true);
    expect(client.channels.cache.has("900000000000000021")).toBe(true);
    expect(client.user?.id).toBe(fake.botUserId);
    expect(fake.identified).toEqual([0]);
    expect(fake.connections).toBe(1);
  });

  it("refuses a wrong token at login with a 401 on /gateway/bot", async () => {
    const { fake, client } = await start();
    await expect(client.login("wrong-token")).rejects.toThrow(/token/i);
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toContain("GET /gateway/bot 401");
    expect(fake.connections).toBe(0);
  });

  it("lets discord.js resume after the gateway drops every connection", async () => {
    const { fake, client } = await connect();
    fake.disconnectAll();
    await fake.waitFor(() => fake.resumed.length === 1 && fake.connections === 1);
    expect(fake.identified).toEqual([0]);
    const { interaction } = await command(fake, client, "mjstatus", { id: "1" });
    expect(interaction.commandName).toBe("mjstatus");
  });
});

describe("fake Discord: interactions", () => {
  it("delivers a slash command with typed options and records the reply as a message", async () => {
    const { fake, client } = await connect();
    const { record, interaction } = await command(
      fake,
      client,
      "mjstatus",
      { id: "123", count: 2, raw: true },
      { locale: "de", userId: "900000000000000102" },
    );
    expect(interaction.options.getString("id")).toBe("123");
    expect(interaction.options.getInteger("count")).toBe(2);
    expect(interaction.options.getBoolean("raw")).toBe(true);
    expect(interaction.locale).toBe("de");
    expect(interaction.user.id).toBe("900000000000000102");
    const response = await interaction.reply({ content: "hello", withResponse: true });
    expect(response.resource?.message?.content).toBe("hello");
    const message = await fake.waitForMessage((m) => m.interactionId === record.id);
    expect(message).toMatchObject({ content: "hello", ephemeral: false, channel_id: fake.channelId });
    expect(fake.interactions.get(record.id)?.responseMessageId).toBe(message.id);
    expect(fake.requests.find((r) => r.path.endsWith("/callback"))?.query.get("with_response")).toBe("true");
  });

  it("records a deferral, its edit and an ephemeral follow-up", async () => {
    const { fake, client } = await connect();
    const { record, interaction } = await command(fake, client, "mjstatus", { id: "1" });
    await interaction.deferReply();
    expect((await fake.waitForMessage((m) => m.interactionId === record.id)).flags & 128).toBe(128);
    await interaction.editReply({ content: "done" });
    const reply = await fake.waitForMessage((m) => m.interactionId === record.id && m.content === "done");
    expect(reply.edits).toBe(1);
    expect(reply.flags & 128).toBe(0);
    await interaction.followUp({ content: "psst", flags: MessageFlags.Ephemeral });
    const followUp = fake.messages.get(fake.interactions.get(record.id)?.followUps[0] ?? "");
    expect(followUp).toMatchObject({ content: "psst", ephemeral: true });
    expect(fake.channelMessages(fake.channelId).map((m) => m.id)).toEqual([reply.id]);
    expect(fake.interactions.get(record.id)?.callbacks.map((c) => c.type)).toEqual([5]);
  });

  it("delivers button clicks with their message; records deferUpdate, update and showModal", async () => {
    const { fake, client } = await connect();
    const messageId = await postWithButtons(fake, client, "a", "b");

    const first = await click(fake, client, messageId, "a");
    expect(first.interaction.customId).toBe("a");
    expect(first.interaction.message.id).toBe(messageId);
    await first.interaction.deferUpdate();
    await first.interaction.editReply({ content: "edited after deferUpdate" });
    expect(fake.interactions.get(first.record.id)?.callbacks.map((c) => c.type)).toEqual([6]);
    expect(fake.messages.get(messageId)?.content).toBe("edited after deferUpdate");

    const second = await click(fake, client, messageId, "b");
    await second.interaction.update({ content: "updated", components: [] });
    expect(fake.messages.get(messageId)).toMatchObject({ content: "updated", components: [], edits: 2 });

    const third = await click(fake, client, messageId, "a");
    await third.interaction.showModal({
      custom_id: "m",
      title: "Prompt",
      components: [{ type: 1, components: [{ type: 4, custom_id: "prompt", label: "Prompt", style: 2 }] }],
    });
    const modal = await fake.waitFor(() => fake.interactions.get(third.record.id)?.modal);
    expect(modal.custom_id).toBe("m");

    const submitted = nextInteraction(client);
    await fake.submitModal("m", { prompt: "a cat" }, { messageId });
    const submit = (await submitted) as ModalSubmitInteraction;
    expect(submit.customId).toBe("m");
    expect(submit.fields.getTextInputValue("prompt")).toBe("a cat");
  });

  it("answers a second acknowledgement with 40060 and an expired token with 10062 and 50027", async () => {
    const { fake, client } = await connect();
    const { record, interaction } = await command(fake, client, "mjstatus", { id: "1" });
    await interaction.reply({ content: "once" });
    const callback = Routes.interactionCallback(record.id, record.token);
    await expect(
      client.rest.post(callback, { body: { type: 4, data: { content: "twice" } }, auth: false }),
    ).rejects.toMatchObject({ code: 40060, status: 400 });
    fake.expireInteraction(record.id);
    await expect(interaction.editReply({ content: "late" })).rejects.toMatchObject({
      code: 50027,
      status: 401,
    });
    await expect(
      client.rest.post(callback, { body: { type: 4, data: { content: "x" } }, auth: false }),
    ).rejects.toMatchObject({ code: 10062 });
    // A 401 on an interaction-token route must not make discord.js drop the bot token.
    await expect(client.rest.get(Routes.user("@me"))).resolves.toMatchObject({ id: fake.botUserId });
  });

  it("passes attachment options with their resolved attachment", async () => {
    const { fake, client } = await connect();
    const image = fake.addAttachment("ref.png", "image/png", Buffer.from("not really a png"));
    const { interaction } = await command(
      fake,
      client,
      "imagine",
      { prompt: "a cat" },
      { attachments: { image } },
    );
    const attachment = interaction.options.getAttachment("image");
    expect(attachment?.name).toBe("ref.png");
    expect(await (await fetch(attachment?.url ?? "")).text()).toBe("not really a png");
  });
});

describe("fake Discord: channel messages", () => {
  it("creates and edits with channel.send, message.edit and client.rest, counting edits", async () => {
    const { fake, client } = await connect();
    const channel = await client.channels.fetch(fake.channelId);
    if (!channel?.isSendable()) throw new Error("channel not sendable");
    const sent = await channel.send({ content: "one" });
    await sent.edit({ content: "two" });
    await client.rest.patch(Routes.channelMessage(fake.channelId, sent.id), { body: { content: "three" } });
    await client.rest.patch(Routes.channelMessage(fake.channelId, sent.id), { body: { content: "three" } });
    expect(fake.editsOf(sent.id)).toBe(3);
    expect(fake.messages.get(sent.id)).toMatchObject({ content: "three", unchangedEdits: 1 });
    expect(fake.messages.get(sent.id)?.history.map((v) => v.content)).toEqual(["one", "two", "three"]);
    const reply = await channel.send({ content: "re", reply: { messageReference: sent.id } });
    expect(fake.messages.get(reply.id)?.message_reference).toMatchObject({ message_id: sent.id });
  });

  it("records uploads and serves the attachment", async () => {
    const { fake, client } = await connect();
    const channel = await client.channels.fetch(fake.channelId);
    if (!channel?.isSendable()) throw new Error("channel not sendable");
    const sent = await channel.send({
      content: "grid",
      files: [{ attachment: Buffer.from("PNG!"), name: "grid.png" }],
    });
    expect(fake.requests.at(-1)?.files).toEqual([
      expect.objectContaining({ field: "files[0]", filename: "grid.png", size: 4 }),
    ]);
    expect(fake.requests.at(-1)?.body).toMatchObject({ content: "grid" });
    const url = sent.attachments.first()?.url ?? "";
    expect(await (await fetch(url)).text()).toBe("PNG!");
  });

  it("answers 10008 for a deleted message, 10003 for a deleted channel and 50001 without access", async () => {
    const { fake, client } = await connect({ channelIds: ["900000000000000020", "900000000000000021"] });
    const message = fake.seedMessage(fake.channelId);
    fake.deleteMessage(message.id);
    const edit = { body: { content: "2" } };
    await expect(
      client.rest.patch(Routes.channelMessage(fake.channelId, message.id), edit),
    ).rejects.toSatisfy((e) => e instanceof DiscordAPIError && e.code === 10008 && e.status === 404);
    fake.revokeAccess("900000000000000021");
    await expect(client.rest.post(Routes.channelMessages("900000000000000021"), edit)).rejects.toMatchObject({
      code: 50001,
      status: 403,
    });
    fake.deleteChannel(fake.channelId);
    await expect(client.rest.post(Routes.channelMessages(fake.channelId), edit)).rejects.toMatchObject({
      code: 10003,
    });
  });

  it("answers scripted faults, with their headers, the given number of times", async () => {
    const { fake, client } = await connect();
    fake.failNext(
      { method: "POST", path: /\/messages$/ },
      { status: 403, body: { code: 50013, message: "Missing Permissions" }, headers: { "x-test": "1" } },
    );
    const post = () => client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: "x" } });
    await expect(post()).rejects.toMatchObject({ code: 50013 });
    await expect(post()).resolves.toMatchObject({ content: "x" });
    expect(fake.requests.map((r) => r.status)).toContain(403);
  });

  it("lists a channel's messages newest first, gives access back, and holds an answer while doing the work", async () => {
    const { fake, client } = await connect({ channelIds: ["900000000000000020", "900000000000000021"] });
    const seeded = [fake.seedMessage(fake.channelId, "one"), fake.seedMessage(fake.channelId, "two")];
    fake.seedMessage("900000000000000021", "elsewhere");
    const listed = (await client.rest.get(Routes.channelMessages(fake.channelId), {
      query: new URLSearchParams({ limit: "50" }),
    })) as { id: string; content: string }[];
    expect(listed.map((m) => m.content)).toEqual(["two", "one"]);
    const older = (await client.rest.get(Routes.channelMessages(fake.channelId), {
      query: new URLSearchParams({ before: seeded[1]!.id }),
    })) as { id: string }[];
    expect(older.map((m) => m.id)).toEqual([seeded[0]!.id]);

    fake.revokeAccess(fake.channelId);
    await expect(client.rest.get(Routes.channelMessages(fake.channelId))).rejects.toMatchObject({
      code: 50001,
    });
    fake.restoreAccess(fake.channelId);
    await expect(client.rest.get(Routes.channelMessages(fake.channelId))).resolves.toHaveLength(2);

    fake.delayNext({ method: "POST", path: /\/messages$/ }, 400);
    const sentAt = Date.now();
    const posting = client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: "held" } });
    // The message exists at once; its answer comes later.
    await fake.waitForMessage((m) => m.content === "held");
    expect(Date.now() - sentAt).toBeLessThan(300);
    await expect(posting).resolves.toMatchObject({ content: "held" });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(400);
  });

  it("answers a repeated enforce_nonce with the first message, and records whom a message pings", async () => {
    const { fake, client } = await connect();
    const alice = "900000000000000101";
    const bob = "900000000000000102";
    const post = (body: Record<string, unknown>) =>
      client.rest.post(Routes.channelMessages(fake.channelId), { body }) as Promise<{ id: string }>;
    const first = await post({ content: `<@${alice}> done`, nonce: "n1", enforce_nonce: true });
    const repeat = await post({ content: `<@${alice}> done`, nonce: "n1", enforce_nonce: true });
    expect(repeat.id).toBe(first.id);
    // Without enforce_nonce Discord does not look: a second message.
    const unchecked = await post({ content: "again", nonce: "n1" });
    expect(unchecked.id).not.toBe(first.id);
    expect(fake.channelMessages(fake.channelId)).toHaveLength(2);
    expect(fake.messages.get(first.id)?.mentions.map((user) => user.id)).toEqual([alice]);

    const limited = await post({
      content: `<@${alice}> <@${bob}> @everyone`,
      allowed_mentions: { users: [bob] },
    });
    expect(fake.messages.get(limited.id)).toMatchObject({ mention_everyone: false });
    expect(fake.messages.get(limited.id)?.mentions.map((user) => user.id)).toEqual([bob]);
    const none = await post({ content: `<@${alice}> @here`, allowed_mentions: { parse: [] } });
    expect(fake.messages.get(none.id)).toMatchObject({ mentions: [], mention_everyone: false });
    const everyone = await post({ content: "@everyone look" });
    expect(fake.messages.get(everyone.id)?.mention_everyone).toBe(true);
    await expect(
      post({ content: `<@${alice}>`, allowed_mentions: { parse: ["users"], users: [alice] } }),
    ).rejects.toMatchObject({ code: 50035 });
  });

  it("says which requests it saw when a wait times out", async () => {
    const { fake, client } = await connect();
    await client.rest.get(Routes.user("@me"));
    await expect(fake.waitFor(() => false, { timeoutMs: 50 })).rejects.toThrow(/GET \/users\/@me -> 200/);
  });
});

describe("fake Discord: validation", () => {
  it("refuses what Discord refuses, like Discord (50035, nested errors)", async () => {
    const { fake, client } = await connect();
    const six = Array.from({ length: 6 }, (_, i) => button(`b${i}`));
    expect(await rejection(fake, client, { components: [{ type: 1, components: six }] })).toContainEqual(
      expect.stringMatching(/1 to 5 buttons|must NOT have more than 5/),
    );
    expect(
      await rejection(fake, client, {
        components: [
          { type: 1, components: [button("same")] },
          { type: 1, components: [button("same")] },
        ],
      }),
    ).toContainEqual(expect.stringMatching(/duplicated/));
    expect(
      await rejection(fake, client, { components: [{ type: 1, components: [button("x".repeat(101))] }] }),
    ).toContainEqual(expect.stringMatching(/custom_id/));
    const emoji = { components: [{ type: 1, components: [button("e", { emoji: { name: "upscale_1" } })] }] };
    expect(await rejection(fake, client, emoji)).toContainEqual(
      expect.stringMatching(/BUTTON_COMPONENT_INVALID_EMOJI/),
    );
    const error = (await client.rest
      .patch(Routes.channelMessage(fake.channelId, fake.seedMessage(fake.channelId).id), { body: emoji })
      .catch((e: unknown) => e)) as DiscordAPIError;
    expect(error.message).toMatch(
      /components\[0\]\.components\[0\]\.emoji\[BUTTON_COMPONENT_INVALID_EMOJI\]/,
    );
    const fields = Array.from({ length: 7 }, (_, i) => ({ name: `f${i}`, value: "v".repeat(1000) }));
    expect(await rejection(fake, client, { embeds: [{ description: "d", fields }] })).toContainEqual(
      expect.stringMatching(/more than 6000/),
    );
    expect(await rejection(fake, client, { content: "c".repeat(2001) })).toContainEqual(
      expect.stringMatching(/content/),
    );
    expect(fake.rejected.every((r) => r.status === 400)).toBe(true);
  });

  it("accepts a rich valid message, and the offline validator agrees", async () => {
    const { fake, client } = await connect();
    const emojis = ["🔄", "1️⃣", "🖌️", "⬅️", "🪄"];
    const body = {
      content: "**prompt** --ar 16:9",
      embeds: [
        {
          title: "t",
          description: "d",
          fields: [{ name: "n", value: "v", inline: true }],
          footer: { text: "f" },
          image: { url: "https://cdn.example.com/x.png" },
          thumbnail: { url: "attachment://grid.png" },
        },
      ],
      components: Array.from({ length: 5 }, (_, r) => ({
        type: 1,
        components: emojis.map((name, b) => button(`r${r}b${b}`, { emoji: { name }, label: undefined })),
      })),
      allowed_mentions: { parse: [] },
    };
    expect(validateMessagePayload(body)).toEqual([]);
    await client.rest.post(Routes.channelMessages(fake.channelId), { body });
    expect(fake.rejected).toEqual([]);
  });

  it("validates modals and command registrations", async () => {
    const { fake, client } = await connect();
    const { record } = await command(fake, client, "mjstatus", { id: "1" });
    const modal = (title: string) => ({
      type: 9,
      data: {
        custom_id: "m",
        title,
        components: [{ type: 18, label: "Prompt", component: { type: 4, custom_id: "p", style: 2 } }],
      },
    });
    const callback = Routes.interactionCallback(record.id, record.token);
    await expect(
      client.rest.post(callback, { body: modal("t".repeat(46)), auth: false }),
    ).rejects.toMatchObject({ code: 50035 });
    await client.rest.post(callback, { body: modal("Prompt"), auth: false });
    expect(fake.interactions.get(record.id)?.modal).toMatchObject({ title: "Prompt" });

    const commands = Routes.applicationCommands(fake.applicationId);
    await expect(client.rest.put(commands, { body: [{ name: "mjstatus" }] })).rejects.toMatchObject({
      code: 50035,
    });
    const registered = await client.rest.put(commands, {
      body: [{ name: "mjstatus", description: "Show a task", options: [] }],
    });
    expect(registered).toEqual([
      expect.objectContaining({ name: "mjstatus", application_id: fake.applicationId }),
    ]);
    expect(fake.commands).toHaveLength(1);
  });
});

describe("fake Discord: rate limits", () => {
  it("limits per route with Discord's headers; discord.js reads them and waits without a 429", async () => {
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
    // 5 edits at 2 per 300 ms window need at least two resets.
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(fake.rateLimited).toEqual([]);
  });

  it("answers 429 with Retry-After and X-RateLimit headers to a client that ignores them", async () => {
    const { fake } = await start({ rateLimits: { perRoute: { limit: 2, windowMs: 500 } } });
    const message = fake.seedMessage(fake.channelId);
    const edit = (content: string) =>
      fetch(`${fake.apiUrl}/v10/channels/${fake.channelId}/messages/${message.id}`, {
        method: "PATCH",
        headers: { authorization: `Bot ${fake.token}`, "content-type": "application/json" },
        body: JSON.stringify({ content }),
      });
    const answers = await Promise.all(["1", "2", "3"].map(edit));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 429]);
    const ok = answers.find((a) => a.status === 200);
    expect(ok?.headers.get("x-ratelimit-limit")).toBe("2");
    expect(ok?.headers.get("x-ratelimit-bucket")).toMatch(/^[0-9a-f]{16}$/);
    expect(Number(ok?.headers.get("x-ratelimit-reset-after"))).toBeGreaterThan(0);
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.headers.get("x-ratelimit-scope")).toBe("user");
    expect(limited?.headers.get("retry-after")).toBe("1");
    expect(await limited?.json()).toMatchObject({ global: false, message: "You are being rate limited." });
    expect(fake.rateLimited).toHaveLength(1);
    await fake.waitFor(() => Date.now() > (fake.rateLimited[0]?.at ?? 0) + 500);
    expect((await edit("4")).status).toBe(200);
  });

  it("keeps interaction token routes out of the global limit, each token in its own bucket of 5 per 2 s", async () => {
    const { fake } = await start({ rateLimits: { global: { limit: 2, windowMs: 60_000 } } });
    const replies = [fake.seedInteractionReply(fake.channelId), fake.seedInteractionReply(fake.channelId)];
    const edit = (token: string, content: string) =>
      fetch(`${fake.apiUrl}/v10/webhooks/${fake.applicationId}/${token}/messages/@original`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ content }),
      });
    // Twelve edits, six per token, far over the global limit of two.
    const answers = await Promise.all(
      replies.flatMap(({ interaction }) =>
        ["1", "2", "3", "4", "5", "6"].map((n) => edit(interaction.token, n)),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(10);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(2);
    expect(limited.every((a) => a.headers.get("x-ratelimit-global") === null)).toBe(true);
    expect(limited.every((a) => a.headers.get("x-ratelimit-limit") === "5")).toBe(true);
    const ok = answers.find((a) => a.status === 200);
    expect(Number(ok?.headers.get("x-ratelimit-reset-after"))).toBeGreaterThan(1);
    expect(Number(ok?.headers.get("x-ratelimit-reset-after"))).toBeLessThanOrEqual(2);
    expect(fake.rateLimited.every((r) => r.rateLimitScope === "route")).toBe(true);
    // The bot's global budget is untouched: two channel requests still go.
    const channelEdit = () =>
      fetch(`${fake.apiUrl}/v10/channels/${fake.channelId}/messages/${replies[0]!.message.id}`, {
        method: "PATCH",
        headers: { authorization: `Bot ${fake.token}`, "content-type": "application/json" },
        body: JSON.stringify({ content: "by channel" }),
      });
    expect([(await channelEdit()).status, (await channelEdit()).status]).toEqual([200, 200]);
  });

  it("answers 401 with code 50027 for an interaction token past its lifetime", async () => {
    const { fake } = await start({ interactionTokenLifetimeMs: 15 * 60_000 });
    const fresh = fake.seedInteractionReply(fake.channelId);
    const old = fake.seedInteractionReply(fake.channelId);
    old.interaction.createdAt -= 15 * 60_000 + 1;
    const edit = (token: string) =>
      fetch(`${fake.apiUrl}/v10/webhooks/${fake.applicationId}/${token}/messages/@original`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ content: "x" }),
      });
    expect((await edit(fresh.interaction.token)).status).toBe(200);
    const refused = await edit(old.interaction.token);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 50027 });
    expect(fake.editsOf(old.message.id)).toBe(0);
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
