// The catalogues agree (same keys, same placeholders), sentences come out right in both languages,
// and no source file outside src/i18n/ writes words for Discord users itself.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "../../src/i18n/en.js";
import type { Entry } from "../../src/i18n/entry.js";
import { localeOf } from "../../src/i18n/locale.js";
import { phrase, samePhrase, say, t } from "../../src/i18n/translate.js";
import { zhCN } from "../../src/i18n/zh-CN.js";
import { findProseLiterals, looksLikeProse } from "../support/proseLiterals.js";

const ROOT = join(import.meta.dirname, "../..");

function placeholders(entry: Entry): string[] {
  const forms = typeof entry === "string" ? [entry] : [entry.one, entry.other];
  const names = new Set(forms.flatMap((form) => [...form.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string)));
  if (typeof entry !== "string") names.add("count");
  return [...names].sort();
}

const CJK = /[\p{Script=Han}]/u;

describe("the catalogues", () => {
  it("have the same keys", () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it("use the same placeholders in every entry", () => {
    const differing = Object.entries(en).filter(
      ([key, entry]) => placeholders(entry).join() !== placeholders(zhCN[key as keyof typeof en]).join(),
    );
    expect(differing.map(([key]) => key)).toEqual([]);
  });

  it("have no empty entry, and the Chinese one speaks Chinese wherever a sentence has words", () => {
    for (const [key, entry] of Object.entries(zhCN)) {
      const forms = typeof entry === "string" ? [entry] : [entry.one, entry.other];
      for (const form of forms) expect(form.trim(), key).not.toBe("");
      const english = en[key as keyof typeof en];
      const englishText = typeof english === "string" ? english : english.other;
      // Sentences of three words or more are translated; labels such as "U{number}" may stay.
      if (
        englishText
          .replace(/\{\w+\}/g, "")
          .split(/\s+/)
          .filter((w) => /\p{L}{2,}/u.test(w)).length >= 3
      ) {
        expect(
          forms.some((form) => CJK.test(form)),
          key,
        ).toBe(true);
      }
    }
  });

  it("fill placeholders, plurals, numbers, lists and nested phrases the locale's way", () => {
    expect(t("en", "submit.queued", { count: 1 })).toBe("Queued: 1 task ahead.");
    expect(t("en", "submit.queued", { count: 3 })).toBe("Queued: 3 tasks ahead.");
    expect(t("zh-CN", "submit.queued", { count: 3 })).toBe("排队中：前面还有 3 个任务。");
    expect(t("zh-CN", "submit.queued", { count: 1200 })).toBe("排队中：前面还有 1,200 个任务。");
    const cooldown = phrase("access.cooldown", {
      when: "<t:1800000000:R>",
      duration: phrase("duration.minutes", { count: 2 }),
    });
    expect(say("en", cooldown)).toBe(
      "You can start another job <t:1800000000:R>: members wait 2 min between jobs.",
    );
    expect(say("zh-CN", cooldown)).toBe(
      "<t:1800000000:R>可以再发起新任务：每位成员两次任务之间需间隔 2 分钟。",
    );
    const running = phrase("access.running", { count: 2, taskIds: ["`a1`", "`b2`"] });
    expect(say("en", running)).toContain("(`a1`, `b2`)");
    expect(say("zh-CN", running)).toContain("（`a1`、`b2`）");
  });

  it("quote upstream's text as it came, braces included, inside a Chinese sentence", () => {
    const said = t("zh-CN", "submit.invalidWithReason", { reason: "参数错误 {prompt}" });
    expect(said).toBe("MJ API 认为请求无效，已拒绝（`参数错误 {prompt}`）。");
  });

  it("tell a phrase rebuilt from the same values from one that says something else", () => {
    const queued = phrase("submit.queued", { count: 2 });
    expect(samePhrase(queued, phrase("submit.queued", { count: 2 }))).toBe(true);
    expect(samePhrase(queued, phrase("submit.queued", { count: 1 }))).toBe(false);
    expect(samePhrase(queued, phrase("notice.queuedNext"))).toBe(false);
    expect(samePhrase(phrase("notice.queuedNext"), phrase("notice.queuedNext"))).toBe(true);
    // A phrase read back from the store is plain JSON.
    expect(samePhrase(JSON.parse(JSON.stringify(queued)), queued)).toBe(true);
    expect(samePhrase(queued, null)).toBe(false);
    expect(samePhrase(null, null)).toBe(true);
  });

  it("give Chinese to every Chinese Discord locale and English to the others", () => {
    expect(localeOf("zh-CN")).toBe("zh-CN");
    expect(localeOf("zh-TW")).toBe("zh-CN");
    for (const other of ["en-US", "en-GB", "ja", "fr", "", null, undefined])
      expect(localeOf(other)).toBe("en");
  });

  it("fit Discord's limits where they become command descriptions and choice names (100 characters)", () => {
    for (const [key, entry] of Object.entries(zhCN)) {
      if (!key.startsWith("command.")) continue;
      expect((entry as string).length, key).toBeLessThanOrEqual(100);
      expect((en[key as keyof typeof en] as string).length, key).toBeLessThanOrEqual(100);
    }
  });
});

describe("the prose-literal checker", () => {
  it("flags a sentence written into the code instead of the catalogue", () => {
    const planted = [
      "export async function answer(interaction, logger) {",
      '  logger.info({ id: 1 }, "answered the member");',
      '  await interaction.reply({ content: "You can not do that here." });',
      "}",
    ].join("\n");
    expect(findProseLiterals("planted.ts", planted)).toEqual([
      { file: "planted.ts", line: 3, text: "You can not do that here." },
    ]);
  });

  it("flags labels, templates and Chinese text, wherever they stand", () => {
    const code = [
      'const title = field("Prompt", value);',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      "const footer = `Task ${task.id}`;",
      'const zh = "任务";',
      'throw new UserError("That is not allowed.");',
    ].join("\n");
    expect(findProseLiterals("x.ts", code).map((found) => found.line)).toEqual([1, 2, 3, 4]);
  });

  it("leaves log lines, internal errors, keys, ids, paths, types and metric help alone", () => {
    const code = [
      'import { x } from "./some module.js";',
      'type Kind = "not found" | "timed out";',
      'context.logger[level]({ reason: "no such thing" }, "could not tell the user");',
      'this.#logger.warn("Discord refused the edit");',
      'throw new Error("the store cannot enumerate its records");',
      'throw new MjBadResponse("the answer is not a task", 200);',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      "class Gone extends Error { constructor() { super(`MJ task ${id} was not found upstream`); } }",
      'const headers = { "content-type": "application/json" };',
      'const key = t(locale, "feed.needsPublicUrl");',
      'const custom = "MJ::JOB::upsample::1::abc";',
      'const counter = new Counter({ name: "x", help: "Interactions handled, by kind" });',
    ].join("\n");
    expect(findProseLiterals("x.ts", code)).toEqual([]);
  });

  it("judges text by its shape", () => {
    for (const prose of ["Done", "Waiting…", "Open the form", "Upscale (Subtle)", "排队中", "not found"]) {
      expect(looksLikeProse(prose), prose).toBe(true);
    }
    for (const code of ["mj:", "GET", "SUCCESS", "U1", "application/json", "MJ::JOB::reroll::0", "x"]) {
      expect(looksLikeProse(code), code).toBe(false);
    }
  });
});

/**
 * What the walk below does not read, and why. Whole folders and files whose words never reach a
 * Discord user; each stays English like the logs.
 */
const NOT_FOR_DISCORD_USERS: Record<string, string> = {
  "src/i18n/": "the catalogues themselves",
  "src/sandbox/":
    "the developer's simulators and their page (its chrome stays English; the bot in it speaks both)",
  "src/mj/": "knows nothing of Discord: its texts are errors for logs, which the router words for users",
  "src/webhook/": "HTTP answers to the provider, health checks and Prometheus",
  "src/config.ts": "configuration errors for the operator, by variable name, on stderr",
  "src/main.ts": "start-up failure for the operator",
  "src/shard.ts": "start-up failure for the operator",
  "src/register.ts": "npm run register's console output",
  "src/invite.ts": "npm run invite's console output",
  "src/media/downloadMedia.ts":
    "why a result's download was refused: logged, the message keeps upstream's links",
};

/** Single literals elsewhere that look like words and are not. */
const NOT_PROSE: { file: string; text: RegExp; why: string }[] = [
  { file: "src/tracking/store.ts", text: /^(PRAGMA|INSERT INTO|DELETE FROM) /, why: "SQL" },
  { file: "src/tracking/sharedGlobalLimit.ts", text: /redis\.call/, why: "a Lua script Redis runs" },
  {
    file: "src/tracking/sharedGlobalLimit.ts",
    text: /^global limit$/,
    why: "what a Redis connection is for, in its log lines",
  },
  {
    file: "src/discord/taskRouting.ts",
    text: /^task hand-over$/,
    why: "what a Redis connection is for, in its log lines",
  },
  {
    file: "src/discord/messages/messageEditor.ts",
    text: /^DiscordBot \(/,
    why: "the User-Agent Discord asks bots to send",
  },
  {
    file: "src/discord/messages/messageEditor.ts",
    text: /^Bot\s+$/,
    why: "the Authorization header's scheme",
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("source files outside src/i18n/", () => {
  it("write no words for Discord users themselves: every such word comes from a catalogue", () => {
    const files = sourceFiles(join(ROOT, "src"))
      .map((path) => relative(ROOT, path).split("\\").join("/"))
      .filter((file) => !Object.keys(NOT_FOR_DISCORD_USERS).some((skipped) => file.startsWith(skipped)));
    expect(files).toEqual(
      expect.arrayContaining(["src/render/renderTaskEmbed.ts", "src/discord/interactions/router.ts"]),
    );
    const found = files
      .flatMap((file) => findProseLiterals(file, readFileSync(join(ROOT, file), "utf8")))
      .filter(
        (literal) =>
          !NOT_PROSE.some((allowed) => allowed.file === literal.file && allowed.text.test(literal.text)),
      )
      .map((literal) => `${literal.file}:${literal.line} ${JSON.stringify(literal.text)}`);
    expect(found).toEqual([]);
  });
});
