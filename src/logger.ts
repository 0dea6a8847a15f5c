// pino logger whose output never contains a configured secret, whatever an error message carries.
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from "pino";

export type { Logger };

const REDACTED = "[redacted]";

export function createLogger(options: {
  level: LevelWithSilent;
  secrets: readonly string[];
  destination?: DestinationStream;
}): Logger {
  const secrets = options.secrets.filter((secret) => secret.length > 0);
  // JSON escaping could alter a secret's spelling inside a log line; tokens and keys are plain ASCII
  // without quotes or backslashes, so their escaped and raw forms are the same.
  // notifyHook URLs carry their secret as the last path segment (the bot's own and every feed's);
  // interaction tokens ride in the paths of Discord's interaction and webhook routes, which
  // discord.js puts into its error messages.
  const scrub = (line: string) => {
    let out = line.includes("/hooks/mj/")
      ? line.replace(/\/hooks\/mj\/[^/"\s?#]+/g, `/hooks/mj/${REDACTED}`)
      : line;
    if (out.includes("/interactions/") || out.includes("/webhooks/")) {
      out = out.replace(/\/(interactions|webhooks)\/(\d+)\/[^/"\s?#]+/g, `/$1/$2/${REDACTED}`);
    }
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
  return pino(
    {
      level: options.level,
      base: undefined,
      hooks: { streamWrite: scrub },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
