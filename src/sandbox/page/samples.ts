// The sample images a visitor can attach to /describe and /blend (the sandbox has no file upload):
// drawn like the simulated Midjourney's pictures, so describing one says what it shows.
import { renderPicture } from "../mj/drawImage.js";

export interface SampleImage {
  name: string;
  /** The prompt it is drawn from, and what describe recognises it by. */
  prompt: string;
  bytes: Buffer;
}

const SAMPLE_PROMPTS: [string, string][] = [
  ["fox.png", "a red fox on green hills"],
  ["lighthouse.png", "a lighthouse by the sea at sunset"],
  ["city.png", "a purple city at night"],
];

let drawn: SampleImage[] | undefined;

export function sampleImages(): SampleImage[] {
  drawn ??= SAMPLE_PROMPTS.map(([name, prompt]) => ({
    name,
    prompt,
    bytes: renderPicture({ layout: "single", scene: { prompt, seed: 7 } }, 384),
  }));
  return drawn;
}
