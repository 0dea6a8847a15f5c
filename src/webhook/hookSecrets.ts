// The secret path segments of notifyHook URLs: one for the bot's own submissions, one per feed
// channel. Only a hash of each secret is used as a store key, so looking a secret up reveals
// nothing about it through timing.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { HookTarget, TrackingStore } from "../tracking/store.js";

/** 32 random bytes: unguessable, and safe in a URL path. */
export function newHookSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function hookSecretHash(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function hookUrl(publicUrl: string, secret: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/hooks/mj/${secret}`;
}

/**
 * What a callback at `/hooks/mj/<secret>` is for. The bot's own hook never changes: once found, it
 * is remembered (by hash), so the callbacks of every task the bot submitted cost no store read.
 * Feeds are looked up each time, as a feed can be removed from any process.
 */
export class HookSecretResolver {
  readonly #store: TrackingStore;
  readonly #botHooks = new Map<string, HookTarget>();

  constructor(store: TrackingStore) {
    this.#store = store;
  }

  /** The target of `secret`, or undefined for an unknown secret. */
  async resolve(secret: string): Promise<HookTarget | undefined> {
    if (secret.length < 16 || secret.length > 128) return undefined;
    const hash = hookSecretHash(secret);
    const target = this.#botHooks.get(hash) ?? (await this.#store.getHook(hash));
    if (!target) return undefined;
    // The record's own hash is compared in constant time as well, as a second lock on the door.
    const expected = Buffer.from(target.secretHash, "hex");
    const actual = Buffer.from(hash, "hex");
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    if (target.kind === "bot") this.#botHooks.set(hash, target);
    return target;
  }
}

/** The bot's own notifyHook secret, created on first use and kept in the store. */
export async function botHookSecret(store: TrackingStore): Promise<string> {
  const existing = await store.getBotHookSecret();
  if (existing) return existing;
  const secret = newHookSecret();
  await store.saveBotHookSecret(secret);
  await store.saveHook({ kind: "bot", secretHash: hookSecretHash(secret) });
  return secret;
}
