// Reads the repository's deployment files (Dockerfile, compose.yaml) as Docker would, for tests
// that check what can be checked without a Docker daemon.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));

export function readRepositoryFile(file: string): string {
  return readFileSync(root(file), "utf8");
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
export function dockerfileInstructions(text = readRepositoryFile("Dockerfile")): string[] {
  return text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The exec-form command of the Dockerfile's HEALTHCHECK (`CMD ["node", ...]`). */
export function dockerfileHealthcheckCommand(text?: string): string[] {
  const instruction = dockerfileInstructions(text).find((line) => /^HEALTHCHECK\s/i.test(line));
  if (!instruction) throw new Error("the Dockerfile has no HEALTHCHECK");
  const exec = /\sCMD\s+(\[.*\])\s*$/.exec(instruction)?.[1];
  if (!exec) throw new Error(`HEALTHCHECK is not in exec form: ${instruction}`);
  const command: unknown = JSON.parse(exec);
  if (!Array.isArray(command) || !command.every((part) => typeof part === "string")) {
    throw new Error(`HEALTHCHECK CMD is not a list of strings: ${exec}`);
  }
  return command as string[];
}

export interface ComposeService {
  image?: string;
  build?: string | { context?: string };
  restart?: string;
  env_file?: string | (string | { path: string })[];
  environment?: Record<string, string> | string[];
  command?: string | string[];
  volumes?: (string | { source?: string; target?: string })[];
  ports?: (string | number | { target?: number; published?: number | string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; interval?: string; retries?: number };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function readCompose(): ComposeFile {
  return parse(readRepositoryFile("compose.yaml")) as ComposeFile;
}

/** A service's environment as a map, whichever of the two forms compose.yaml uses. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const environment = service.environment ?? {};
  if (!Array.isArray(environment))
    return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(
    environment.map((entry) => {
      const at = entry.indexOf("=");
      return at < 0 ? [entry, ""] : [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}
