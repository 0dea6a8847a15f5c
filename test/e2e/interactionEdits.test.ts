// Messages that answer an interaction are edited through its token (outside Discord's global
// limit) while the token is valid, through the channel route after; the token never shows in logs.
import { describe, expect, it } from "vitest";
import type { RecordedRequest } from "../../src/sandbox/discord/fakeDiscord.js";
import { useWorlds, type World } from "../support/bot.js";

const world = useWorlds();

function title(w: World, messageId: string): string | undefined {
  return (w.discord.messages.get(messageId)?.embeds[0] as { title?: string } | undefined)?.title;
}

function description(w: World, messageId: string): string {
  return (
    (w.discord.messages.get(messageId)?.embeds[0] as { description?: string } | undefined)?.description ?? ""
  );
}

function editsOf(w: World, messageId: string, token: string) {
  const patches = w.discord.requests.filter((r) => r.method === "PATCH" && r.status === 200);
  return {
    byToken: patches.filter((r) =>
      r.path.startsWith(`/webhooks/${w.discord.applicationId}/${token}/messages/`),
    ),
    byChannel: patches.filter((r) => r.path === `/channels/${w.discord.channelId}/messages/${messageId}`),
  };
}

function withoutToken(requests: RecordedRequest[], token: string): boolean {
  return requests.every((r) => !JSON.stringify(r.body ?? "").includes(token));
}

describe("edits through interaction tokens", () => {
  it("edits a /mjstatus reply through its token's @original route, never the channel route", async () => {
    const w = await world();
    w.mj.addImagine("1732000000000101", "manual");
    const interaction = await w.discord.sendCommand("mjstatus", { id: "1732000000000101" });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
    for (let step = 0; step < 3; step++) {
      const before = w.discord.messages.get(message.id)?.edits ?? 0;
      w.mj.advance("1732000000000101");
      await w.discord.waitFor(() => (w.discord.messages.get(message.id)?.edits ?? 0) > before);
    }
    await w.discord.waitFor(() => title(w, message.id) === "Imagine · Done");
    const edits = editsOf(w, message.id, interaction.token);
    expect(edits.byToken.map((r) => r.path)).toContain(
      `/webhooks/${w.discord.applicationId}/${interaction.token}/messages/@original`,
    );
    expect(edits.byToken.length).toBe(w.discord.messages.get(message.id)?.edits);
    expect(edits.byChannel).toEqual([]);
    // The token is its own credential: the bot token is not sent with it.
    expect(edits.byToken.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(w.discord.rejected).toEqual([]);
    expect(w.bot.logs.join("\n")).not.toContain(interaction.token);
  });

  it("goes on through the channel route once Discord answers 401 (50027) for the token", async () => {
    const w = await world();
    w.mj.addImagine("1732000000000102", "manual");
    const interaction = await w.discord.sendCommand("mjstatus", { id: "1732000000000102" });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
    w.mj.advance("1732000000000102");
    await w.discord.waitFor(() => editsOf(w, message.id, interaction.token).byToken.length === 1);

    w.discord.expireInteraction(interaction.id);
    w.mj.advance("1732000000000102");
    await w.discord.waitFor(() => editsOf(w, message.id, interaction.token).byChannel.length === 1);
    const refused = w.discord.requests.filter((r) => r.status === 401);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.path).toBe(
      `/webhooks/${w.discord.applicationId}/${interaction.token}/messages/@original`,
    );

    // Later edits go by the channel route straight away: the refused token is not tried again.
    w.mj.advance("1732000000000102");
    await w.discord.waitFor(() => title(w, message.id) === "Imagine · Done");
    expect(editsOf(w, message.id, interaction.token).byChannel).toHaveLength(2);
    expect(w.discord.requests.filter((r) => r.status === 401)).toHaveLength(1);
    expect(w.bot.logs.join("\n")).not.toContain(interaction.token);
  });

  it("keeps the token across a restart: the next edit still goes through it", async () => {
    const w = await world();
    w.mj.addImagine("1732000000000103", "manual");
    const interaction = await w.discord.sendCommand("mjstatus", { id: "1732000000000103" });
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
    await w.restart();
    w.mj.advance("1732000000000103");
    await w.discord.waitFor(() => description(w, message.id).includes("%"));
    expect(editsOf(w, message.id, interaction.token).byToken).toHaveLength(1);
    expect(editsOf(w, message.id, interaction.token).byChannel).toEqual([]);
  });

  it("edits through the channel route once the token is within its margin of 15 minutes", async () => {
    const w = await world();
    w.mj.addImagine("1732000000000104", "manual");
    // Fourteen minutes old: Discord still takes the token, but an edit may wait and be retried.
    const interaction = await w.discord.sendCommand(
      "mjstatus",
      { id: "1732000000000104" },
      { createdAgoMs: 14 * 60_000 },
    );
    const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id);
    w.mj.advance("1732000000000104");
    await w.discord.waitFor(() => editsOf(w, message.id, interaction.token).byChannel.length === 1);
    expect(editsOf(w, message.id, interaction.token).byToken).toEqual([]);
    expect(w.discord.requests.filter((r) => r.status === 401)).toEqual([]);
    expect(withoutToken(w.discord.requests, interaction.token)).toBe(true);
  });
});
