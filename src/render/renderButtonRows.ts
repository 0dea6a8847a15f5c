// Turns a task's MJ buttons into Discord action rows, grouped the way Midjourney's own bot shows
// them: U1–U4 with re-roll, then V1–V4, then everything else five to a row. Link buttons (style 5,
// such as Midjourney's "Web") stay link buttons. A button whose action was already carried out on
// this message is shown as used: primary (blue), as Midjourney's own bot shows it.
import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIButtonComponentWithURL,
  ButtonStyle,
  ComponentType,
} from "discord.js";
import type { Phrase } from "../i18n/catalogue.js";
import type { Locale } from "../i18n/locale.js";
import { phrase, say, t } from "../i18n/translate.js";
import type { Button } from "../mj/schema.js";
import { encodeButtonId, encodeModalId, type StoredButton } from "./customId.js";
import { DISCORD_LIMITS, truncate } from "./limits.js";
import { memoized } from "./memo.js";
import { safeHttpUrl } from "./taskMedia.js";

export type TaskButton = APIButtonComponentWithCustomId | APIButtonComponentWithURL;
export type TaskButtonRow = APIActionRowComponent<TaskButton>;

export interface RenderedButtons {
  rows: TaskButtonRow[];
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
/** A custom emoji's bare name, as proxies copy it from Midjourney's buttons ("upscale_1"). */
const BARE_EMOJI_NAME = /^[A-Za-z0-9_]{2,32}$/;

type ButtonEmoji = { name: string } | { id: string; name: string; animated: boolean };

/** The emoji Discord accepts for `raw`, or null (a bare custom name such as "upscale_1" is refused). */
export function toButtonEmoji(raw: string): ButtonEmoji | null {
  const emoji = knownEmoji(raw);
  // A copy: the answer is kept for the next button with this emoji.
  return emoji === null ? null : { ...emoji };
}

/** Buttons carry a handful of emoji over and over: the RGI test, costly, runs once for each. */
const knownEmoji = memoized(
  (raw: string): ButtonEmoji | null => {
    const text = raw.trim();
    if (!text) return null;
    const custom = CUSTOM_EMOJI.exec(text);
    if (custom) return { id: custom[3] as string, name: custom[2] as string, animated: custom[1] === "a" };
    if (UNICODE_EMOJI.test(text)) return { name: text };
    // Proxies sometimes drop the variation selector ("🖌" for "🖌️").
    if (UNICODE_EMOJI.test(`${text}\uFE0F`)) return { name: `${text}\uFE0F` };
    return null;
  },
  { size: 256, maxInputLength: 64 },
);

// Every customId family the proxies send (see mj-api.md), most specific first.
const FALLBACK_LABELS: [RegExp, (match: RegExpExecArray) => Phrase][] = [
  [/::upsample::(\d)::/, (m) => phrase("button.upscale", { number: m[1] ?? "" })],
  [/::variation::(\d)::/, (m) => phrase("button.variation", { number: m[1] ?? "" })],
  [/::reroll::/, () => phrase("button.reroll")],
  [/::video_virtual_upscale::(\d+)/, (m) => phrase("button.upscaleVideo", { number: m[1] ?? "" })],
  [/::upsample_[^:]*subtle::/, () => phrase("button.upscaleSubtle")],
  [/::upsample_[^:]*creative::/, () => phrase("button.upscaleCreative")],
  [/::upsample_[^:]*?(\d)x::/, (m) => phrase("button.upscaleTimes", { times: m[1] ?? "" })],
  [/::upsample_[^:]*::/, () => phrase("button.upscaleAny")],
  [/::high_variation::/, () => phrase("button.varyStrong")],
  [/::low_variation::/, () => phrase("button.varySubtle")],
  [/::Inpaint::/, () => phrase("button.varyRegion")],
  [/::Outpaint::50::/, () => phrase("button.zoomOut2x")],
  [/::Outpaint::75::/, () => phrase("button.zoomOut1_5x")],
  [/::Outpaint::100::/, () => phrase("button.makeSquare")],
  [/::Outpaint::/, () => phrase("button.zoomOut")],
  [/::CustomZoom::/, () => phrase("button.customZoom")],
  [/::pan_left::/, () => phrase("button.panLeft")],
  [/::pan_right::/, () => phrase("button.panRight")],
  [/::pan_up::/, () => phrase("button.panUp")],
  [/::pan_down::/, () => phrase("button.panDown")],
  [/::PicReader::(\d)$/, (m) => phrase("button.imagineNumber", { number: m[1] ?? "" })],
  [/::PicReader::all$/, () => phrase("button.imagineAll")],
  [/::Picread::Retry$/, () => phrase("button.retry")],
  [/::PromptAnalyzer::(\d)$/, (m) => phrase("button.imagineNumber", { number: m[1] ?? "" })],
  [/::PromptAnalyzer::Extended$/, () => phrase("button.showDetails")],
  [/::BOOKMARK::/, () => phrase("button.favourite")],
  [/::animate_high_extend::/, () => phrase("button.extendHigh")],
  [/::animate_low_extend::/, () => phrase("button.extendLow")],
  [/::animate_high::/, () => phrase("button.animateHigh")],
  [/::animate_low::/, () => phrase("button.animateLow")],
];

/** A readable label for a button that has neither a label nor a usable emoji; null for an unknown family. */
function familyLabel(customId: string): Phrase | null {
  for (const [pattern, label] of FALLBACK_LABELS) {
    const match = pattern.exec(customId);
    if (match) return label(match);
  }
  return null;
}

/** What a button does, by its MJ customId, for a label or a form's title ("Action" when unknown). */
export function buttonLabelPhrase(customId: string): Phrase {
  return familyLabel(customId) ?? phrase("button.action");
}

/** A readable label for a button that has neither a label nor a usable emoji. */
export function fallbackLabel(customId: string, locale: Locale): string {
  return say(locale, buttonLabelPhrase(customId));
}

/** "upscale_1" -> "Upscale 1": better than a blank button when the family is unknown. */
function emojiNameLabel(raw: string): string | null {
  const name = raw.trim();
  if (!BARE_EMOJI_NAME.test(name)) return null;
  const words = name.replaceAll("_", " ").trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : null;
}

/** The button that opens the prompt form of a MODAL task (`region`: Vary (Region), which may want a mask). */
export function openFormButton(
  modalTaskId: string,
  region: boolean,
  locale: Locale,
): APIButtonComponentWithCustomId {
  return {
    type: ComponentType.Button,
    style: ButtonStyle.Primary,
    label: t(locale, "button.openForm"),
    custom_id: encodeModalId(modalTaskId, region),
  };
}

function group(customId: string): 0 | 1 | 2 {
  if (/::(upsample|video_virtual_upscale)::\d::/.test(customId) || /::reroll::/.test(customId)) return 0;
  if (/::variation::\d::/.test(customId)) return 1;
  return 2;
}

interface Entry {
  component: TaskButton;
  /** What makes two buttons the same: the custom_id, or a link button's URL. */
  key: string;
  stored?: StoredButton;
}

function labelOf(button: Button, hasEmoji: boolean, locale: Locale): string {
  const label = truncate(button.label.trim(), DISCORD_LIMITS.buttonLabel);
  if (label || hasEmoji) return label;
  const family = button.customId ? familyLabel(button.customId) : null;
  if (family) return say(locale, family);
  return emojiNameLabel(button.emoji) ?? t(locale, button.url ? "button.openLink" : "button.action");
}

function toLinkComponent(button: Button, locale: Locale): Entry | null {
  const url = safeHttpUrl(button.url ?? "");
  if (!url || url.length > 512) return null;
  const emoji = toButtonEmoji(button.emoji);
  const label = labelOf(button, emoji !== null, locale);
  const component: APIButtonComponentWithURL = { type: ComponentType.Button, style: ButtonStyle.Link, url };
  if (label) component.label = label;
  if (emoji) component.emoji = emoji;
  return { component, key: `link:${url}` };
}

function toComponent(
  taskId: string,
  button: Button,
  used: ReadonlySet<string>,
  locale: Locale,
): Entry | null {
  if (button.url !== undefined) return toLinkComponent(button, locale);
  if (!button.customId) return null;
  const { customId, stored } = encodeButtonId(taskId, button.customId);
  const emoji = toButtonEmoji(button.emoji);
  const label = labelOf(button, emoji !== null, locale);
  const upstreamStyle = button.style >= 1 && button.style <= 4 ? button.style : ButtonStyle.Secondary;
  const style = used.has(button.customId) ? ButtonStyle.Primary : upstreamStyle;
  const component: APIButtonComponentWithCustomId = {
    type: ComponentType.Button,
    style,
    custom_id: customId,
  };
  if (label) component.label = label;
  if (emoji) component.emoji = emoji;
  return stored ? { component, key: customId, stored } : { component, key: customId };
}

/**
 * `buttons` as action rows; labels the proxies left blank are written in `locale`. `used`: the MJ
 * customIds of the buttons already used on this message.
 */
export function renderButtonRows(
  taskId: string,
  buttons: readonly Button[],
  locale: Locale,
  used: ReadonlySet<string> = new Set(),
): RenderedButtons {
  const groups: Entry[][] = [[], [], []];
  const seen = new Set<string>();
  for (const button of buttons) {
    if (button.type !== 2) continue;
    const entry = toComponent(taskId, button, used, locale);
    if (!entry || seen.has(entry.key)) continue;
    seen.add(entry.key);
    groups[button.url !== undefined ? 2 : group(button.customId)]?.push(entry);
  }

  const rows: TaskButtonRow[] = [];
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
