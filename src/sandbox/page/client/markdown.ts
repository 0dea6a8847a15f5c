// Discord's message markdown, as far as bots use it: bold, italic, underline, strike, spoilers,
// inline and block code, masked and bare links, quotes, headings, mentions and timestamps.
// Builds DOM nodes (text stays text), so nothing a task or a user wrote can become HTML.
import { h, safeUrl } from "./dom.js";

export interface MarkdownContext {
  userName(id: string): string;
  channelName(id: string): string;
  /** The member looking at the page, whose mentions are highlighted. */
  viewerId: string;
}

const ESCAPABLE = /^\\([\\*_~`|<>[\]()#:/.\-@!])/;

type Rule = { pattern: RegExp; build: (match: RegExpExecArray, context: MarkdownContext) => Node };

/** The language of the Discord client the visitor chose: Discord shows timestamps in it. */
let timestampLocale = "en-US";

export function setTimestampLocale(locale: string): void {
  timestampLocale = locale;
}

function formatTimestamp(seconds: number, style: string): string {
  const date = new Date(seconds * 1000);
  const locale = timestampLocale;
  switch (style) {
    case "t":
      return date.toLocaleTimeString(locale, { hour: "numeric", minute: "2-digit" });
    case "T":
      return date.toLocaleTimeString(locale);
    case "d":
      return date.toLocaleDateString(locale);
    case "D":
      return date.toLocaleDateString(locale, { dateStyle: "long" });
    case "F":
      return date.toLocaleString(locale, { dateStyle: "full", timeStyle: "short" });
    case "R": {
      const seconds = Math.round((date.getTime() - Date.now()) / 1000);
      const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
      if (Math.abs(seconds) < 60) return format.format(seconds, "second");
      if (Math.abs(seconds) < 3600) return format.format(Math.round(seconds / 60), "minute");
      if (Math.abs(seconds) < 86400) return format.format(Math.round(seconds / 3600), "hour");
      return format.format(Math.round(seconds / 86400), "day");
    }
    default:
      // Discord writes the long date and the short time side by side, without "at".
      return `${date.toLocaleDateString(locale, { dateStyle: "long" })} ${date.toLocaleTimeString(locale, { hour: "numeric", minute: "2-digit" })}`;
  }
}

const INLINE_RULES: Rule[] = [
  { pattern: /^`([^`]+)`/, build: (m) => h("code", { class: "inline-code" }, m[1] ?? "") },
  { pattern: /^\*\*([\s\S]+?)\*\*(?!\*)/, build: (m, c) => h("strong", {}, inline(m[1] ?? "", c)) },
  { pattern: /^__([\s\S]+?)__(?!_)/, build: (m, c) => h("u", {}, inline(m[1] ?? "", c)) },
  { pattern: /^\*([^*\s][\s\S]*?)\*(?!\*)/, build: (m, c) => h("em", {}, inline(m[1] ?? "", c)) },
  { pattern: /^_([^_\s][\s\S]*?)_(?![\w_])/, build: (m, c) => h("em", {}, inline(m[1] ?? "", c)) },
  { pattern: /^~~([\s\S]+?)~~/, build: (m, c) => h("s", {}, inline(m[1] ?? "", c)) },
  {
    pattern: /^\|\|([\s\S]+?)\|\|/,
    build: (m, c) => {
      const spoiler = h("span", { class: "spoiler", title: "Spoiler" }, inline(m[1] ?? "", c));
      spoiler.addEventListener("click", () => spoiler.classList.add("revealed"));
      return spoiler;
    },
  },
  {
    pattern: /^\[([^\]]+)\]\((<)?(https?:\/\/[^\s)>]+)>?\)/,
    build: (m, c) => {
      const href = safeUrl(m[3]);
      return href
        ? h("a", { href, target: "_blank", rel: "noreferrer noopener" }, inline(m[1] ?? "", c))
        : document.createTextNode(m[0]);
    },
  },
  {
    pattern: /^<?(https?:\/\/[^\s<>]+[^\s<>.,:;"')\]])>?/,
    build: (m) => {
      const href = safeUrl(m[1]);
      return href
        ? h("a", { href, target: "_blank", rel: "noreferrer noopener" }, m[1] ?? "")
        : document.createTextNode(m[0]);
    },
  },
  {
    pattern: /^<@!?(\d{17,20})>/,
    build: (m, c) =>
      h(
        "span",
        { class: `mention${m[1] === c.viewerId ? " mention-me" : ""}`, "data-user-id": m[1] },
        `@${c.userName(m[1] ?? "")}`,
      ),
  },
  { pattern: /^<@&(\d{17,20})>/, build: () => h("span", { class: "mention" }, "@role") },
  {
    pattern: /^<#(\d{17,20})>/,
    build: (m, c) => h("span", { class: "mention" }, `#${c.channelName(m[1] ?? "")}`),
  },
  { pattern: /^@(everyone|here)\b/, build: (m) => h("span", { class: "mention" }, `@${m[1]}`) },
  {
    pattern: /^<t:(-?\d{1,13})(?::([tTdDfFR]))?>/,
    build: (m) => h("time", { class: "timestamp" }, formatTimestamp(Number(m[1]), m[2] ?? "f")),
  },
  { pattern: /^<a?:(\w{2,32}):\d{17,20}>/, build: (m) => document.createTextNode(`:${m[1]}:`) },
];

/** Inline markdown of one block. */
export function inline(text: string, context: MarkdownContext): Node[] {
  const nodes: Node[] = [];
  let plain = "";
  const flush = () => {
    if (plain) nodes.push(document.createTextNode(plain));
    plain = "";
  };
  let rest = text;
  while (rest.length > 0) {
    const escaped = ESCAPABLE.exec(rest);
    if (escaped) {
      plain += escaped[1];
      rest = rest.slice(2);
      continue;
    }
    if (rest[0] === "\n") {
      flush();
      nodes.push(h("br"));
      rest = rest.slice(1);
      continue;
    }
    let matched = false;
    if (/^[`*_~|[<h@]/.test(rest)) {
      for (const rule of INLINE_RULES) {
        const match = rule.pattern.exec(rest);
        if (!match) continue;
        flush();
        nodes.push(rule.build(match, context));
        rest = rest.slice(match[0].length);
        matched = true;
        break;
      }
    }
    if (!matched) {
      plain += rest[0];
      rest = rest.slice(1);
    }
  }
  flush();
  return nodes;
}

/** A whole text: code blocks, quotes and headings by line, inline markdown within them. */
export function markdown(text: string, context: MarkdownContext): Node[] {
  const nodes: Node[] = [];
  const parts = text.split(/```(?:[\w+-]*\n)?([\s\S]*?)```/);
  for (const [index, part] of parts.entries()) {
    if (index % 2 === 1) {
      nodes.push(h("pre", { class: "code-block" }, h("code", {}, part.replace(/\n$/, ""))));
      continue;
    }
    let paragraph: string[] = [];
    const flushParagraph = () => {
      if (paragraph.length > 0) nodes.push(...inline(paragraph.join("\n"), context));
      paragraph = [];
    };
    const lines = part.split("\n");
    for (const [i, line] of lines.entries()) {
      const heading = /^(#{1,3}) (.+)$/.exec(line);
      const quote = /^> (.*)$/.exec(line);
      if (heading) {
        flushParagraph();
        const tag = (["h1", "h2", "h3"] as const)[(heading[1]?.length ?? 1) - 1] ?? "h3";
        nodes.push(h(tag, { class: "md-heading" }, inline(heading[2] ?? "", context)));
      } else if (quote) {
        flushParagraph();
        nodes.push(h("blockquote", {}, inline(quote[1] ?? "", context)));
      } else {
        paragraph.push(line);
        if (i === lines.length - 1) flushParagraph();
      }
    }
    flushParagraph();
  }
  return nodes;
}
