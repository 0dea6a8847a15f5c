// The files of a finished task to upload with its message: its pictures and videos downloaded
// (see downloadMedia.ts), named for `attachment://`. A few tasks at a time, so their bytes stay
// bounded; a file that cannot be had is left out (the message keeps its link) and logged.
import type { Logger } from "../logger.js";
import type { UploadFile } from "../render/renderTaskMessage.js";
import type { TaskMedia } from "../render/taskMedia.js";
import { type MediaDownloader, MediaRefused } from "./downloadMedia.js";
import type { MediaKind } from "./mediaTypes.js";

/** A downloaded file and the upstream URL it stands for. */
export interface ResultFile extends UploadFile {
  source: string;
}

export interface PreparedFiles {
  files: ResultFile[];
  /** The process is stopping: the downloads were cut short, and say nothing about the files. */
  interrupted: boolean;
  /** Frees the bytes' slot: call once the upload is done (or given up). */
  release(): void;
}

/** What the tracker needs: the files of a finished task, ready to upload. */
export interface ResultMediaSource {
  prepare(taskId: string, media: TaskMedia): Promise<PreparedFiles>;
}

/** Tasks whose files are held at once (each up to 8 files of at most MEDIA_MAX_BYTES). */
const TASKS_AT_ONCE = 2;

export class ResultMedia implements ResultMediaSource {
  readonly #downloader: MediaDownloader;
  readonly #logger: Logger;
  readonly #waiting: (() => void)[] = [];
  #busy = 0;
  #closed = false;

  constructor(downloader: MediaDownloader, logger: Logger) {
    this.#downloader = downloader;
    this.#logger = logger;
  }

  async prepare(taskId: string, media: TaskMedia): Promise<PreparedFiles> {
    await this.#acquire();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#release();
    };
    try {
      const wanted: { source: string; kind: MediaKind; name: string }[] = [
        ...media.pictures.map((source, index) => ({
          source,
          kind: "image" as const,
          name: `${taskId}-${index + 1}`,
        })),
        ...media.videos.map((source, index) => ({
          source,
          kind: "video" as const,
          name: `${taskId}-video-${index + 1}`,
        })),
      ];
      const results = await Promise.all(wanted.map((file) => this.#fetch(taskId, file)));
      return { files: results.filter((file) => file !== null), interrupted: this.#closed, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Cuts downloads short (their tasks are uploaded after a restart) and frees the connections. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const next of this.#waiting.splice(0)) next();
    await this.#downloader.close();
  }

  async #fetch(
    taskId: string,
    file: { source: string; kind: MediaKind; name: string },
  ): Promise<ResultFile | null> {
    if (this.#closed) return null;
    try {
      const got = await this.#downloader.download(file.source, file.kind);
      return {
        source: file.source,
        name: `${file.name}.${got.extension}`,
        contentType: got.type,
        data: got.bytes,
      };
    } catch (error) {
      if (this.#closed) return null;
      const reason = error instanceof MediaRefused ? error.message : String(error);
      this.#logger.warn(
        { taskId, kind: file.kind, reason },
        "kept the link of a result file it could not download",
      );
      return null;
    }
  }

  #acquire(): Promise<void> {
    if (this.#busy < TASKS_AT_ONCE) {
      this.#busy += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy -= 1;
  }
}
