// Text from upstream shown in an embed, with Discord's markdown escaped so a prompt reads as sent.
import { escapeMarkdown } from "discord.js";

/**
 * The characters discord.js's escapeMarkdown (default options) acts on: backslash, backtick,
 * asterisk, underscore, tilde and pipe. Text without any of them is returned as it is, without
 * running its dozen regular expressions (most prompts).
 */
const MARKDOWN_CHARACTERS = /[\\`*_~|]/;

/** escapeMarkdown(text), the same answer for every text, faster for most of them. */
export function escapeText(text: string): string {
  return MARKDOWN_CHARACTERS.test(text) ? escapeMarkdown(text) : text;
}
