// Edits of one message as Discord received them: by the channel route, or by the token of the
// interaction the message answers (@original for its response, the id for a follow-up).
import type { FakeDiscord, RecordedRequest } from "../../src/sandbox/discord/fakeDiscord.js";

export function editRequestsOf(discord: FakeDiscord, messageId: string): RecordedRequest[] {
  const interactionId = discord.messages.get(messageId)?.interactionId;
  const interaction = interactionId ? discord.interactions.get(interactionId) : undefined;
  const original =
    interaction && interaction.responseMessageId === messageId
      ? `/webhooks/${discord.applicationId}/${interaction.token}/messages/@original`
      : undefined;
  return discord.requests.filter(
    (r) => r.method === "PATCH" && (r.path.endsWith(`/messages/${messageId}`) || r.path === original),
  );
}
