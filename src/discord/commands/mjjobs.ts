// /mjjobs — the member's own recent jobs in this server (the last RECENT_JOBS_KEPT the bot started
// for them, newest first), each with its status and a link to its message, privately.
import { type APIEmbed, InteractionContextType, MessageFlags, SlashCommandBuilder } from "discord.js";
import { memberOf } from "../../access/member.js";
import { memberKey } from "../../access/submitAccess.js";
import type { Locale } from "../../i18n/locale.js";
import { t } from "../../i18n/translate.js";
import { isFinalStatus } from "../../mj/schema.js";
import { discordTime } from "../../render/discordTime.js";
import { DISCORD_LIMITS, truncate } from "../../render/limits.js";
import { escapeText } from "../../render/markdown.js";
import { actionLabel, statusLook } from "../../render/renderTaskEmbed.js";
import { RECENT_JOBS_KEPT, type RecentJob, type TrackedTask } from "../../tracking/store.js";
import { described, privateLocale } from "../locales.js";
import { messageLink } from "../messages/postTask.js";
import type { SlashCommand } from "./command.js";

const PROMPT_SHOWN = 60;

/** A job and what the bot knows of it now (nothing once its record has expired). */
interface JobView {
  job: RecentJob;
  record: TrackedTask | undefined;
  /**
   * This process follows the task (its record here is the live one). Otherwise another process
   * of the bot does, or did: the stored record has its final state, but not the steps on the way.
   */
  live: boolean;
}

function statusText({ record, live }: JobView, locale: Locale): string {
  if (!record) return t(locale, "jobs.notFollowed");
  // Followed by another replica or shard: its message shows the status live, the store does not.
  if (!live && record.stopped === null && !isFinalStatus(record.status)) return t(locale, "jobs.notFinished");
  const label = statusLook(record.status, locale).label;
  return record.status === "IN_PROGRESS" && record.progress !== null
    ? t(locale, "jobs.statusWithProgress", { status: label, percent: record.progress })
    : label;
}

function whereShown(view: JobView, guildId: string | null, locale: Locale): string {
  const message = view.record?.messages[0];
  if (message) {
    const link = messageLink(message.guildId ?? guildId, message.channelId, message.messageId);
    return t(locale, "jobs.openMessage", { link });
  }
  return t(locale, "jobs.showAgain", { taskId: view.job.taskId });
}

/** The prompt's beginning, on one line, as plain text (upstream's words, as they came). */
function promptExcerpt(record: TrackedTask | undefined, locale: Locale): string {
  const prompt = (record?.lastTask.prompt || record?.lastTask.promptEn || "").replace(/\s+/g, " ").trim();
  return prompt ? t(locale, "jobs.prompt", { prompt: escapeText(truncate(prompt, PROMPT_SHOWN)) }) : "";
}

function jobLine(view: JobView, index: number, guildId: string | null, locale: Locale): string {
  const kind = view.record ? actionLabel(view.record.lastTask, locale) : t(locale, "jobs.job");
  const first = t(locale, "jobs.line", {
    number: index + 1,
    kind,
    status: statusText(view, locale),
    when: discordTime(view.job.at),
  });
  const details = [
    promptExcerpt(view.record, locale),
    whereShown(view, guildId, locale),
    `\`${view.job.taskId}\``,
  ].filter(Boolean);
  return `${first}\n${details.join(" · ")}`;
}

function jobsEmbed(views: readonly JobView[], guildId: string | null, locale: Locale): APIEmbed {
  const lines = views.map((view, index) => jobLine(view, index, guildId, locale));
  return {
    title: t(locale, "jobs.title", { count: RECENT_JOBS_KEPT }),
    color: 0x5865f2,
    description: truncate(
      lines.length > 0 ? lines.join("\n\n") : t(locale, "jobs.none"),
      DISCORD_LIMITS.embedDescription,
    ),
  };
}

export const mjjobs: SlashCommand = {
  data: described(new SlashCommandBuilder().setName("mjjobs"), "command.mjjobs")
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  async execute(interaction, context) {
    const jobs = await context.store.getRecentJobs(memberKey(memberOf(interaction)));
    const views = await Promise.all(
      jobs.map(async (job): Promise<JobView> => {
        const live = context.registry.peek(job.taskId);
        return { job, record: live ?? (await context.store.getTask(job.taskId)), live: live !== undefined };
      }),
    );
    await interaction.reply({
      embeds: [jobsEmbed(views, interaction.guildId, privateLocale(interaction))],
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
  },
};
