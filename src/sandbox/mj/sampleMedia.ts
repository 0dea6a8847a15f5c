// Result files the simulated MJ proxy serves for its jobs (as new-api serves /mj/image/<id>):
// real PNGs of one colour each, a real 1×1 WebP for video thumbnails, and MP4-shaped bytes.
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG, `size`×`size` pixels of one RGB colour. */
export function solidPng(rgb: readonly [number, number, number], size = 8): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(pixels)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A PNG whose colour follows from `name`, so each served file differs and can be recognised. */
export function pngFor(name: string): Buffer {
  const digest = createHash("sha256").update(name).digest();
  return solidPng([digest[0] ?? 0, digest[1] ?? 0, digest[2] ?? 0]);
}

/** A 1×1 lossless WebP (as the C# proxy's thumbnails are WebP). */
export const TINY_WEBP = Buffer.from("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==", "base64");

/** Bytes that start like an MP4 (an `ftyp` box), `size` long, different per `name`. */
export function mp4For(name: string, size = 2048): Buffer {
  const bytes = Buffer.alloc(Math.max(32, size));
  bytes.writeUInt32BE(24, 0);
  bytes.write("ftypisom", 4, "ascii");
  bytes.writeUInt32BE(512, 12);
  bytes.write("isomiso2mp41", 16, "ascii");
  createHash("sha256").update(name).digest().copy(bytes, 28);
  return bytes;
}
