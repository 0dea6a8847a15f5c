// Which pictures and videos a task's message shows, from wherever upstream put them: one image
// (imageUrl), four separate ones (imageUrls, also with imageUrl null on EDIT/RETEXTURE), or videos
// (the C# proxy puts an .mp4 in imageUrl and in imageUrls, with thumbnails, and four in videoUrls).
import type { Media, Task } from "../mj/schema.js";
import { memoized } from "./memo.js";

/** Discord shows up to four embeds that share one `url` as one gallery. */
export const MAX_PICTURES = 4;
/** A video job makes four; more would only repeat them (the C# proxy also sends their grid). */
export const MAX_VIDEOS = 4;

export interface TaskMedia {
  /** The pictures to show, a gallery when several: the images, or the thumbnails of the videos. */
  pictures: string[];
  /** The video files, shown as links or attached to the message. */
  videos: string[];
}

const VIDEO_EXTENSIONS = "mp4|webm|mov|m4v";
const VIDEO_PATH = new RegExp(`\\.(${VIDEO_EXTENSIONS})$`, "i");

/** Links kept: a few tasks' worth, at most 256 of Discord's longest embed URL (2048). */
const MEMO_LIMITS = { size: 256, maxInputLength: 2048 };

/** Only http(s) links may become an embed image or a link; anything else (javascript:, data:, junk) is dropped. */
export const safeHttpUrl = memoized((raw: string): string | null => {
  const text = raw.trim();
  if (!text || text.length > 2048) return null;
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}, MEMO_LIMITS);

/**
 * A video extension anywhere in the text: without one (and without the tabs and line breaks the
 * URL parser drops, which could join one), no path can end with it and the URL need not be parsed.
 */
const VIDEO_EXTENSION = new RegExp(`\\.(${VIDEO_EXTENSIONS})`, "i");
const DROPPED_BY_URL_PARSER = /[\t\n\r]/;

/** A link to a video file, judged by its path (query strings such as Discord's signatures aside). */
export function isVideoUrl(url: string): boolean {
  if (!VIDEO_EXTENSION.test(url) && !DROPPED_BY_URL_PARSER.test(url)) return false;
  try {
    return VIDEO_PATH.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

function addUnique(list: string[], raw: string, max: number): void {
  const url = safeHttpUrl(raw);
  if (url && list.length < max && !list.includes(url)) list.push(url);
}

export function taskMedia(task: Pick<Task, "imageUrl" | "imageUrls" | "videoUrl" | "videoUrls">): TaskMedia {
  const videos: string[] = [];
  const entries: Media[] = [...task.videoUrls, ...task.imageUrls];
  for (const entry of task.videoUrls) addUnique(videos, entry.url, MAX_VIDEOS);
  for (const entry of task.imageUrls) if (isVideoUrl(entry.url)) addUnique(videos, entry.url, MAX_VIDEOS);
  addUnique(videos, task.videoUrl, MAX_VIDEOS);
  if (isVideoUrl(task.imageUrl)) addUnique(videos, task.imageUrl, MAX_VIDEOS);

  const pictures: string[] = [];
  const images = task.imageUrls.filter((entry) => !isVideoUrl(entry.url));
  // The separate images beat the grid that imageUrl holds: each can be opened, and U1–U4 name them.
  for (const entry of images) addUnique(pictures, entry.url, MAX_PICTURES);
  if (pictures.length === 0 && !isVideoUrl(task.imageUrl)) addUnique(pictures, task.imageUrl, MAX_PICTURES);
  if (pictures.length === 0) {
    // A video is never shown as a picture: its thumbnail is.
    for (const entry of entries) {
      if (entry.thumbnail && !isVideoUrl(entry.thumbnail)) addUnique(pictures, entry.thumbnail, MAX_PICTURES);
    }
  }
  return { pictures, videos };
}
