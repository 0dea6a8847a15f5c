// Pieces of the sandbox page that need no browser: reading a typed slash command and its hints,
// and the one line a machine without Chromium gets.
import { describe, expect, it } from "vitest";
import { commands } from "../../src/discord/commands/index.js";
import { launchChromium, MissingChromium } from "../../src/sandbox/chromium.js";
import { hintsFor, parseCommand } from "../../src/sandbox/page/client/composer.js";
import type { PageCommand, PageCommandOption } from "../../src/sandbox/page/pageTypes.js";

/** The bot's own command definitions, as the page receives them. */
function asPage(option: Record<string, unknown>): PageCommandOption {
  return {
    name: String(option.name),
    description: String(option.description ?? ""),
    type: Number(option.type),
    required: option.required === true,
    choices: (option.choices as { name: string; value: string }[] | undefined) ?? [],
    options: ((option.options as Record<string, unknown>[] | undefined) ?? []).map(asPage),
  };
}
const PAGE_COMMANDS: PageCommand[] = commands.map(({ data }) => ({
  name: data.name,
  description: data.description,
  options: ((data.options ?? []) as unknown as Record<string, unknown>[]).map(asPage),
  defaultMemberPermissions: data.default_member_permissions ?? null,
}));

describe("the composer", () => {
  it.each([
    ["/imagine a red fox", "imagine", undefined, { prompt: "a red fox" }],
    ["/imagine prompt: a red fox --ar 3:2", "imagine", undefined, { prompt: "a red fox --ar 3:2" }],
    ["/mjstatus id:1732012345678901", "mjstatus", undefined, { id: "1732012345678901" }],
    ["/blend dimensions: Square (1:1)", "blend", undefined, { dimensions: "Square (1:1)" }],
    ["/mjfeed enable", "mjfeed", "enable", {}],
    ["/shorten a fox, a hill, golden light", "shorten", undefined, { prompt: "a fox, a hill, golden light" }],
  ])("reads %s", (text, name, subcommand, options) => {
    const parsed = parseCommand(text, PAGE_COMMANDS);
    expect(parsed?.command.name).toBe(name);
    expect(parsed?.subcommand?.name).toBe(subcommand);
    expect(parsed?.options).toEqual(options);
  });

  it("knows no command that the bot did not register", () => {
    expect(parseCommand("/midjourney a fox", PAGE_COMMANDS)).toBeUndefined();
    expect(parseCommand("a fox", PAGE_COMMANDS)).toBeUndefined();
  });

  it("hints the commands that match, then a command's subcommands or options, and hides /mjfeed from members who cannot use it", () => {
    expect(hintsFor("/m", PAGE_COMMANDS, true).map((hint) => hint.title)).toEqual([
      "/mjstatus",
      "/mjseed",
      "/mjfeed",
    ]);
    expect(hintsFor("/m", PAGE_COMMANDS, false).map((hint) => hint.title)).toEqual(["/mjstatus", "/mjseed"]);
    expect(hintsFor("/mjfeed ", PAGE_COMMANDS, true).map((hint) => hint.completion)).toEqual([
      "/mjfeed enable",
      "/mjfeed disable",
      "/mjfeed status",
    ]);
    const describeHints = hintsFor("/describe ", PAGE_COMMANDS, true);
    expect(describeHints).toEqual([
      expect.objectContaining({ title: "image", detail: expect.stringContaining("sample image") }),
    ]);
    expect(hintsFor("hello", PAGE_COMMANDS, true)).toEqual([]);
  });
});

describe("launchChromium", () => {
  it("fails with one line saying how to install Chromium when it is missing", async () => {
    const failure = await launchChromium({ executable: "/nonexistent/chromium" }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MissingChromium);
    expect(String((failure as Error).stack)).toBe(
      "MissingChromium: Chromium is not installed at /nonexistent/chromium (the browser tests and npm run screenshot use it): install it with `sudo apt-get install chromium` on Debian/Ubuntu, then run them again.",
    );
  });
});
