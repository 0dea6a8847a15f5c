// The scripted demo that plays in #welcome when the sandbox starts, so a visitor who types
// nothing still sees a finished job with its buttons: /imagine, its progress, the grid, U1 and
// the upscale. It acts through the same page actions a visitor's clicks take.
import type { FakeDiscord, FakeMessage } from "./discord/fakeDiscord.js";
import type { PageModel } from "./page/pageModel.js";
import type { SandboxMember } from "./world.js";

export const DEMO_PROMPT = "a lighthouse on a cliff by the sea at sunset --ar 3:2";

type Button = { custom_id?: string; label?: string };

function button(message: FakeMessage, label: string): Button | undefined {
  return (message.components as { components?: Button[] }[])
    .flatMap((row) => row.components ?? [])
    .find((candidate) => candidate.label === label);
}

const hasButtons = (message: FakeMessage | undefined) => (message?.components.length ?? 0) > 0;

export async function playDemo(
  discord: FakeDiscord,
  model: PageModel,
  where: { channelId: string; member: SandboxMember },
): Promise<{ grid: FakeMessage; upscale: FakeMessage }> {
  const minute = { timeoutMs: 60_000 };
  const imagine = await model.command({
    userId: where.member.id,
    channelId: where.channelId,
    name: "imagine",
    options: { prompt: DEMO_PROMPT },
  });
  const grid = await discord.waitFor(() => {
    const shown = [...discord.messages.values()].find((m) => m.interactionId === imagine.id && !m.ephemeral);
    return shown && button(shown, "U1") ? shown : undefined;
  }, minute);
  await model.click({
    userId: where.member.id,
    messageId: grid.id,
    customId: String(button(grid, "U1")?.custom_id),
  });
  const upscale = await discord.waitFor(() => {
    const reply = [...discord.messages.values()].find(
      (m) => (m.message_reference as { message_id?: string } | undefined)?.message_id === grid.id,
    );
    return hasButtons(reply) ? reply : undefined;
  }, minute);
  return { grid, upscale };
}
