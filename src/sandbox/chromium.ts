// Headless Chromium for the browser tests and `npm run screenshot`: Debian's own build at
// /usr/bin/chromium driven by playwright-core (which never downloads a browser), in a fresh profile.
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const missing = (path: string) =>
  `Chromium is not installed at ${path} (the browser tests and npm run screenshot use it): install it with \`sudo apt-get install chromium\` on Debian/Ubuntu, then run them again.`;

/** A failure that is the machine's, not the code's: shown as its one line, without a stack. */
export class MissingChromium extends Error {
  override name = "MissingChromium";
  constructor(path: string) {
    super(missing(path));
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** A page expression that is true once every image in the message list has loaded. */
export const MESSAGE_IMAGES_LOADED =
  "[...document.querySelectorAll('.messages img')].every((image) => image.complete && image.naturalWidth > 0)";

/** A page expression that scrolls the message list to its newest message. */
export const SCROLL_TO_NEWEST =
  "(() => { const list = document.querySelector('.messages'); list.scrollTop = list.scrollHeight; })()";

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(
  options: { viewport?: { width: number; height: number }; executable?: string } = {},
): Promise<Browser> {
  const executable = options.executable ?? CHROMIUM;
  try {
    accessSync(executable, constants.X_OK);
  } catch {
    throw new MissingChromium(executable);
  }
  const profile = mkdtempSync(join(tmpdir(), "mjrelay-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable,
    headless: true,
    args: FLAGS,
    viewport: options.viewport ?? { width: 1280, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
