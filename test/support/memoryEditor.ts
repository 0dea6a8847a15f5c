// Discord's message edits, in memory: for tests of the tracker that need no gateway.
import type { TaskMessagePayload } from "../../src/render/renderTaskMessage.js";
import type { MessageEditor, MessageTarget } from "../../src/tracking/editScheduler.js";

/** Records what reaches "Discord"; refuses edits while `refusing` is above zero. */
export class MemoryEditor implements MessageEditor {
  readonly sent: { target: MessageTarget; description: string; embed: string }[] = [];
  refusing = 0;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  /** Holds every edit until release(). */
  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  async edit(to: MessageTarget, payload: TaskMessagePayload) {
    await this.#gate;
    if (this.refusing > 0) {
      this.refusing -= 1;
      throw new Error("HTTP 503");
    }
    const embed = payload.embeds[0];
    this.sent.push({ target: to, description: embed?.description ?? "", embed: JSON.stringify(embed) });
    return "edited" as const;
  }
}
