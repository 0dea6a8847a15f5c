// Turns a Discord attachment into the data URL upstream wants, checking type and size before the
// download so a user hears about a wrong file at once.
import type { Attachment } from "discord.js";
import { request } from "undici";
import type { Phrase } from "../../i18n/catalogue.js";
import { phrase } from "../../i18n/translate.js";
import { UserError } from "./userError.js";

/** Per image; upstream providers refuse much larger uploads and Discord images are rarely bigger. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);
const DOWNLOAD_TIMEOUT_MS = 20_000;

function megabytes(bytes: number): Phrase {
  return phrase("size.megabytes", { amount: (bytes / 1024 / 1024).toFixed(1) });
}

export async function attachmentToDataUrl(attachment: Attachment): Promise<string> {
  const type = (attachment.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!IMAGE_TYPES.has(type)) {
    throw new UserError(phrase("attachment.notImage", { name: attachment.name }));
  }
  if (attachment.size > MAX_IMAGE_BYTES) {
    throw new UserError(
      phrase("attachment.tooLarge", {
        name: attachment.name,
        size: megabytes(attachment.size),
        max: megabytes(MAX_IMAGE_BYTES),
      }),
    );
  }
  let bytes: Buffer;
  try {
    const response = await request(attachment.url, {
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
      headersTimeout: DOWNLOAD_TIMEOUT_MS,
      bodyTimeout: DOWNLOAD_TIMEOUT_MS,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`HTTP ${response.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_IMAGE_BYTES) {
        response.body.destroy();
        throw new UserError(
          phrase("attachment.tooLargeDownloaded", { name: attachment.name, max: megabytes(MAX_IMAGE_BYTES) }),
        );
      }
      chunks.push(chunk as Buffer);
    }
    bytes = Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(phrase("attachment.downloadFailed", { name: attachment.name }), { cause: error });
  }
  return `data:${type};base64,${bytes.toString("base64")}`;
}
