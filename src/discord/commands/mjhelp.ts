// /mjhelp — a private guide: the bot's commands, what the buttons do, who may use them here, and
// what the member has left today when the operator set limits.
import {
  type APIEmbed,
  type APIEmbedField,
  InteractionContextType,
  MessageFlags,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  SlashCommandBuilder,
} from "discord.js";
import { memberOf } from "../../access/member.js";
import type { Allowance } from "../../access/submitAccess.js";
import type { ButtonsAllowed, SubmitPolicy } from "../../config.js";
import { discordTime } from "../../render/discordTime.js";
import { DISCORD_LIMITS, truncate } from "../../render/limits.js";
import type { SlashCommand } from "./command.js";

const HELP_TITLE = "How to use this bot";
const COMMANDS_HEADING = "Commands";
const BUTTONS_HEADING = "Buttons";
const WHO_HEADING = "Who can do what here";
const LIMITS_HEADING = "Your limits";

const BUTTON_GUIDE = [
  "**U1–U4** upscale one picture of the grid, **V1–V4** make variations of it, 🔄 runs the prompt again; the other buttons (Vary, Zoom, Pan, Upscale) do what they do in Midjourney.",
  "Each new job is posted as a reply to the message you clicked and kept up to date until it is done.",
  "A button that was already used is blue; clicking it again tells you where its result is.",
  "Custom Zoom, Vary (Region) and remix first ask for the prompt in a form.",
].join("\n");

const NO_LIMITS = "No limits are set here.";
const EXEMPT =
  "You manage this server, so the cooldown and the daily and running limits do not apply to you.";

/** A span of time in words: "30 s", "10 min", "2 h". */
function span(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

function commandLine(command: RESTPostAPIChatInputApplicationCommandsJSONBody): string {
  return `\`/${command.name}\` — ${command.description}`;
}

function whoMayClick(allowed: ButtonsAllowed): string {
  switch (allowed.kind) {
    case "anyone":
      return "Anyone here can use the buttons of any job.";
    case "requester":
      return "Only the member who started a job can use its buttons.";
    case "role":
      return `Only members with the <@&${allowed.roleId}> role can use the buttons.`;
  }
}

function whoMaySubmit(allowed: SubmitPolicy["allowed"]): string {
  return allowed.kind === "anyone"
    ? "Anyone here can start jobs."
    : `Only members with the <@&${allowed.roleId}> role can start jobs.`;
}

function completionPingNote(afterMs: number | null): string | null {
  return afterMs === null
    ? null
    : `When a job takes longer than ${span(afterMs)}, you are mentioned in a reply to it once it is done.`;
}

function jobsLeftToday(left: number, limit: number, resetsAt: number): string {
  return `Jobs left today: **${left}** of ${limit} (the count starts again ${discordTime(resetsAt)}).`;
}

function runningLeftLine(left: number, limit: number): string {
  return `Jobs you can still start before one of yours finishes: **${left}** of ${limit}.`;
}

function cooldownLine(cooldownMs: number, endsAt: number | null): string {
  return endsAt === null
    ? `Members wait ${span(cooldownMs)} between jobs; you can start one now.`
    : `Members wait ${span(cooldownMs)} between jobs; your next one can start ${discordTime(endsAt)}.`;
}

function roleMissingLine(roleId: string): string {
  return `You cannot start jobs here: that takes the <@&${roleId}> role.`;
}

/** What the member may still do, one line per limit the operator set. */
export function limitLines(policy: SubmitPolicy, allowance: Allowance): string[] {
  const lines: string[] = [];
  if (allowance.refusal?.reason === "role") lines.push(roleMissingLine(allowance.refusal.roleId));
  const limited = policy.cooldownMs > 0 || policy.dailyLimit > 0 || policy.maxRunning > 0;
  if (!limited) return lines.length > 0 ? lines : [NO_LIMITS];
  if (allowance.exempt) return [...lines, EXEMPT];
  if (allowance.leftToday !== null)
    lines.push(jobsLeftToday(allowance.leftToday, policy.dailyLimit, allowance.resetsAt));
  if (allowance.runningLeft !== null) lines.push(runningLeftLine(allowance.runningLeft, policy.maxRunning));
  if (policy.cooldownMs > 0) lines.push(cooldownLine(policy.cooldownMs, allowance.cooldownEndsAt));
  return lines;
}

function field(name: string, lines: readonly string[]): APIEmbedField {
  return { name, value: truncate(lines.join("\n"), DISCORD_LIMITS.fieldValue) };
}

export function helpEmbed(input: {
  commands: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[];
  buttonsAllowed: ButtonsAllowed;
  policy: SubmitPolicy;
  allowance: Allowance;
  completionPingAfterMs: number | null;
}): APIEmbed {
  const who = [whoMaySubmit(input.policy.allowed), whoMayClick(input.buttonsAllowed)];
  const ping = completionPingNote(input.completionPingAfterMs);
  if (ping) who.push(ping);
  return {
    title: HELP_TITLE,
    color: 0x5865f2,
    fields: [
      field(COMMANDS_HEADING, input.commands.map(commandLine)),
      field(BUTTONS_HEADING, [BUTTON_GUIDE]),
      field(WHO_HEADING, who),
      field(LIMITS_HEADING, limitLines(input.policy, input.allowance)),
    ],
  };
}

export const mjhelp: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("mjhelp")
    .setDescription("How to use this bot: its commands, the buttons and your limits")
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  async execute(interaction, context) {
    // Loaded here, not at the top: the list of commands includes this one.
    const { commands } = await import("./index.js");
    const allowance = await context.access.allowance(memberOf(interaction));
    await interaction.reply({
      embeds: [
        helpEmbed({
          commands: commands.map((command) => command.data),
          buttonsAllowed: context.config.buttons.allowed,
          policy: context.config.submit,
          allowance,
          completionPingAfterMs: context.config.tracking.completionPingAfterMs,
        }),
      ],
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
  },
};
