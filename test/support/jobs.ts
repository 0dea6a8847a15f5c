// What the e2e tests do again and again with the bot: start a job whose task moves only when the
// test advances it, and find the buttons of a message.
import type { FakeMessage, InteractionRecord, UserOptions } from "../../src/sandbox/discord/fakeDiscord.js";
import { imagineTimeline, newTaskId } from "../../src/sandbox/mj/fakeMj.js";
import type { World } from "./bot.js";

export type Button = {
  custom_id: string;
  label?: string;
  emoji?: { name: string };
  style: number;
  url?: string;
};

/** Every button of a message, row after row. */
export function buttonsOf(message: FakeMessage | undefined): Button[] {
  return ((message?.components ?? []) as { components: Button[] }[]).flatMap((row) => row.components);
}

/** The button labelled `name` (or showing it as its emoji); throws when the message has none. */
export function button(message: FakeMessage, name: string): Button {
  const found = buttonsOf(message).find((b) => b.label === name || b.emoji?.name === name);
  if (!found) throw new Error(`no button ${name} on ${message.id}: ${JSON.stringify(buttonsOf(message))}`);
  return found;
}

/** Whether `m` is a reply to `message` (a click's result, a completion ping). */
export function isReplyTo(message: FakeMessage): (m: FakeMessage) => boolean {
  return (m) => (m.message_reference as { message_id?: string } | undefined)?.message_id === message.id;
}

/** The messages that reply to `message`. */
export function repliesTo(w: World, message: FakeMessage): FakeMessage[] {
  return [...w.discord.messages.values()].filter(isReplyTo(message));
}

/**
 * /imagine `prompt` whose task moves only when the test advances it (SUBMITTED -> 30% -> 70% ->
 * SUCCESS): the new task's id, the public message that shows it, and the interaction.
 */
export async function imagineManually(
  w: World,
  prompt: string,
  user: UserOptions = {},
): Promise<{ id: string; message: FakeMessage; interaction: InteractionRecord }> {
  const id = newTaskId();
  const { task, steps } = imagineTimeline(id, { prompt, promptEn: prompt });
  w.mj.nextSubmitResult(
    "imagine",
    { code: 1, description: "Submit success", result: id },
    { task, timeline: { steps, advance: "manual" } },
  );
  const interaction = await w.discord.sendCommand("imagine", { prompt }, user);
  const message = await w.discord.waitForMessage((m) => m.interactionId === interaction.id && !m.ephemeral);
  await w.discord.waitFor(() => w.bot.app.context.registry.peek(id));
  return { id, message, interaction };
}
