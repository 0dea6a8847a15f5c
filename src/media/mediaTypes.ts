// The file types a result may be uploaded as: the images Discord shows in an embed (PNG, JPEG,
// WebP, GIF) and the videos it plays (MP4, WebM, QuickTime), each checked by its first bytes too,
// so an error page sent as image/png is never uploaded.

export type MediaKind = "image" | "video";

interface MediaType {
  kind: MediaKind;
  extension: string;
  matches: (bytes: Uint8Array) => boolean;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((byte, index) => bytes[offset + index] === byte);
}

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** ISO base media files (MP4, QuickTime) name their first box "ftyp" at byte 4. */
const isoMedia = (bytes: Uint8Array) => startsWith(bytes, ascii("ftyp"), 4);

const TYPES: Record<string, MediaType> = {
  "image/png": { kind: "image", extension: "png", matches: (b) => startsWith(b, [0x89, ...ascii("PNG")]) },
  "image/jpeg": { kind: "image", extension: "jpg", matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  "image/webp": {
    kind: "image",
    extension: "webp",
    matches: (b) => startsWith(b, ascii("RIFF")) && startsWith(b, ascii("WEBP"), 8),
  },
  "image/gif": { kind: "image", extension: "gif", matches: (b) => startsWith(b, ascii("GIF8")) },
  "video/mp4": { kind: "video", extension: "mp4", matches: isoMedia },
  "video/quicktime": { kind: "video", extension: "mov", matches: isoMedia },
  "video/webm": { kind: "video", extension: "webm", matches: (b) => startsWith(b, [0x1a, 0x45, 0xdf, 0xa3]) },
};

/** The bare media type of a Content-Type header ("image/png; charset=x" -> "image/png"). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** The accepted type for a Content-Type header, or null. */
export function acceptedType(contentType: string | undefined): (MediaType & { type: string }) | null {
  const type = mediaTypeOf(contentType);
  const known = TYPES[type];
  return known ? { ...known, type } : null;
}
