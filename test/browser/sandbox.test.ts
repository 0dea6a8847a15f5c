// The sandbox page in a real browser (Debian's Chromium, headless, driven by playwright-core):
// a visitor's commands, clicks and form submits reach the real bot as interactions through the
// simulated gateway, and what the bot sends comes back live. Screenshots of each step go to
// test/browser/screenshots/ (git-ignored).
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { type Browser, launchChromium, MESSAGE_IMAGES_LOADED } from "../../src/sandbox/chromium.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/sandbox.js";
import { checkedAgainstSpec } from "../support/discordSpec.js";

const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
const WAIT = { timeout: 20_000 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(): Promise<{ sandbox: Sandbox; browser: Browser; page: Page; consoleErrors: string[] }> {
  // No demo (this test drives #general itself), quick jobs, and Discord's OpenAPI check on every body.
  const sandbox = await startSandbox({
    port: 0,
    demo: false,
    stepMs: 600,
    discord: checkedAgainstSpec,
    log: { level: "silent" },
  });
  cleanups.push(() => sandbox.stop());
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const page = await browser.context.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  await page.goto(sandbox.url);
  return { sandbox, browser, page, consoleErrors };
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.waitForFunction(MESSAGE_IMAGES_LOADED);
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}

/** The message whose embed has this title. */
function messageTitled(page: Page, title: string | RegExp): Locator {
  return page.locator("article.message").filter({ has: page.locator(".embed-title", { hasText: title }) });
}

async function messageId(message: Locator): Promise<string> {
  return String(await message.getAttribute("data-message-id"));
}

describe("the sandbox page in Chromium", () => {
  it("runs /imagine, shows progress and the grid, upscales with U1, submits Custom Zoom's form, and refuses another member's click", async () => {
    const { sandbox, page, consoleErrors } = await open();
    await page.getByRole("link", { name: "general" }).click();
    const composer = page.getByRole("textbox", { name: "Message" });
    await expect.poll(() => page.locator(".chat-header h1").textContent()).toBe("general");

    // The hint list comes from the commands the bot registered.
    await composer.pressSequentially("/");
    const hints = page.getByRole("listbox");
    await hints.getByText("/imagine", { exact: true }).waitFor(WAIT);
    for (const command of ["/mjstatus", "/describe", "/blend", "/shorten", "/mjseed", "/mjfeed"])
      await expect(hints.getByText(command, { exact: true }).count()).resolves.toBe(1);
    await screenshot(page, "1-hints");

    await composer.fill("/imagine a red fox");
    await composer.press("Enter");
    const job = page
      .locator("article.message")
      .filter({ has: page.locator(".interaction-context", { hasText: "used /imagine" }) });
    await job.locator(".embed-description", { hasText: /\d+%/ }).waitFor(WAIT);
    await job.locator("img.embed-image").waitFor(WAIT);
    await screenshot(page, "2-progress");
    expect(
      sandbox.mj.requestsTo("/mj/submit/imagine").map((r) => (r.body as { prompt?: string }).prompt),
    ).toEqual(["a red fox"]);

    const grid = messageTitled(page, "Imagine · Done");
    await grid.waitFor(WAIT);
    for (const label of ["U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4"])
      await expect(grid.getByRole("button", { name: label, exact: true }).isVisible()).resolves.toBe(true);
    await screenshot(page, "3-grid");

    const gridId = await messageId(grid);
    await grid.getByRole("button", { name: "U1", exact: true }).click();
    const upscale = page.locator(`article.message[data-reply-to="${gridId}"]`);
    await upscale.locator(".embed-title", { hasText: "Upscale · Done" }).waitFor(WAIT);
    await expect(upscale.locator(".reply-context").textContent()).resolves.toContain("Imagine · Done");
    await grid.locator("button.used", { hasText: "U1" }).waitFor(WAIT);
    await screenshot(page, "4-upscale");

    await upscale.getByRole("button", { name: "Custom Zoom" }).click();
    const form = page.getByRole("dialog");
    await form.waitFor(WAIT);
    const prompt = form.getByRole("textbox");
    await expect(prompt.inputValue()).resolves.toBe("a red fox --zoom 2");
    await prompt.fill("a red fox --zoom 1.5");
    await screenshot(page, "5-custom-zoom-form");
    await form.getByRole("button", { name: "Submit" }).click();
    const upscaleId = await messageId(upscale);
    const zoomed = page.locator(`article.message[data-reply-to="${upscaleId}"]`);
    await zoomed.locator(".embed-title", { hasText: /^Custom zoom/ }).waitFor(WAIT);
    expect(sandbox.mj.requestsTo("/mj/submit/modal").map((r) => r.body)).toEqual([
      expect.objectContaining({ prompt: "a red fox --zoom 1.5" }),
    ]);
    await expect(form.count()).resolves.toBe(0);
    await screenshot(page, "6-custom-zoom");

    // Buttons are the requester's (BUTTONS_ALLOWED=requester): Ben is told so, privately.
    const actionsBefore = sandbox.mj.requestsTo("/mj/submit/action").length;
    await page.getByRole("button", { name: "Switch user" }).click();
    await page.getByRole("menuitem", { name: /Ben/ }).click();
    await expect(page.locator(".user-panel-name strong").textContent()).resolves.toBe("Ben");
    await grid.getByRole("button", { name: "V1", exact: true }).click();
    const refusal = page.locator("article.message.ephemeral", {
      hasText: "Only @Ada can use these buttons.",
    });
    await refusal.waitFor(WAIT);
    await expect(refusal.locator(".ephemeral-note").textContent()).resolves.toContain(
      "Only you can see this",
    );
    await screenshot(page, "7-refused");
    expect(sandbox.mj.requestsTo("/mj/submit/action")).toHaveLength(actionsBefore);

    // What only Ben may see is not shown to Ada.
    await page.getByRole("button", { name: "Switch user" }).click();
    await page.getByRole("menuitem", { name: /Ada/ }).click();
    await expect(page.locator("article.message.ephemeral").count()).resolves.toBe(0);

    expect(sandbox.discord.rejected).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
