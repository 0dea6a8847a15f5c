// `npm run screenshot` refuses to draw the README's picture on a machine without a font for the
// buttons' emoji (Chromium would draw boxes), and says which package to install.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { fontsCovering, missingEmojiFont } from "../../src/sandbox/chromium.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PICTURE = join(ROOT, "docs", "sandbox.png");

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The environment with a fontconfig that knows no fonts at all. */
function withoutFonts(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), "mjrelay-fonts-"));
  dirs.push(dir);
  const config = join(dir, "fonts.conf");
  writeFileSync(config, `<?xml version="1.0"?>\n<fontconfig><cachedir>${dir}</cachedir></fontconfig>\n`);
  return { ...process.env, FONTCONFIG_FILE: config };
}

const sha1 = (path: string) => createHash("sha1").update(readFileSync(path)).digest("hex");

describe("the emoji font check", () => {
  it("lists the fonts fontconfig has for a character, and none where it knows no fonts", () => {
    const latin = fontsCovering([0x41]);
    expect(latin, "fontconfig's fc-list, installed with Chromium, should run here").toBeDefined();
    expect(latin?.length).toBeGreaterThan(0);
    expect(latin?.every((family) => family.length > 0 && !family.includes("\n"))).toBe(true);
    expect(fontsCovering([0x41], withoutFonts())).toEqual([]);
  });

  it("says which package brings emoji when no font has them", () => {
    const said = missingEmojiFont(withoutFonts());
    expect(said).toContain("🔄");
    expect(said).toContain("sudo apt-get install fonts-noto-color-emoji");
  });

  it("npm run screenshot stops before drawing, says why, and leaves docs/sandbox.png as it was", async () => {
    const before = sha1(PICTURE);
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ["--import", "tsx", join(ROOT, "src", "sandbox", "screenshot.ts")],
        { cwd: ROOT, env: withoutFonts(), timeout: 60_000 },
        (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
      );
    });
    expect(code).toBe(1);
    expect(stderr).toContain("fonts-noto-color-emoji");
    expect(stderr).not.toContain("saved");
    expect(sha1(PICTURE)).toBe(before);
  });
});
