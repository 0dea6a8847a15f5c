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
import type { Phrase } from "../../i18n/catalogue.js";
import { durationPhrase } from "../../i18n/duration.js";
import type { Locale } from "../../i18n/locale.js";
import { phrase, say, t } from "../../i18n/translate.js";
import { discordTime } from "../../render/discordTime.js";
import { DISCORD_LIMITS, truncate } from "../../render/limits.js";
import { described, privateLocale } from "../locales.js";
import type { SlashCommand } from "./command.js";

/** A command's line, its description as a client in `locale` shows it (see chineseLocalizations). */
function commandLine(command: RESTPostAPIChatInputApplicationCommandsJSONBody, locale: Locale): Phrase {
  const localized = locale === "en" ? undefined : command.description_localizations?.[locale];
  const description = localized ?? command.description;
  return phrase("help.commandLine", { name: command.name, description });
}

function whoMayClick(allowed: ButtonsAllowed): Phrase {
  switch (allowed.kind) {
    case "anyone":
      return phrase("help.clickAnyone");
    case "requester":
      return phrase("help.clickRequester");
    case "role":
      return phrase("help.clickRole", { roleId: allowed.roleId });
  }
}

function whoMaySubmit(allowed: SubmitPolicy["allowed"]): Phrase {
  return allowed.kind === "anyone"
    ? phrase("help.submitAnyone")
    : phrase("help.submitRole", { roleId: allowed.roleId });
}

function cooldownLine(cooldownMs: number, endsAt: number | null): Phrase {
  return endsAt === null
    ? phrase("help.cooldownReady", { cooldown: durationPhrase(cooldownMs) })
    : phrase("help.cooldownWaiting", { cooldown: durationPhrase(cooldownMs), endsAt: discordTime(endsAt) });
}

/** What the member may still do, one line per limit the operator set. */
function limitLines(policy: SubmitPolicy, allowance: Allowance): Phrase[] {
  const lines: Phrase[] = [];
  if (allowance.refusal?.reason === "role") {
    lines.push(phrase("help.roleMissing", { roleId: allowance.refusal.roleId }));
  }
  const limited = policy.cooldownMs > 0 || policy.dailyLimit > 0 || policy.maxRunning > 0;
  if (!limited) return lines.length > 0 ? lines : [phrase("help.noLimits")];
  if (allowance.exempt) return [...lines, phrase("help.exempt")];
  if (allowance.leftToday !== null) {
    lines.push(
      phrase("help.leftToday", {
        left: allowance.leftToday,
        limit: policy.dailyLimit,
        resetsAt: discordTime(allowance.resetsAt),
      }),
    );
  }
  if (allowance.runningLeft !== null) {
    lines.push(phrase("help.runningLeft", { left: allowance.runningLeft, limit: policy.maxRunning }));
  }
  if (policy.cooldownMs > 0) lines.push(cooldownLine(policy.cooldownMs, allowance.cooldownEndsAt));
  return lines;
}

function field(name: string, lines: readonly string[]): APIEmbedField {
  return { name, value: truncate(lines.join("\n"), DISCORD_LIMITS.fieldValue) };
}

function helpEmbed(input: {
  commands: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[];
  buttonsAllowed: ButtonsAllowed;
  policy: SubmitPolicy;
  allowance: Allowance;
  completionPingAfterMs: number | null;
  locale: Locale;
}): APIEmbed {
  const { locale } = input;
  const said = (lines: readonly Phrase[]) => lines.map((line) => say(locale, line));
  const who = [whoMaySubmit(input.policy.allowed), whoMayClick(input.buttonsAllowed)];
  if (input.completionPingAfterMs !== null) {
    who.push(phrase("help.completionPing", { after: durationPhrase(input.completionPingAfterMs) }));
  }
  const buttonGuide = [
    phrase("help.buttonsGrid"),
    phrase("help.buttonsReplies"),
    phrase("help.buttonsUsed"),
    phrase("help.buttonsForms"),
  ];
  return {
    title: t(locale, "help.title"),
    color: 0x5865f2,
    fields: [
      field(t(locale, "help.commands"), said(input.commands.map((command) => commandLine(command, locale)))),
      field(t(locale, "help.buttons"), said(buttonGuide)),
      field(t(locale, "help.who"), said(who)),
      field(t(locale, "help.limits"), said(limitLines(input.policy, input.allowance))),
    ],
  };
}

export const mjhelp: SlashCommand = {
  data: described(new SlashCommandBuilder().setName("mjhelp"), "command.mjhelp")
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
          locale: privateLocale(interaction),
        }),
      ],
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
  },
};
