// The embeds that show one task: status colour and title, what upstream answered (prompt, describe
// suggestions, shorten analysis, the reason of a failure), progress, times, and its pictures (a
// gallery of up to four) and videos.
import type { APIEmbed, APIEmbedField } from "discord.js";
import type { Phrase, PlainKey } from "../i18n/catalogue.js";
import { durationPhrase } from "../i18n/duration.js";
import { en } from "../i18n/en.js";
import type { Locale } from "../i18n/locale.js";
import { say, t } from "../i18n/translate.js";
import { isFinalStatus, progressPercent, type Task } from "../mj/schema.js";
import { discordTime } from "./discordTime.js";
import { DISCORD_LIMITS, truncate } from "./limits.js";
import { escapeText } from "./markdown.js";
import { taskMedia } from "./taskMedia.js";

export interface EmbedOptions {
  /** The language of every word the bot adds; upstream's own words are shown as they are. */
  locale: Locale;
  /** Lines shown under the task (queue position, "tracking stopped", the outage, ...). */
  notices?: readonly Phrase[] | undefined;
  requesterId?: string | undefined;
  /**
   * The task's media that are files of the message (uploaded before, or with this very edit):
   * source URL -> attachment filename. The embeds point at those files instead of upstream.
   */
  attachments?: ReadonlyMap<string, string> | undefined;
}

const STATUS_COLOURS: Record<string, number> = {
  NOT_START: 0x99aab5,
  SUBMITTED: 0x99aab5,
  MODAL: 0xfee75c,
  IN_PROGRESS: 0x5865f2,
  SUCCESS: 0x57f287,
  FAILURE: 0xed4245,
  CANCEL: 0x747f8d,
};

function humanize(value: string): string {
  const words = value.trim().toLowerCase().replaceAll("_", " ");
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : "";
}

/** A catalogue key `prefix + value` when the catalogue has one (upstream's statuses and actions). */
function knownKey(prefix: "status." | "action.", value: string): PlainKey | undefined {
  const key = `${prefix}${value}`;
  return key in en ? (key as PlainKey) : undefined;
}

/** A status's words and colour; one upstream invented is shown as it wrote it. */
export function statusLook(status: string, locale: Locale): { label: string; colour: number } {
  const key = knownKey("status.", status);
  const label = key ? t(locale, key) : humanize(status) || t(locale, "status.unknown");
  return { label, colour: STATUS_COLOURS[status] ?? 0x99aab5 };
}

/**
 * What kind of job a task is, as its title names it ("Imagine", "Custom zoom", "放大"); an action
 * the catalogue does not know is shown as upstream wrote it.
 */
export function actionLabel(task: Pick<Task, "action">, locale: Locale): string {
  const key = knownKey("action.", task.action.trim().toUpperCase());
  return key ? t(locale, key) : humanize(task.action) || t(locale, "action.task");
}

/** `▰▰▰▱▱▱▱▱▱▱ 30%` */
export function progressBar(percent: number, width = 10): string {
  const filled = Math.round((percent / 100) * width);
  return `${"▰".repeat(filled)}${"▱".repeat(width - filled)} ${Math.round(percent)}%`;
}

/** Upstream's text with Windows line ends made plain. */
function lines(text: string): string {
  return text.replaceAll("\r\n", "\n").replaceAll("\r", "\n").trim();
}

/**
 * DESCRIBE's four suggestions, each its own paragraph: in promptEn (blank-line separated; the C#
 * proxy joins them with CRLF) or, from the Java proxy, in properties.finalPrompt.
 */
export function describeSuggestions(task: Pick<Task, "promptEn" | "finalPrompt">): string {
  const source = task.promptEn.trim() ? task.promptEn : task.finalPrompt;
  return lines(source)
    .split(/\n+/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => escapeText(part))
    .join("\n\n");
}

const SHORTEN_RESULT = /shortened prompts|important tokens/i;

/**
 * SHORTEN's analysis ("**IMPORTANT TOKENS** … **Shortened prompts** 1️⃣ … 5️⃣"), which upstream
 * keeps in description (and the C# proxy in finalPrompt too); "" until the task has it. It is
 * Midjourney's own markdown (bold and struck-out tokens), so it is shown as such.
 */
export function shortenResult(task: Pick<Task, "description" | "finalPrompt">): string {
  for (const candidate of [task.description, task.finalPrompt]) {
    if (SHORTEN_RESULT.test(candidate)) return lines(candidate);
  }
  return "";
}

function promptText(task: Task): string {
  if (task.action === "DESCRIBE" && (task.promptEn.trim() || task.finalPrompt.trim())) {
    return describeSuggestions(task);
  }
  const shortened = task.action === "SHORTEN" ? shortenResult(task) : "";
  if (shortened) return shortened;
  const prompt = task.prompt.trim() || task.promptEn.trim();
  return prompt ? escapeText(prompt) : "";
}

/** Why a failed or cancelled task ended; null for any other status, or a cancel without reason. */
function reasonOf(task: Task, locale: Locale): string | null {
  const reason = lines(task.failReason);
  if (task.status === "FAILURE") return reason || t(locale, "embed.noReason");
  if (task.status === "CANCEL") return reason || null;
  return null;
}

function progressLine(task: Task, locale: Locale): string | null {
  if (isFinalStatus(task.status)) return null;
  if (task.status === "MODAL") return t(locale, "embed.waitingForPrompt");
  const percent = progressPercent(task);
  if (percent === null || (percent === 0 && task.status !== "IN_PROGRESS"))
    return t(locale, "embed.waitingToStart");
  return progressBar(percent);
}

