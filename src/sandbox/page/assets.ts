// The page's files: the HTML and stylesheet as they are, and the browser code (client/*.ts)
// turned into JavaScript once at start with TypeScript's own transpiler (no bundler, no network).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export interface Asset {
  contentType: string;
  body: Buffer;
}

const PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));
const CLIENT_DIR = fileURLToPath(new URL("./client/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** Every file the page server serves, by URL path. */
export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(PUBLIC_DIR)) {
    const type = TYPES[name.slice(name.lastIndexOf("."))];
    if (!type) continue;
    const body = readFileSync(PUBLIC_DIR + name);
    assets.set(name === "index.html" ? "/" : `/${name}`, { contentType: type, body });
  }
  for (const name of readdirSync(CLIENT_DIR)) {
    if (!name.endsWith(".ts")) continue;
    const source = readFileSync(CLIENT_DIR + name, "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: name,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    });
    assets.set(`/client/${name.replace(/\.ts$/, ".js")}`, {
      contentType: "text/javascript; charset=utf-8",
      body: Buffer.from(outputText),
    });
  }
  return assets;
}
