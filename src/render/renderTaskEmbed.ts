// The embed that shows one task: status colour and title, prompt, progress, times, result image.
import { type APIEmbed, type APIEmbedField, escapeMarkdown } from "discord.js";
import { isFinalStatus, progressPercent, type Task } from "../mj/schema.js";
import { DISCORD_LIMITS, truncate } from "./limits.js";

export interface EmbedOptions {
  /** A line shown under the task (queue position, "tracking stopped", ...). */
  notice?: string | undefined;
  requesterId?: string | undefined;
}

const STATUS_LOOK: Record<string, { label: string; colour: number }> = {
  NOT_START: { label: "Not started", colour: 0x99aab5 },
  SUBMITTED: { label: "Submitted", colour: 0x99aab5 },
  MODAL: { label: "Waiting for input", colour: 0xfee75c },
  IN_PROGRESS: { label: "In progress", colour: 0x5865f2 },
  SUCCESS: { label: "Done", colour: 0x57f287 },
  FAILURE: { label: "Failed", colour: 0xed4245 },
  CANCEL: { label: "Cancelled", colour: 0x747f8d },
};

function humanize(value: string): string {
  const words = value.trim().toLowerCase().replaceAll("_", " ");
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : "";
}

export function statusLook(status: string): { label: string; colour: number } {
  return STATUS_LOOK[status] ?? { label: humanize(status) || "Unknown", colour: 0x99aab5 };
}

/** `▰▰▰▱▱▱▱▱▱▱ 30%` */
export function progressBar(percent: number, width = 10): string {
  const filled = Math.round((percent / 100) * width);
  return `${"▰".repeat(filled)}${"▱".repeat(width - filled)} ${Math.round(percent)}%`;
}

/** Only http(s) links may become an embed image; anything else (javascript:, data:, junk) is dropped. */
export function safeHttpUrl(raw: string): string | null {
  const text = raw.trim();
  if (!text || text.length > 2048) return null;
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function discordTime(ms: number): string {
  return `<t:${Math.floor(ms / 1000)}:f>`;
}

function duration(fromMs: number, toMs: number): string {
  const seconds = Math.max(0, Math.round((toMs - fromMs) / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

/** DESCRIBE puts four numbered suggestions in promptEn; each becomes its own paragraph. */
function describeSuggestions(promptEn: string): string {
  return promptEn
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => escapeMarkdown(part))
    .join("\n\n");
}

function promptText(task: Task): string {
  if (task.action === "DESCRIBE" && task.promptEn.trim()) return describeSuggestions(task.promptEn);
  const prompt = task.prompt.trim() || task.promptEn.trim();
  return prompt ? escapeMarkdown(prompt) : "";
}

function progressLine(task: Task): string | null {
  if (isFinalStatus(task.status)) return null;
  if (task.status === "MODAL") return "Waiting for the prompt to be submitted.";
  const percent = progressPercent(task);
  if (percent === null || (percent === 0 && task.status !== "IN_PROGRESS")) return "Waiting to start…";
  return progressBar(percent);
}

function field(name: string, value: string, inline = false): APIEmbedField {
  return {
    name: truncate(name, DISCORD_LIMITS.fieldName),
    value: truncate(value, DISCORD_LIMITS.fieldValue),
    inline,
  };
}

function embedTextLength(embed: APIEmbed): number {
  let total =
    (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0);
  for (const f of embed.fields ?? []) total += f.name.length + f.value.length;
  return total;
}

export function renderTaskEmbed(task: Task, options: EmbedOptions = {}): APIEmbed {
  const look = statusLook(task.status);
  const fields: APIEmbedField[] = [];
  const promptEn = task.promptEn.trim();
  if (task.action !== "DESCRIBE" && task.prompt.trim() && promptEn && promptEn !== task.prompt.trim()) {
    fields.push(field("English prompt", escapeMarkdown(promptEn)));
  }
  if (task.status === "FAILURE") {
    fields.push(field("Reason", task.failReason.trim() || "Upstream gave no reason."));
  }
  if (options.notice) fields.push(field("Note", options.notice));
  if (task.submitTime !== null) fields.push(field("Submitted", discordTime(task.submitTime), true));
  if (task.startTime !== null) fields.push(field("Started", discordTime(task.startTime), true));
  if (task.finishTime !== null) {
    const took = task.startTime !== null ? ` (${duration(task.startTime, task.finishTime)})` : "";
    fields.push(field("Finished", `${discordTime(task.finishTime)}${took}`, true));
  }
  if (options.requesterId) fields.push(field("Requested by", `<@${options.requesterId}>`, true));
  const video = safeHttpUrl(task.videoUrl) ?? safeHttpUrl(task.videoUrls[0]?.url ?? "");
  if (video) fields.push(field("Video", `[Open the video](${encodeURI(video).replaceAll(")", "%29")})`));

  const embed: APIEmbed = {
    title: truncate(`${humanize(task.action) || "Task"} · ${look.label}`, DISCORD_LIMITS.embedTitle),
    color: look.colour,
    fields: fields.slice(0, DISCORD_LIMITS.embedFields),
    footer: { text: truncate(`Task ${task.id}`, DISCORD_LIMITS.footer) },
  };
  const image = safeHttpUrl(task.imageUrl) ?? safeHttpUrl(task.imageUrls[0]?.url ?? "");
  if (image) embed.image = { url: image };

  // The description gets whatever the 6,000-character embed total leaves after everything else.
  const room = Math.min(DISCORD_LIMITS.embedDescription, DISCORD_LIMITS.embedTotal - embedTextLength(embed));
  const prompt = promptText(task);
  const progress = progressLine(task);
  const description = progress
    ? `${prompt ? `${truncate(prompt, Math.max(1, room - progress.length - 2))}\n\n` : ""}${progress}`
    : truncate(prompt, room);
  if (description) embed.description = description;
  return embed;
}
