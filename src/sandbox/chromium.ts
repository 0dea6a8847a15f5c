// Headless Chromium for the browser tests and `npm run screenshot`: Debian's own build at
// /usr/bin/chromium driven by playwright-core (which never downloads a browser), in a fresh profile.
import { execFileSync } from "node:child_process";
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

/** Emoji the bot's buttons show (🔄 re-roll, 🔍 zoom): without a font that has them, Chromium draws boxes. */
const BUTTON_EMOJI = [0x1f504, 0x1f50d];

/**
 * The families of the fonts fontconfig (which Chromium draws with on Linux) finds with every one of
 * `codePoints`; undefined where `fc-list` cannot be run, and nothing can be told.
 */
export function fontsCovering(
  codePoints: readonly number[],
  env: NodeJS.ProcessEnv = process.env,
): string[] | undefined {
  const charset = codePoints.map((codePoint) => codePoint.toString(16)).join(" ");
  try {
    const listed = execFileSync("fc-list", [`:charset=${charset}`, "family"], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return listed
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
  } catch {
    return undefined;
  }
}

/** Why a screenshot would show the buttons' emoji as boxes; undefined when it would not (or cannot be told). */
export function missingEmojiFont(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fonts = fontsCovering(BUTTON_EMOJI, env);
  if (fonts === undefined || fonts.length > 0) return undefined;
  return "No font on this machine has emoji such as 🔄 and 🔍, so Chromium would draw the buttons' emoji as empty boxes: install one with `sudo apt-get install fonts-noto-color-emoji` on Debian/Ubuntu, then run npm run screenshot again.";
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
