// Poll answers are the big ones (up to a thousand tasks, megabytes) and come every few seconds.
// Read into one buffer reused poll after poll, their bytes never pile up waiting for the garbage
// collector: the caller is done with them before it hands the buffer back.

const INITIAL_BYTES = 64 * 1024;
/** A buffer grown past this for an unusually large answer is not kept for the next one. */
const KEEP_AT_MOST_BYTES = 8 * 1024 * 1024;

/** A body read whole; `bytes` stays valid only until `release()`. */
export interface LentBytes {
  bytes: Buffer;
  release(): void;
}

export class ReusedBuffer {
  #spare: Buffer | undefined;

  /** Reads `body` whole into the spare buffer (or a new one while the spare is lent out). */
  async read(body: AsyncIterable<Uint8Array>): Promise<LentBytes> {
    let buffer = this.#spare ?? Buffer.allocUnsafe(INITIAL_BYTES);
    this.#spare = undefined;
    let length = 0;
    try {
      for await (const chunk of body) {
        if (length + chunk.length > buffer.length) {
          const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, length + chunk.length));
          buffer.copy(grown, 0, 0, length);
          buffer = grown;
        }
        buffer.set(chunk, length);
        length += chunk.length;
      }
    } catch (error) {
      this.#giveBack(buffer);
      throw error;
    }
    let lent = true;
    return {
      bytes: buffer.subarray(0, length),
      release: () => {
        if (lent) this.#giveBack(buffer);
        lent = false;
      },
    };
  }

  #giveBack(buffer: Buffer): void {
    if (buffer.length <= KEEP_AT_MOST_BYTES) this.#spare = buffer;
  }
}
