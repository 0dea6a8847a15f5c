// An expected failure whose message is written for the person who clicked or typed: the router
// shows its phrase ephemerally, in that person's language. It takes a catalogue phrase, never
// free text. Anything else is a bug and gets a generic message with an error id.
import type { Phrase } from "../../i18n/catalogue.js";
import { say } from "../../i18n/translate.js";

export class UserError extends Error {
  override name = "UserError";
  /** What the user is told (`message` is its English text, for the logs). */
  readonly phrase: Phrase;

  constructor(phrase: Phrase, options?: ErrorOptions) {
    super(say("en", phrase), options);
    this.phrase = phrase;
  }
}
