// /mjjobs — the member's own recent jobs in this server (the last RECENT_JOBS_KEPT the bot started
// for them, newest first), each with its status and a link to its message, privately.
import {
  type APIEmbed,
  escapeMarkdown,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
} from "discord.js";
import { memberOf } from "../../access/member.js";
import { memberKey } from "../../access/submitAccess.js";
import { discordTime } from "../../render/discordTime.js";
import { DISCORD_LIMITS, truncate } from "../../render/limits.js";
import { actionLabel, statusLook } from "../../render/renderTaskEmbed.js";
import { RECENT_JOBS_KEPT, type RecentJob, type TrackedTask } from "../../tracking/store.js";
import { messageLink } from "../messages/postTask.js";
import type { SlashCommand } from "./command.js";

const JOBS_TITLE = `Your last ${RECENT_JOBS_KEPT} jobs here`;
const NO_JOBS = "You have not started any jobs here yet. `/imagine` starts one.";
const PROMPT_SHOWN = 60;

/** A job and what the bot knows of it now (nothing once its record has expired). */
export interface JobView {
  job: RecentJob;
  record: TrackedTask | undefined;
}

function statusText(record: TrackedTask | undefined): string {
  if (!record) return "no longer followed";
  const label = statusLook(record.status).label;
  return record.status === "IN_PROGRESS" && record.progress !== null
    ? `${label} (${record.progress}%)`
    : label;
}

function whereShown(view: JobView, guildId: string | null): string {
  const message = view.record?.messages[0];
  if (message)
    return `[Open its message](${messageLink(message.guildId ?? guildId, message.channelId, message.messageId)})`;
  return `\`/mjstatus id:${view.job.taskId}\` shows it again`;
}

/** The prompt's beginning, on one line, as plain text. */
function promptExcerpt(record: TrackedTask | undefined): string {
  const prompt = (record?.lastTask.prompt || record?.lastTask.promptEn || "").replace(/\s+/g, " ").trim();
  return prompt ? `“${escapeMarkdown(truncate(prompt, PROMPT_SHOWN))}”` : "";
}

function jobLine(view: JobView, index: number, guildId: string | null): string {
  const kind = view.record ? actionLabel(view.record.lastTask) : "Job";
  const first = `**${index + 1}. ${kind}** · ${statusText(view.record)} · ${discordTime(view.job.at)}`;
  const details = [promptExcerpt(view.record), whereShown(view, guildId), `\`${view.job.taskId}\``].filter(
    Boolean,
  );
  return `${first}\n${details.join(" · ")}`;
}

export function jobsEmbed(views: readonly JobView[], guildId: string | null): APIEmbed {
  const lines = views.map((view, index) => jobLine(view, index, guildId));
  return {
    title: JOBS_TITLE,
    color: 0x5865f2,
    description: truncate(lines.length > 0 ? lines.join("\n\n") : NO_JOBS, DISCORD_LIMITS.embedDescription),
  };
}

export const mjjobs: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("mjjobs")
    .setDescription("Your recent jobs here, with their status and messages")
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  async execute(interaction, context) {
    const jobs = await context.store.getRecentJobs(memberKey(memberOf(interaction)));
    const views = await Promise.all(
      jobs.map(async (job): Promise<JobView> => ({ job, record: await context.registry.find(job.taskId) })),
    );
    await interaction.reply({
      embeds: [jobsEmbed(views, interaction.guildId)],
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
  },
};
