import { describe, expect, it } from "vitest";
import { ReusedBuffer } from "../../src/mj/reusedBuffer.js";

async function* chunks(...parts: string[]) {
  for (const part of parts) yield Buffer.from(part);
}

describe("ReusedBuffer", () => {
  it("reads a body whole, growing past its first size when needed", async () => {
    const reused = new ReusedBuffer();
    const big = "x".repeat(100_000);
    const read = await reused.read(chunks("[", big, "]"));
    expect(read.bytes.toString()).toBe(`[${big}]`);
  });

  it("reads the next body into the same memory once the last is released, not before", async () => {
    const reused = new ReusedBuffer();
    const first = await reused.read(chunks("first"));
    const meanwhile = await reused.read(chunks("meanwhile"));
    expect(meanwhile.bytes.buffer).not.toBe(first.bytes.buffer);
    expect(first.bytes.toString()).toBe("first");
    first.release();
    meanwhile.release();
    const next = await reused.read(chunks("next"));
    expect([first.bytes.buffer, meanwhile.bytes.buffer]).toContain(next.bytes.buffer);
    expect(next.bytes.toString()).toBe("next");
  });

  it("gives the buffer back when the body fails midway", async () => {
    const reused = new ReusedBuffer();
    const first = await reused.read(chunks("first"));
    first.release();
    async function* failing() {
      yield Buffer.from("part");
      throw new Error("socket closed");
    }
    await expect(reused.read(failing())).rejects.toThrow("socket closed");
    const next = await reused.read(chunks("next"));
    expect(next.bytes.buffer).toBe(first.bytes.buffer);
  });

  it("does not keep a buffer grown for an unusually large body", async () => {
    const reused = new ReusedBuffer();
    const huge = await reused.read(chunks("y".repeat(9 * 1024 * 1024)));
    huge.release();
    const next = await reused.read(chunks("small"));
    expect(next.bytes.buffer).not.toBe(huge.bytes.buffer);
    expect(next.bytes.toString()).toBe("small");
  });
});
