// The languages the bot speaks, and which one a Discord locale gets.

export const LOCALES = ["en", "zh-CN"] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * The catalogue for a Discord locale ("en-US", "zh-CN", "zh-TW", ...): Chinese for every Chinese
 * one (there is no Traditional catalogue, and Simplified reads better to zh-TW than English), and
 * English for everything else, or when Discord sent none.
 */
export function localeOf(discordLocale: string | null | undefined): Locale {
  return discordLocale?.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

/** The Discord locales whose members read the Chinese catalogue (for command localizations). */
export const CHINESE_DISCORD_LOCALES = ["zh-CN", "zh-TW"] as const;
