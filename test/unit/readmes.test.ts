// The Chinese README keeps step with the English one: the same variables in its configuration
// table, the same commands in its command table, and every variable .env.example documents (some
// as a commented-out example).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "../../src/discord/commands/index.js";

const ROOT = join(import.meta.dirname, "../..");
const read = (name: string) => readFileSync(join(ROOT, name), "utf8");

/** The first cell of every table row that names a variable: `| \`NAME\` |`. */
function tableVariables(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([A-Z][A-Z0-9_]+)` +\|/gm)].map((match) => match[1] as string).sort();
}

/** The commands a table row starts with: `| \`/name ...`. */
function tableCommands(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(/^\| `\/([a-z]+)/gm)].map((match) => match[1] as string))].sort();
}

describe("README.zh-CN.md", () => {
  const english = read("README.md");
  const chinese = read("README.zh-CN.md");

  it("is linked from the top of README.md", () => {
    expect(english.split("\n").slice(0, 5).join("\n")).toContain("(README.zh-CN.md)");
  });

  it("has the configuration table's variables, which are .env.example's", () => {
    const variables = tableVariables(english);
    expect(variables).toContain("BOT_LOCALE");
    expect(tableVariables(chinese)).toEqual(variables);
    const example = [...read(".env.example").matchAll(/^(?:# )?([A-Z][A-Z0-9_]+)=/gm)].map(
      (m) => m[1] as string,
    );
    expect(example.sort()).toEqual(variables);
  });

  it("has the command table's commands, which are the bot's", () => {
    const bot = commands.map((command) => command.data.name).sort();
    expect(tableCommands(english)).toEqual(bot);
    expect(tableCommands(chinese)).toEqual(bot);
  });
});
