// Which language a Discord answer is in: a private one speaks the member's Discord language, a
// public one (what many people read) the server's preferred locale, unless BOT_LOCALE fixes it.
import type { LocalizationMap } from "discord.js";
import type { MessageKey, ParamArgs, PlainKey } from "../i18n/catalogue.js";
import { CHINESE_DISCORD_LOCALES, type Locale, localeOf } from "../i18n/locale.js";
import { t } from "../i18n/translate.js";

/** For ephemeral replies, modals and the buttons on them. */
export function privateLocale(interaction: { locale: string }): Locale {
  return localeOf(interaction.locale);
}

/** For task messages, channel and feed posts: BOT_LOCALE, else the server's preferred locale. */
export function publicLocale(botLocale: Locale | undefined, guildLocale: string | null | undefined): Locale {
  return botLocale ?? localeOf(guildLocale);
}

/** A command's, option's or choice's text for Discord's Chinese clients (name_ and description_localizations). */
function chineseLocalizations<K extends MessageKey>(key: K, ...args: ParamArgs<K>): LocalizationMap {
  const text = t("zh-CN", key, ...args);
  return Object.fromEntries(CHINESE_DISCORD_LOCALES.map((locale) => [locale, text]));
}

interface Describable {
  setDescription(description: string): this;
  setDescriptionLocalizations(localizations: LocalizationMap | null): this;
}

/** Sets a command's or an option's description, in English and for Chinese clients. */
export function described<B extends Describable, K extends MessageKey>(
  builder: B,
  key: K,
  ...args: ParamArgs<K>
): B {
  return builder
    .setDescription(t("en", key, ...args))
    .setDescriptionLocalizations(chineseLocalizations(key, ...args));
}

/** A string option's choice, named in English and for Chinese clients. */
export function choice(key: PlainKey, value: string) {
  return { name: t("en", key), name_localizations: chineseLocalizations(key), value };
}
