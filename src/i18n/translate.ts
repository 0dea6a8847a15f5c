// Turns a key and its values into a sentence in one language: t(locale, key, params), or say()
// for a Phrase built earlier with phrase(key, params).
import type { Catalogue, MessageKey, ParamArgs, ParamValue, Phrase } from "./catalogue.js";
import { en } from "./en.js";
import type { Entry } from "./entry.js";
import type { Locale } from "./locale.js";
import { zhCN } from "./zh-CN.js";

const CATALOGUES: Record<Locale, Catalogue> = { en, "zh-CN": zhCN };

const PLACEHOLDER = /\{(\w+)\}/g;

const numberFormats = new Map<Locale, Intl.NumberFormat>();
const pluralRules = new Map<Locale, Intl.PluralRules>();

function numberFormat(locale: Locale): Intl.NumberFormat {
  let format = numberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    numberFormats.set(locale, format);
  }
  return format;
}

function pluralRule(locale: Locale, count: number): "one" | "other" {
  let rules = pluralRules.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    pluralRules.set(locale, rules);
  }
  return rules.select(count) === "one" ? "one" : "other";
}

/** A phrase to say later, in whichever language its reader gets. */
export function phrase<K extends MessageKey>(key: K, ...args: ParamArgs<K>): Phrase {
  const [params] = args;
  return (params === undefined ? { key } : { key, params }) as Phrase;
}

/**
 * Whether two phrases say the same thing. Records hold phrases, not text: a notice rebuilt from the
 * same upstream state is equal, not identical, and must not count as a change.
 */
export function samePhrase(a: Phrase | null, b: Phrase | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.key !== b.key) return false;
  return JSON.stringify("params" in a ? a.params : null) === JSON.stringify("params" in b ? b.params : null);
}

/** The sentence for `key` in `locale`, its placeholders filled in. */
export function t<K extends MessageKey>(locale: Locale, key: K, ...args: ParamArgs<K>): string {
  return say(locale, phrase(key, ...args));
}

/** `said` in `locale`. A key no catalogue knows (a record from a newer version) is shown as the key. */
export function say(locale: Locale, said: Phrase): string {
  const entry: Entry | undefined = CATALOGUES[locale][said.key] ?? en[said.key];
  const params: Readonly<Record<string, ParamValue>> = "params" in said ? said.params : {};
  if (entry === undefined) return said.key;
  const template = typeof entry === "string" ? entry : entry[pluralRule(locale, Number(params.count ?? 0))];
  // Values are put in as they are: a brace in upstream's text is never read as a placeholder.
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : formatValue(locale, value);
  });
}

function formatValue(locale: Locale, value: ParamValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return numberFormat(locale).format(value);
  if ("key" in value) return say(locale, value);
  return value.join(t(locale, "list.separator"));
}
