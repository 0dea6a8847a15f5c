// What Discord refuses in a request body beyond what its OpenAPI description states (embed total,
// buttons per row, unique custom_ids, button emoji, modal limits). The schema check itself is
// optional and given by the caller (the tests use the vendored description: test/support/discordSpec.ts).
type Json = Record<string, unknown>;

// biome-ignore lint/complexity/useRegexLiterals: a literal with the v flag does not compile for ES2022.
const UNICODE_EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function embedProblems(embeds: unknown[], problems: string[]): void {
  if (embeds.length > 10) problems.push("embeds: at most 10");
  let total = 0;
  for (const [index, raw] of embeds.entries()) {
    const embed = (raw ?? {}) as Json;
    const at = `embeds[${index}]`;
    const title = text(embed.title);
    const description = text(embed.description);
    const footer = text((embed.footer as Json | undefined)?.text);
    const author = text((embed.author as Json | undefined)?.name);
    if (title.length > 256) problems.push(`${at}.title: longer than 256`);
    if (description.length > 4096) problems.push(`${at}.description: longer than 4096`);
    if (footer.length > 2048) problems.push(`${at}.footer.text: longer than 2048`);
    if (author.length > 256) problems.push(`${at}.author.name: longer than 256`);
    total += title.length + description.length + footer.length + author.length;
    const fields = Array.isArray(embed.fields) ? (embed.fields as Json[]) : [];
    if (fields.length > 25) problems.push(`${at}.fields: at most 25`);
    for (const [i, field] of fields.entries()) {
      const name = text(field.name);
      const value = text(field.value);
      if (!name || name.length > 256) problems.push(`${at}.fields[${i}].name: 1 to 256 characters`);
      if (!value || value.length > 1024) problems.push(`${at}.fields[${i}].value: 1 to 1024 characters`);
      total += name.length + value.length;
    }
    for (const part of ["image", "thumbnail"] as const) {
      const url = text((embed[part] as Json | undefined)?.url);
      if ((embed[part] as Json | undefined) && !/^(https?:\/\/|attachment:\/\/)/.test(url)) {
        problems.push(`${at}.${part}.url: must be http(s) or attachment://`);
      }
      // Discord's docs: only these file types can be used in an embed.
      if (url.startsWith("attachment://") && !/\.(jpe?g|png|webp|gif)$/i.test(url)) {
        problems.push(
          `${at}.${part}.url: an attachment shown in an embed must be .jpg, .jpeg, .png, .webp or .gif`,
        );
      }
    }
  }
  if (total > 6000) problems.push(`embeds: ${total} characters in total, more than 6000`);
}

function buttonProblems(button: Json, at: string, customIds: Set<string>, problems: string[]): void {
  const style = Number(button.style);
  if (!Number.isInteger(style) || style < 1 || style > 6) problems.push(`${at}.style: must be 1 to 6`);
  const label = text(button.label);
  if (label.length > 80) problems.push(`${at}.label: longer than 80`);
  const emoji = button.emoji as Json | undefined;
  if (!label && !emoji) problems.push(`${at}: needs a label or an emoji`);
  if (emoji) {
    const hasId = typeof emoji.id === "string" && /^\d{17,20}$/.test(emoji.id);
    if (!hasId && !UNICODE_EMOJI.test(text(emoji.name))) {
      problems.push(`${at}.emoji: BUTTON_COMPONENT_INVALID_EMOJI (${JSON.stringify(emoji.name)})`);
    }
  }
  if (style === 5) {
    if (!text(button.url)) problems.push(`${at}: a link button needs a url`);
    if (button.custom_id !== undefined) problems.push(`${at}: a link button cannot have a custom_id`);
    return;
  }
  const customId = text(button.custom_id);
  if (customId.length < 1 || customId.length > 100) problems.push(`${at}.custom_id: 1 to 100 characters`);
  if (customIds.has(customId)) problems.push(`${at}.custom_id: duplicated (${customId})`);
  customIds.add(customId);
}

/** The rules for a message body (create, edit, interaction reply, webhook message) beyond the spec. */
export function validateMessagePayload(body: unknown): string[] {
  const problems: string[] = [];
  if (body === null || typeof body !== "object") return ["body: must be an object"];
  const message = body as Json;
  if (text(message.content).length > 2000) problems.push("content: longer than 2000");
  if (Array.isArray(message.embeds)) embedProblems(message.embeds, problems);
  if (Array.isArray(message.attachments) && message.attachments.length > 10)
    problems.push("attachments: at most 10");
  const componentsV2 = (Number(message.flags ?? 0) & (1 << 15)) !== 0;
  if (Array.isArray(message.components)) {
    const rows = message.components as Json[];
    if (!componentsV2 && rows.length > 5) problems.push("components: at most 5 action rows");
    const customIds = new Set<string>();
    for (const [r, row] of rows.entries()) {
      if (row.type !== 1) continue;
      const children = Array.isArray(row.components) ? (row.components as Json[]) : [];
      if (children.length === 0 || children.length > 5)
        problems.push(`components[${r}]: 1 to 5 buttons per row`);
      for (const [c, child] of children.entries()) {
        if (child.type === 2) buttonProblems(child, `components[${r}].components[${c}]`, customIds, problems);
      }
    }
  }
  return problems;
}

/** The rules for a modal (interaction callback type 9). */
export function validateModal(data: unknown): string[] {
  const problems: string[] = [];
  const modal = (data ?? {}) as Json;
  const customId = text(modal.custom_id);
  if (customId.length < 1 || customId.length > 100) problems.push("custom_id: 1 to 100 characters");
  const title = text(modal.title);
  if (title.length < 1 || title.length > 45) problems.push("title: 1 to 45 characters");
  const rows = Array.isArray(modal.components) ? (modal.components as Json[]) : [];
  if (rows.length < 1 || rows.length > 5) problems.push("components: 1 to 5");
  const ids = new Set<string>();
  for (const row of rows) {
    const input = (row.type === 18 ? row.component : (row.components as Json[] | undefined)?.[0]) as
      | Json
      | undefined;
    const label = text(row.type === 18 ? row.label : input?.label);
    if (input?.type !== 4) continue;
    const id = text(input.custom_id);
    if (!id || id.length > 100 || ids.has(id))
      problems.push(`text input ${id}: custom_id missing, too long or repeated`);
    ids.add(id);
    if (label.length < 1 || label.length > 45) problems.push(`text input ${id}: label 1 to 45 characters`);
    if (text(input.value).length > 4000) problems.push(`text input ${id}: value longer than 4000`);
    if (Number(input.max_length ?? 0) > 4000) problems.push(`text input ${id}: max_length above 4000`);
  }
  return problems;
}
