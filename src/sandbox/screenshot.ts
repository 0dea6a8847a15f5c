// `npm run screenshot`: starts the sandbox, lets the #welcome demo finish, and saves the page as
// docs/sandbox.png (the README's picture) from headless Chromium. Without a font that has the
// buttons' emoji it writes nothing and says which package to install: the picture would show boxes.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium, MESSAGE_IMAGES_LOADED, missingEmojiFont, SCROLL_TO_NEWEST } from "./chromium.js";
import { startSandbox } from "./sandbox.js";

const OUTPUT = fileURLToPath(new URL("../../docs/sandbox.png", import.meta.url));

const noEmoji = missingEmojiFont();
if (noEmoji !== undefined) {
  process.stderr.write(`${noEmoji}\n`);
  process.exit(1);
}

const sandbox = await startSandbox({ port: 0 });
const browser = await launchChromium({ viewport: { width: 1360, height: 1480 } });
try {
  const page = await browser.context.newPage();
  await page.goto(sandbox.url);
  await sandbox.demo;
  // The demo's upscale, its picture loaded, is what the picture is for.
  await page.locator(".message .embed-title", { hasText: "Upscale · Done" }).waitFor();
  await page.waitForFunction(MESSAGE_IMAGES_LOADED);
  await page.evaluate(SCROLL_TO_NEWEST);
  mkdirSync(fileURLToPath(new URL("../../docs/", import.meta.url)), { recursive: true });
  await page.screenshot({ path: OUTPUT });
  process.stdout.write(`saved ${OUTPUT}\n`);
} finally {
  await browser.close();
  await sandbox.stop();
}
