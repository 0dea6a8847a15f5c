// The message box: what a typed slash command means (its name, subcommand and options, read
// against the commands the bot registered), and the hint list Discord shows while typing one.
import type { PageCommand, PageCommandOption } from "../pageTypes.js";

export interface ParsedCommand {
  command: PageCommand;
  subcommand?: PageCommandOption;
  /** Options typed in the text, by name (attachments come from the sample picker). */
  options: Record<string, string>;
}

export const ATTACHMENT = 11;
const SUBCOMMAND = 1;

/** The options a command (or its chosen subcommand) takes. */
export function optionsOf(parsed: {
  command: PageCommand;
  subcommand?: PageCommandOption | undefined;
}): PageCommandOption[] {
  return parsed.subcommand
    ? parsed.subcommand.options
    : parsed.command.options.filter((option) => option.type !== SUBCOMMAND);
}

export function subcommandsOf(command: PageCommand): PageCommandOption[] {
  return command.options.filter((option) => option.type === SUBCOMMAND);
}

/**
 * Reads "/imagine a red fox", "/mjstatus id:123", "/blend dimensions: Square" or "/mjfeed enable":
 * named options as `name:` (or `name: `), and text before any name goes to the first text option.
 */
export function parseCommand(text: string, commands: readonly PageCommand[]): ParsedCommand | undefined {
  const match = /^\/([\w-]+)(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  const command = commands.find((candidate) => candidate.name === match[1]?.toLowerCase());
  if (!command) return undefined;
  let rest = (match[2] ?? "").trim();
  let subcommand: PageCommandOption | undefined;
  const subs = subcommandsOf(command);
  if (subs.length > 0) {
    const word = /^(\S+)/.exec(rest)?.[1]?.toLowerCase();
    subcommand = subs.find((candidate) => candidate.name === word);
    if (subcommand) rest = rest.slice(subcommand.name.length).trim();
  }
  const options: Record<string, string> = {};
  const typed = optionsOf({ command, subcommand }).filter((option) => option.type !== ATTACHMENT);
  if (typed.length > 0 && rest) {
    const names = typed.map((option) => option.name).join("|");
    const named = new RegExp(`(?:^|\\s)(${names}):\\s*`, "g");
    const marks = [...rest.matchAll(named)];
    const leading = (marks[0] ? rest.slice(0, marks[0].index) : rest).trim();
    if (leading) {
      const first = typed.find((option) => option.type === 3 && option.required) ?? typed[0];
      if (first) options[first.name] = leading;
    }
    marks.forEach((mark, i) => {
      const start = (mark.index ?? 0) + mark[0].length;
      const end = marks[i + 1]?.index ?? rest.length;
      options[mark[1] as string] = rest.slice(start, end).trim();
    });
  }
  return { command, ...(subcommand ? { subcommand } : {}), options };
}

export interface Hint {
  /** What the hint shows in bold, e.g. "/imagine" or "prompt". */
  title: string;
  detail: string;
  /** The text the composer holds after choosing it; undefined: only information. */
  completion?: string;
}

/** The hint list for what is typed so far: matching commands, then subcommands, then options. */
export function hintsFor(text: string, commands: readonly PageCommand[], canManage: boolean): Hint[] {
  if (!text.startsWith("/")) return [];
  const visible = commands.filter((command) => canManage || command.defaultMemberPermissions === null);
  const name = /^\/([\w-]*)$/.exec(text)?.[1];
  if (name !== undefined) {
    return visible
      .filter((command) => command.name.startsWith(name.toLowerCase()))
      .map((command) => ({
        title: `/${command.name}`,
        detail: command.description,
        completion: `/${command.name} `,
      }));
  }
  const parsed = parseCommand(text, commands);
  if (!parsed) return [];
  const subs = subcommandsOf(parsed.command);
  if (subs.length > 0 && !parsed.subcommand) {
    return subs.map((sub) => ({
      title: `/${parsed.command.name} ${sub.name}`,
      detail: sub.description,
      completion: `/${parsed.command.name} ${sub.name}`,
    }));
  }
  return optionsOf(parsed).map((option) => ({
    title: `${option.name}${option.required ? "" : " (optional)"}`,
    detail:
      option.type === ATTACHMENT
        ? `${option.description} (pick a sample image below)`
        : option.choices.length > 0
          ? `${option.description}: ${option.choices.map((choice) => choice.name).join(", ")}`
          : option.description,
  }));
}
