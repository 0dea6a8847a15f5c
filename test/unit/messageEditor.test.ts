// The REST message editor against the rate-limited fake Discord: what Discord's answers tell the
// edit scheduler (a channel's bucket is empty; the bot is over its global limit).
import { REST } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { RestMessageEditor } from "../../src/discord/messages/messageEditor.js";
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

async function setup(rateLimits: NonNullable<Parameters<typeof startFakeDiscord>[0]>["rateLimits"]) {
  const fake = await startFakeDiscord({ ...checkedAgainstSpec, rateLimits });
  cleanups.push(() => fake.close());
  const channelId = "900000000000000001";
  fake.addChannel(channelId);
  const messages = [fake.seedMessage(channelId).id, fake.seedMessage(channelId).id];
  const editor = new RestMessageEditor(new REST({ api: fake.apiUrl }).setToken(fake.token));
  return { fake, editor, channelId, messages };
}

describe("RestMessageEditor", () => {
  it("reports a channel whose edit bucket Discord said is empty, until it refills", async () => {
    const { editor, channelId, messages } = await setup({ perRoute: { limit: 1, windowMs: 2000 } });
    expect(editor.readyAt(channelId)).toBe(0);
    expect(await editor.edit({ channelId, messageId: messages[0]! }, payload)).toBe("edited");
    expect(editor.readyAt(channelId)).toBeGreaterThan(Date.now() + 1000);
  });

  it("reports the bot held to its global limit after a global 429", async () => {
    const { fake, editor, channelId, messages } = await setup({ global: { limit: 1, windowMs: 1000 } });
    await editor.edit({ channelId, messageId: messages[0]! }, payload);
    expect(editor.globalReadyAt()).toBe(0);
    // Over the limit: discord.js waits out the 429 and sends it again.
    expect(await editor.edit({ channelId, messageId: messages[1]! }, payload)).toBe("edited");
    const limitedAt = fake.rateLimited[0]?.at ?? Number.NaN;
    expect(fake.rateLimited[0]?.rateLimitScope).toBe("global");
    expect(editor.globalReadyAt()).toBeGreaterThanOrEqual(limitedAt + 900);
  });
});
