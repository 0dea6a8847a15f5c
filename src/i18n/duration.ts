// A span of time as a phrase: "30 s", "10 min", "2 h" ("30 秒", "10 分钟", "2 小时").
import type { Phrase } from "./catalogue.js";
import { phrase } from "./translate.js";

export function durationPhrase(ms: number): Phrase {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return phrase("duration.seconds", { count: seconds });
  const minutes = Math.round(seconds / 60);
  return minutes < 120
    ? phrase("duration.minutes", { count: minutes })
    : phrase("duration.hours", { count: Math.round(minutes / 60) });
}
