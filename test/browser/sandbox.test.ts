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
import { SANDBOX_CHANNELS } from "../../src/sandbox/world.js";
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
    // The bot shows the used U1 as Midjourney does (primary, blue); the others keep their style.
    await grid.locator("button.mj-button.primary", { hasText: "U1" }).waitFor(WAIT);
    await expect(grid.locator("button.mj-button.secondary", { hasText: "U2" }).count()).resolves.toBe(1);
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

  it("speaks Chinese once the visitor picks 中文: the command hints, the live message and a private refusal", async () => {
    const { sandbox, page, consoleErrors } = await open();
    await page.getByRole("link", { name: "general" }).click();
    await page.getByRole("combobox", { name: /Discord language/ }).selectOption("zh-CN");
    // The simulated server's preferred locale follows, as discord.js hears from GUILD_UPDATE.
    await expect
      .poll(() => sandbox.app.client.guilds.cache.get(sandbox.discord.guildId)?.preferredLocale)
      .toBe("zh-CN");
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("zh-CN");

    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.pressSequentially("/imag");
    await page.getByRole("listbox").getByText("根据提示词生成图片").waitFor(WAIT);
    await composer.fill("/imagine 一只红狐狸");
    await composer.press("Enter");
    const grid = messageTitled(page, "绘图 · 已完成");
    await grid.waitFor(WAIT);
    await expect(grid.locator(".embed-footer").textContent()).resolves.toMatch(/^任务 \d+/);
    await screenshot(page, "9-chinese");

    await page.getByRole("button", { name: "Switch user" }).click();
    await page.getByRole("menuitem", { name: /Ben/ }).click();
    await grid.getByRole("button", { name: "V1", exact: true }).click();
    await page
      .locator("article.message.ephemeral", { hasText: "只有 @Ada 才能使用这些按钮。" })
      .waitFor(WAIT);
    expect(sandbox.discord.rejected).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it("draws whatever the bot sends: galleries from embeds sharing a url, attachment:// images, files, link buttons, Components V2", async () => {
    const { sandbox, page, consoleErrors } = await open();
    const general = SANDBOX_CHANNELS[1]?.id as string;
    const sample = (name: string) => new URL(`samples/${name}`, sandbox.url).href;
    const botPost = (body: FormData | string) =>
      fetch(`${sandbox.discord.apiUrl}/v10/channels/${general}/messages`, {
        method: "POST",
        headers: {
          authorization: `Bot ${sandbox.discord.token}`,
          ...(typeof body === "string" ? { "content-type": "application/json" } : {}),
        },
        body,
      });
    const upload = new FormData();
    upload.append(
      "payload_json",
      JSON.stringify({
        content: "Four pictures for <@900000000000000101>",
        embeds: [
          {
            title: "Gallery",
            url: "https://example.com/job",
            image: { url: sample("fox.png") },
            color: 0x57f287,
          },
          { url: "https://example.com/job", image: { url: sample("city.png") } },
          { url: "https://example.com/job", image: { url: sample("lighthouse.png") } },
          { title: "Uploaded", image: { url: "attachment://result.png" } },
        ],
        attachments: [
          { id: "0", filename: "result.png" },
          { id: "1", filename: "notes.txt" },
        ],
        components: [
          {
            type: 1,
            components: [
              { type: 2, style: 5, label: "Open the web app", url: "https://example.com/app" },
              { type: 2, style: 1, label: "Primary", custom_id: "sandbox:primary" },
              { type: 2, style: 4, label: "Danger", custom_id: "sandbox:danger" },
            ],
          },
        ],
      }),
    );
    const png = Buffer.from(await (await fetch(sample("fox.png"))).arrayBuffer());
    upload.append("files[0]", new Blob([png], { type: "image/png" }), "result.png");
    upload.append("files[1]", new Blob(["hello"], { type: "text/plain" }), "notes.txt");
    const posted = await botPost(upload);
    expect(posted.status, await posted.clone().text()).toBe(200);
    const v2 = await botPost(
      JSON.stringify({
        flags: 1 << 15,
        components: [
          {
            type: 17,
            accent_color: 0x5865f2,
            components: [
              { type: 10, content: "## Components V2\nA container with **text** and a gallery" },
              {
                type: 12,
                items: [{ media: { url: sample("fox.png") } }, { media: { url: sample("city.png") } }],
              },
            ],
          },
        ],
      }),
    );
    expect(v2.status, await v2.clone().text()).toBe(200);

    await page.getByRole("link", { name: "general" }).click();
    const gallery = page
      .locator("article.message")
      .filter({ has: page.locator(".embed-title", { hasText: "Gallery" }) });
    await gallery.waitFor(WAIT);
    await expect(gallery.locator(".embed .gallery img").count()).resolves.toBe(3);
    await expect(gallery.locator(".embed").count()).resolves.toBe(2);
    const uploaded = gallery.locator(".embed", { hasText: "Uploaded" }).locator("img.embed-image");
    await expect(uploaded.getAttribute("src")).resolves.toMatch(/\/attachments\/\d+\/result\.png$/);
    await expect(gallery.locator(".attachment-file", { hasText: "notes.txt" }).count()).resolves.toBe(1);
    await expect(gallery.locator(".attachments img").count()).resolves.toBe(0);
    await expect(gallery.getByRole("link", { name: /Open the web app/ }).getAttribute("href")).resolves.toBe(
      "https://example.com/app",
    );
    await expect(gallery.locator("button.mj-button.primary").textContent()).resolves.toBe("Primary");
    await expect(gallery.locator("button.mj-button.danger").count()).resolves.toBe(1);
    await expect(gallery.locator(".content .mention").textContent()).resolves.toBe("@Ada");
    // A message that pings the viewer (its content mentions Ada and nothing stops it) is highlighted.
    await expect(gallery.getAttribute("class")).resolves.toContain("mentioned");

    // A completion ping as the bot sends it: a reply that may mention only the requester.
    const galleryId = await messageId(gallery);
    const ping = await botPost(
      JSON.stringify({
        content: "<@900000000000000101> your Imagine job is done.",
        allowed_mentions: { users: ["900000000000000101"], replied_user: false },
        message_reference: { message_id: galleryId, fail_if_not_exists: false },
      }),
    );
    expect(ping.status, await ping.clone().text()).toBe(200);
    const reply = page.locator(`article.message.mentioned[data-reply-to="${galleryId}"]`);
    await reply.waitFor(WAIT);
    await expect(reply.locator(".content .mention-me").textContent()).resolves.toBe("@Ada");
    await expect(reply.locator(".reply-context .reply-text").textContent()).resolves.toBe(
      "Four pictures for @Ada",
    );
    await screenshot(page, "9-completion-ping");
    const container = page.locator(".v2-container");
    await container.waitFor(WAIT);
    await expect(container.locator("h2").textContent()).resolves.toBe("Components V2");
    await expect(container.locator(".gallery img").count()).resolves.toBe(2);
    await screenshot(page, "8-generic-rendering");

    expect(sandbox.discord.rejected).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
