// Every slash command the bot offers. Adding a command = adding its module here.
import { blend } from "./blend.js";
import type { SlashCommand } from "./command.js";
import { describe } from "./describe.js";
import { imagine } from "./imagine.js";
import { mjfeed } from "./mjfeed.js";
import { mjseed } from "./mjseed.js";
import { mjstatus } from "./mjstatus.js";
import { shorten } from "./shorten.js";
import { swapface } from "./swapface.js";
import { video } from "./video.js";

export const commands: readonly SlashCommand[] = [
  mjstatus,
  imagine,
  describe,
  blend,
  shorten,
  video,
  swapface,
  mjseed,
  mjfeed,
];
