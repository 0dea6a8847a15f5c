// The renderer's shortcuts (render/markdown.ts, render/memo.ts, the video check in taskMedia.ts)
// must give exactly the answers of the slower code they stand in for.
import { escapeMarkdown } from "discord.js";
import { describe, expect, it } from "vitest";
import { escapeText } from "../../src/render/markdown.js";
import { memoized } from "../../src/render/memo.js";
import { toButtonEmoji } from "../../src/render/renderButtonRows.js";
import { isVideoUrl, safeHttpUrl } from "../../src/render/taskMedia.js";

describe("escapeText", () => {
  const texts = [
    "a cat in a hat --ar 16:9 --v 6.1",
    "猫 --niji 6",
    "https://s.mj.run/abc_def a cat",
    "a *bold* and _italic_ cat",
    "**very** __under__ ~~struck~~ ||spoiler||",
    "code `x` and ```block```",
    "back\\slash",
    "<:emoji_name:123456789012345678> __init__",
    "# not a heading - not a list 1. not numbered [a](b)",
    "",
  ];
  it.each(texts)("answers as escapeMarkdown does for %j", (text) => {
    expect(escapeText(text)).toBe(escapeMarkdown(text));
  });
});

describe("isVideoUrl", () => {
  it("judges the path only, without parsing links that name no video", () => {
    expect(isVideoUrl("https://cdn.example.com/a/grid_0.png?ex=1")).toBe(false);
    expect(isVideoUrl("https://cdn.example.com/a/clip.MP4?ex=1&sig=2")).toBe(true);
    expect(isVideoUrl("https://cdn.example.com/a.mp4/still.png")).toBe(false);
    expect(isVideoUrl("https://cdn.example.com/a.png?name=clip.mp4")).toBe(false);
    expect(isVideoUrl("not a url.mp4")).toBe(false);
    expect(isVideoUrl("")).toBe(false);
  });

  it("sees an extension that tabs or line breaks split, as the URL parser joins it", () => {
    expect(isVideoUrl("https://cdn.example.com/clip.m\tp4")).toBe(true);
    expect(isVideoUrl("https://cdn.example.com/clip.we\nbm")).toBe(true);
  });
});

describe("memoized", () => {
  it("answers from its table, never keeps more than its size nor long inputs, and keeps falsy answers too", () => {
    const calls: string[] = [];
    const length = memoized(
      (text: string) => {
        calls.push(text);
        return text === "" ? null : text.length;
      },
      { size: 2, maxInputLength: 5 },
    );
    expect([length("ab"), length("ab"), length(""), length("")]).toEqual([2, 2, null, null]);
    expect(calls).toEqual(["ab", ""]);
    // Full: the table starts over, so "ab" is worked out again.
    expect(length("abc")).toBe(3);
    expect(length("ab")).toBe(2);
    expect(calls).toEqual(["ab", "", "abc", "ab"]);
    // Too long to be kept: worked out every time.
    expect([length("abcdef"), length("abcdef")]).toEqual([6, 6]);
    expect(calls.slice(4)).toEqual(["abcdef", "abcdef"]);
  });

  it("gives every caller its own copy of a kept emoji and the same link as before", () => {
    const first = toButtonEmoji("🔄");
    expect(first).toEqual({ name: "🔄" });
    (first as { name: string }).name = "changed";
    expect(toButtonEmoji("🔄")).toEqual({ name: "🔄" });
    expect(safeHttpUrl(" https://Example.com/a b.png ")).toBe("https://example.com/a%20b.png");
    expect(safeHttpUrl(" https://Example.com/a b.png ")).toBe("https://example.com/a%20b.png");
    expect(safeHttpUrl("javascript:alert(1)")).toBeNull();
  });
});
