import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";

function capture() {
  const lines: string[] = [];
  const logger = createLogger({
    level: "debug",
    secrets: ["bot-token-0123456789"],
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines };
}

describe("the logger", () => {
  it("never writes a configured secret, whatever carries it", () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error("refused Bot bot-token-0123456789") }, "call failed");
    expect(lines.join("")).not.toContain("bot-token-0123456789");
    expect(lines.join("")).toContain("[redacted]");
  });

  it("redacts interaction tokens in Discord route paths (discord.js puts the URL into its errors)", () => {
    const { logger, lines } = capture();
    const token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpzZWNyZXQ";
    logger.warn(
      {
        err: new Error(
          `Unknown Webhook: PATCH https://discord.com/api/v10/webhooks/1190000000000000001/${token}/messages/@original`,
        ),
        url: `/interactions/1577267096738332675/${token}/callback`,
      },
      "could not tell the user about an error",
    );
    const written = lines.join("");
    expect(written).not.toContain(token);
    expect(written).toContain("/webhooks/1190000000000000001/[redacted]/messages/@original");
    expect(written).toContain("/interactions/1577267096738332675/[redacted]/callback");
  });

  it("redacts notifyHook secrets in URLs", () => {
    const { logger, lines } = capture();
    logger.info({ hook: "https://bot.example.com/hooks/mj/s3cr3t-hook-value-abcdefgh" }, "feed enabled");
    expect(lines.join("")).not.toContain("s3cr3t-hook-value-abcdefgh");
  });
});
