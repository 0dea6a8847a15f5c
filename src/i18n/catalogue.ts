// The shape every catalogue has (en.ts's keys) and what a sentence to say is made of: a key and
// the values of its placeholders, which the types take from the English entry.
import type { en } from "./en.js";
import type { Entry, PluralForms } from "./entry.js";

export type MessageKey = keyof typeof en;

/** Every catalogue has exactly the English keys: a missing or an extra one does not compile. */
export type Catalogue = { readonly [K in MessageKey]: Entry };

type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;

type EntryPlaceholders<E> = E extends string
  ? Placeholders<E>
  : E extends PluralForms
    ? Placeholders<E["one"]> | Placeholders<E["other"]> | "count"
    : never;

export type PlaceholderOf<K extends MessageKey> = EntryPlaceholders<(typeof en)[K]>;

/**
 * A placeholder's value: text shown as it is (upstream's words, ids, Discord markup), a number
 * (written the locale's way), a list (joined the locale's way) or another phrase, said in the
 * same language.
 */
export type ParamValue = string | number | readonly string[] | Phrase;

export type ParamsOf<K extends MessageKey> = {
  readonly [P in PlaceholderOf<K>]: P extends "count" ? number : ParamValue;
};

/** The arguments after a key: none for a sentence without placeholders, else their values. */
export type ParamArgs<K extends MessageKey> = [PlaceholderOf<K>] extends [never] ? [] : [params: ParamsOf<K>];

/**
 * Something to say, not yet in a language: what user errors carry and what records store (a
 * notice), so each reader gets it in theirs. Plain JSON.
 */
export type Phrase = {
  [K in MessageKey]: [PlaceholderOf<K>] extends [never]
    ? { readonly key: K }
    : { readonly key: K; readonly params: ParamsOf<K> };
}[MessageKey];

/** The keys whose sentences have no placeholders. */
export type PlainKey = { [K in MessageKey]: [PlaceholderOf<K>] extends [never] ? K : never }[MessageKey];
