// MEDIA_UPLOAD and MEDIA_MAX_BYTES: defaults, and every bad value named.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config.js";

const minimal = {
  DISCORD_TOKEN: "discord-secret-token",
  MJ_BASE_URL: "https://mj.example.com/",
  MJ_API_KEY: "sk-secret-key",
};

describe("media configuration", () => {
  it("uploads results of up to 10 MiB by default", () => {
    expect(parseConfig(minimal).media).toEqual({ upload: true, maxBytes: 10 * 1024 * 1024 });
  });

  it("turns uploads off with MEDIA_UPLOAD=false and takes another limit", () => {
    expect(parseConfig({ ...minimal, MEDIA_UPLOAD: "false", MEDIA_MAX_BYTES: "26214400" }).media).toEqual({
      upload: false,
      maxBytes: 26_214_400,
    });
  });

  it("names both variables when their values are unusable", () => {
    let message = "";
    try {
      parseConfig({ ...minimal, MEDIA_UPLOAD: "maybe", MEDIA_MAX_BYTES: "ten megabytes" });
    } catch (error) {
      if (error instanceof ConfigError) message = error.message;
    }
    expect(message).toMatch(/MEDIA_UPLOAD must be true or false \(got "maybe"\)/);
    expect(message).toMatch(/MEDIA_MAX_BYTES must be a whole number \(got "ten megabytes"\)/);
  });
});