function field(name: string, value: string, inline = false): APIEmbedField {
  return {
    name: truncate(name, DISCORD_LIMITS.fieldName),
    value: truncate(value, DISCORD_LIMITS.fieldValue),
    inline,
  };
}

/** A markdown link whose URL cannot end the link early. */
function markdownLink(label: string, url: string): string {
  return `[${label}](${url.replaceAll("(", "%28").replaceAll(")", "%29")})`;
}

/** Links to the videos that are not files of the message (those Discord plays itself), as fit in a field. */
function videoLinks(
  videos: string[],
  attachments: ReadonlyMap<string, string> | undefined,
  locale: Locale,
): string {
  let value = "";
  for (const [index, url] of videos.entries()) {
    if (attachments?.has(url)) continue;
    const label =
      videos.length === 1
        ? t(locale, "embed.openVideo")
        : t(locale, "embed.videoNumber", { number: index + 1 });
    const link = markdownLink(label, url);
    const next = value ? `${value} · ${link}` : link;
    if (next.length > DISCORD_LIMITS.fieldValue) break;
    value = next;
  }
  return value;
}

function embedTextLength(embed: APIEmbed): number {
  let total =
    (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0);
  for (const f of embed.fields ?? []) total += f.name.length + f.value.length;
  return total;
}

/** The first embed carries the task; up to three more, sharing its `url`, complete the gallery. */
export function renderTaskEmbeds(task: Task, options: EmbedOptions): APIEmbed[] {
  const { locale } = options;
  const look = statusLook(task.status, locale);
  const fields: APIEmbedField[] = [];
  const prompt = task.prompt.trim();
  const promptEn = task.promptEn.trim();
  const shortened = task.action === "SHORTEN" && shortenResult(task) !== "";
  if (shortened && (prompt || promptEn)) {
    fields.push(field(t(locale, "embed.prompt"), escapeText(prompt || promptEn)));
  }
  if (task.action !== "DESCRIBE" && !shortened && prompt && promptEn && promptEn !== prompt) {
    fields.push(field(t(locale, "embed.englishPrompt"), escapeText(promptEn)));
  }
  const reason = reasonOf(task, locale);
  // A long reason (moderation texts are) goes to the description, which has four times the room.
  const longReason = reason !== null && reason.length > DISCORD_LIMITS.fieldValue ? reason : null;
  if (reason !== null && longReason === null) fields.push(field(t(locale, "embed.reason"), reason));
  const notices = (options.notices ?? []).map((notice) => say(locale, notice));
  if (notices.length > 0) fields.push(field(t(locale, "embed.note"), notices.join("\n")));
  if (task.submitTime !== null) {
    fields.push(field(t(locale, "embed.submitted"), discordTime(task.submitTime), true));
  }
  if (task.startTime !== null)
    fields.push(field(t(locale, "embed.started"), discordTime(task.startTime), true));
  if (task.finishTime !== null) {
    const time = discordTime(task.finishTime);
    const finished =
      task.startTime !== null
        ? t(locale, "embed.finishedIn", { time, duration: durationPhrase(task.finishTime - task.startTime) })
        : time;
    fields.push(field(t(locale, "embed.finished"), finished, true));
  }
  if (options.requesterId) {
    fields.push(field(t(locale, "embed.requestedBy"), `<@${options.requesterId}>`, true));
  }
  const media = taskMedia(task);
  const videos = videoLinks(media.videos, options.attachments, locale);
  if (videos) {
    fields.push(field(t(locale, media.videos.length === 1 ? "embed.video" : "embed.videos"), videos));
  }

  const title = t(locale, "embed.title", { action: actionLabel(task, locale), status: look.label });
  const embed: APIEmbed = {
    title: truncate(title, DISCORD_LIMITS.embedTitle),
    color: look.colour,
    fields: fields.slice(0, DISCORD_LIMITS.embedFields),
    footer: { text: truncate(t(locale, "embed.footer", { taskId: task.id }), DISCORD_LIMITS.footer) },
  };
  const pictures = media.pictures.map((url) => {
    const file = options.attachments?.get(url);
    return file ? `attachment://${file}` : url;
  });
  const [first, ...others] = pictures;
  if (first) embed.image = { url: first };
  // Discord shows embeds that share a `url` as one gallery; the first picture's link is that url.
  const gallery = media.pictures[0];
  if (others.length > 0 && gallery) embed.url = gallery;

  // The description gets whatever the 6,000-character embed total leaves after everything else.
  const room = Math.min(DISCORD_LIMITS.embedDescription, DISCORD_LIMITS.embedTotal - embedTextLength(embed));
  const description = fitDescription(
    [longReason === null ? "" : `**${t(locale, "embed.reason")}**\n${longReason}`, promptText(task)],
    progressLine(task, locale),
    room,
  );
  if (description) embed.description = description;
  return [embed, ...others.map((url): APIEmbed => ({ url: gallery, image: { url } }))];
}

/**
 * The non-empty `parts` and then `progress`, blank lines between, in at most `room` characters:
 * the progress bar is kept whole, the parts are cut in order (the reason before the prompt).
 */
function fitDescription(parts: string[], progress: string | null, room: number): string {
  const pieces: string[] = [];
  const present = parts.filter(Boolean);
  let left = room - (progress ? progress.length + (present.length > 0 ? 2 : 0) : 0);
  for (const part of present) {
    const separator = pieces.length > 0 ? 2 : 0;
    if (left - separator <= 0) break;
    const piece = truncate(part, left - separator);
    pieces.push(piece);
    left -= piece.length + separator;
  }
  if (progress) pieces.push(progress);
  return pieces.join("\n\n");
}
