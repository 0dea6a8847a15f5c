// Turns a task's MJ buttons into Discord action rows, grouped the way Midjourney's own bot shows
// them: U1–U4 with re-roll, then V1–V4, then everything else five to a row.
import { type APIActionRowComponent, type APIButtonComponentWithCustomId, ComponentType } from "discord.js";
import type { Button } from "../mj/schema.js";
import { encodeButtonId, type StoredButton } from "./customId.js";
import { DISCORD_LIMITS, truncate } from "./limits.js";

export interface RenderedButtons {
  rows: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  /** Pairs that did not fit in a custom_id; they must be stored before the message is sent. */
  storedButtons: StoredButton[];
  /** Buttons left out because a message holds at most 25. */
  dropped: number;
}

// The RGI set is what Discord accepts as a unicode button emoji; built at run time because the
// `v` flag is newer than the TypeScript target.
// biome-ignore lint/complexity/useRegexLiterals: a literal with the v flag does not compile for ES2022.
const UNICODE_EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");
const CUSTOM_EMOJI = /^<(a?):([A-Za-z0-9_]{2,32}):(\d{17,20})>$/;

type ButtonEmoji = { name: string } | { id: string; name: string; animated: boolean };

/** The emoji Discord accepts for `raw`, or null (a bare custom name such as "upscale_1" is refused). */
export function toButtonEmoji(raw: string): ButtonEmoji | null {
  const text = raw.trim();
  if (!text) return null;
  const custom = CUSTOM_EMOJI.exec(text);
  if (custom) return { id: custom[3] as string, name: custom[2] as string, animated: custom[1] === "a" };
  if (UNICODE_EMOJI.test(text)) return { name: text };
  // Proxies sometimes drop the variation selector ("🖌" for "🖌️").
  if (UNICODE_EMOJI.test(`${text}\uFE0F`)) return { name: `${text}\uFE0F` };
  return null;
}

const FALLBACK_LABELS: [RegExp, (match: RegExpExecArray) => string][] = [
  [/::upsample::(\d)::/, (m) => `U${m[1]}`],
  [/::variation::(\d)::/, (m) => `V${m[1]}`],
  [/::reroll::/, () => "Re-roll"],
  [/::upsample_[^:]*subtle::/, () => "Upscale (Subtle)"],
  [/::upsample_[^:]*creative::/, () => "Upscale (Creative)"],
  [/::upsample_[^:]*::/, () => "Upscale"],
  [/::high_variation::/, () => "Vary (Strong)"],
  [/::low_variation::/, () => "Vary (Subtle)"],
  [/::Inpaint::/, () => "Vary (Region)"],
  [/::Outpaint::50::/, () => "Zoom Out 2x"],
  [/::Outpaint::75::/, () => "Zoom Out 1.5x"],
  [/::CustomZoom::/, () => "Custom Zoom"],
  [/::pan_(left|right|up|down)::/, (m) => `Pan ${m[1]}`],
  [/::PicReader::(\d)$/, (m) => m[1] as string],
  [/::PicReader::all$/, () => "Imagine all"],
  [/::Picread::Retry$/, () => "Retry"],
  [/::BOOKMARK::/, () => "Favourite"],
  [/::animate_high::/, () => "Animate (High motion)"],
  [/::animate_low::/, () => "Animate (Low motion)"],
];

/** A readable label for a button that has neither a label nor a usable emoji. */
export function fallbackLabel(customId: string): string {
  for (const [pattern, label] of FALLBACK_LABELS) {
    const match = pattern.exec(customId);
    if (match) return label(match);
  }
  return "Action";
}

function group(customId: string): 0 | 1 | 2 {
  if (/::upsample::\d::/.test(customId) || /::reroll::/.test(customId)) return 0;
  if (/::variation::\d::/.test(customId)) return 1;
  return 2;
}

function toComponent(
  taskId: string,
  button: Button,
): {
  component: APIButtonComponentWithCustomId;
  stored?: StoredButton;
} {
  const { customId, stored } = encodeButtonId(taskId, button.customId);
  const emoji = toButtonEmoji(button.emoji);
  let label = truncate(button.label.trim(), DISCORD_LIMITS.buttonLabel);
  if (!label && !emoji) label = fallbackLabel(button.customId);
  const style = button.style >= 1 && button.style <= 4 ? button.style : 2;
  const component: APIButtonComponentWithCustomId = {
    type: ComponentType.Button,
    style,
    custom_id: customId,
  };
  if (label) component.label = label;
  if (emoji) component.emoji = emoji;
  return stored ? { component, stored } : { component };
}

export function renderButtonRows(taskId: string, buttons: readonly Button[]): RenderedButtons {
  type Entry = ReturnType<typeof toComponent>;
  const groups: Entry[][] = [[], [], []];
  const seenMj = new Set<string>();
  const seenDiscord = new Set<string>();
  for (const button of buttons) {
    if (button.type !== 2 || seenMj.has(button.customId)) continue;
    seenMj.add(button.customId);
    const entry = toComponent(taskId, button);
    if (seenDiscord.has(entry.component.custom_id)) continue;
    seenDiscord.add(entry.component.custom_id);
    groups[group(button.customId)]?.push(entry);
  }

  const rows: APIActionRowComponent<APIButtonComponentWithCustomId>[] = [];
  const storedButtons: StoredButton[] = [];
  let dropped = 0;
  for (const members of groups) {
    for (let i = 0; i < members.length; i += DISCORD_LIMITS.buttonsPerRow) {
      const chunk = members.slice(i, i + DISCORD_LIMITS.buttonsPerRow);
      if (rows.length === DISCORD_LIMITS.actionRows) {
        dropped += chunk.length;
        continue;
      }
      rows.push({ type: ComponentType.ActionRow, components: chunk.map((entry) => entry.component) });
      for (const entry of chunk) if (entry.stored) storedButtons.push(entry.stored);
    }
  }
  return { rows, storedButtons, dropped };
}
