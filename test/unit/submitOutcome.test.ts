import { describe, expect, it } from "vitest";
import { interpretSubmitResult } from "../../src/discord/interactions/submitOutcome.js";
import { UserError } from "../../src/discord/interactions/userError.js";
import { phrase, say } from "../../src/i18n/translate.js";
import { SubmitResultSchema } from "../../src/mj/schema.js";
import { readFixture } from "../support/fixtures.js";

function outcomeOf(name: string) {
  return interpretSubmitResult(SubmitResultSchema.parse(readFixture(name)));
}

function refusalOf(name: string): string {
  try {
    outcomeOf(name);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error(`${name} was not refused`);
}

describe("interpretSubmitResult", () => {
  it("tracks the new task of an accepted submit (code 1)", () => {
    expect(outcomeOf("submit-ok.json")).toEqual({
      kind: "accepted",
      taskId: "1732012412345678",
      notice: null,
    });
  });

  it("tracks a queued submit (code 22) with the queue position", () => {
    const outcome = outcomeOf("submit-queued.json");
    expect(outcome).toEqual({
      kind: "accepted",
      taskId: "1732012777777777",
      notice: phrase("submit.queued", { count: 3 }),
    });
    const notice = outcome.kind === "accepted" ? outcome.notice : null;
    expect(notice && say("en", notice)).toBe("Queued: 3 tasks ahead.");
    expect(notice && say("zh-CN", notice)).toBe("排队中：前面还有 3 个任务。");
  });

  it("shows the queue position of a submit new-api queued and answered as accepted (code 1)", () => {
    expect(outcomeOf("submit-queued-newapi.json")).toEqual({
      kind: "accepted",
      taskId: "1732013000000001",
      notice: phrase("submit.queued", { count: 3 }),
    });
  });

  it("asks for a prompt when upstream needs a modal (code 21), pre-filled from finalPrompt", () => {
    expect(outcomeOf("submit-needs-modal.json")).toEqual({
      kind: "modal",
      taskId: "1732012666666666",
      prompt: "a shiba inu holding an umbrella in the rain, watercolor style --ar 3:2 --zoom 2",
    });
  });

  it("refuses in plain words: queue full, banned word (named), validation error", () => {
    expect(refusalOf("submit-queue-full.json")).toMatch(/queue is full/);
    expect(refusalOf("submit-banned.json")).toContain("`nsfw`");
    expect(refusalOf("submit-validation.json")).toMatch(
      /rejected the request as invalid \(`customId不能为空`\)/,
    );
  });

  it("quotes upstream's own words as they came inside the Chinese sentence, without English around them", () => {
    try {
      outcomeOf("submit-validation.json");
    } catch (error) {
      expect(say("zh-CN", (error as UserError).phrase)).toBe(
        "MJ API 认为请求无效，已拒绝（`customId不能为空`）。",
      );
    }
    expect.assertions(1);
  });

  it("never lets upstream text break out of its quotes or run on", () => {
    const message = refusalOf("submit-validation.json");
    expect(message).not.toContain("\n");
    expect(() =>
      interpretSubmitResult(SubmitResultSchema.parse({ code: 9, description: `a\`b\n${"x".repeat(500)}` })),
    ).toThrow(/could not do that \(`a'b x+`\)/);
  });

  it("refuses an accepted answer without a usable task id", () => {
    expect(() => interpretSubmitResult(SubmitResultSchema.parse({ code: 1, result: "../etc" }))).toThrow(
      UserError,
    );
  });
});
