// Downloads one result file from upstream with limits: http(s) only; never to a loopback, private
// or link-local address (every address a name resolves to is checked, and the connection goes to
// a checked one) unless the URL is on MJ_BASE_URL's own origin; redirects followed by hand and
// each checked again; at most `maxBytes`; a time limit; an image or video type that the bytes
// confirm. No credential is ever sent.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { Agent, type Dispatcher, request } from "undici";
import { isForbiddenAddress } from "./addressPolicy.js";
import { acceptedType, type MediaKind, mediaTypeOf } from "./mediaTypes.js";

export interface DownloadLimits {
  maxBytes: number;
  /** For the whole download, redirects included. */
  timeoutMs: number;
  /** MJ_BASE_URL's origin (scheme, host, port): the provider may serve files from an address others may not use. */
  trustedOrigin?: string | undefined;
  maxRedirects?: number;
}

export type RefusalReason =
  | "url"
  | "address"
  | "redirects"
  | "status"
  | "type"
  | "size"
  | "timeout"
  | "network";

/** Why a file was not downloaded; `message` names the host, never the whole URL (it may be signed). */
export class MediaRefused extends Error {
  override name = "MediaRefused";
  constructor(
    readonly reason: RefusalReason,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`media download refused (${reason}): ${detail}`, options);
  }
}

export interface DownloadedMedia {
  bytes: Buffer;
  /** The bare media type, e.g. "image/png". */
  type: string;
  kind: MediaKind;
  extension: string;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;
/** dns.lookup's shape with `all: true`, the one this module calls. */
export type Resolve = (
  hostname: string,
  callback: (error: Error | null, addresses: LookupAddress[]) => void,
) => void;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const systemResolve: Resolve = (hostname, callback) =>
  dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => callback(error, addresses ?? []));

class ForbiddenAddress extends Error {
  override name = "ForbiddenAddress";
}

/**
 * A `lookup` for net.connect that refuses a name when any address it resolves to is forbidden, so
 * the connection can only go to an address that was checked (no second resolution to rebind).
 */
function checkedLookup(resolve: Resolve) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number | string },
    callback: LookupCallback,
  ) => {
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error as NodeJS.ErrnoException, []);
      const family = options.family === 6 || options.family === "IPv6" ? 6 : options.family === 4 ? 4 : 0;
      const usable = addresses.filter((a) => family === 0 || a.family === family);
      const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
      if (forbidden || usable.length === 0) {
        const refusal = new ForbiddenAddress(`${hostname} resolves to a non-public address`);
        return callback(refusal as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, usable);
      const [first] = usable;
      callback(null, first?.address ?? "", first?.family);
    });
  };
}

/** Drops a response's body unread (undici reports that as an error, which nobody is waiting for). */
function discard(response: Dispatcher.ResponseData): void {
  response.body.on("error", () => undefined);
  response.body.destroy();
}

function isForbiddenError(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ForbiddenAddress) return true;
  }
  return false;
}

export class MediaDownloader {
  readonly #limits: Required<DownloadLimits>;
  /** For every origin but the provider's: connects only to checked public addresses. */
  readonly #checked: Agent;
  readonly #trusted: Agent;

  constructor(limits: DownloadLimits, options: { resolve?: Resolve } = {}) {
    this.#limits = { maxRedirects: 5, trustedOrigin: "", ...limits } as Required<DownloadLimits>;
    const timeouts = { headersTimeout: limits.timeoutMs, bodyTimeout: limits.timeoutMs };
    this.#checked = new Agent({
      ...timeouts,
      connections: 8,
      connect: { lookup: checkedLookup(options.resolve ?? systemResolve), timeout: limits.timeoutMs },
    });
    this.#trusted = new Agent({ ...timeouts, connections: 8, connect: { timeout: limits.timeoutMs } });
  }

  /** The file at `url`, of the `kind` asked for; throws MediaRefused. */
  async download(url: string, kind: MediaKind): Promise<DownloadedMedia> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#limits.timeoutMs);
    try {
      let current = this.#checkUrl(url);
      for (let redirects = 0; ; redirects++) {
        const response = await this.#get(current, deadline.signal);
        if (REDIRECTS.has(response.statusCode)) {
          discard(response);
          const location = response.headers.location;
          if (typeof location !== "string" || redirects >= this.#limits.maxRedirects) {
            throw new MediaRefused("redirects", `${current.host} redirected too often or nowhere`);
          }
          current = this.#checkUrl(new URL(location, current).href);
          continue;
        }
        return await this.#read(current, response, kind, deadline.signal);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Aborts downloads under way (on shutdown) and frees the connections. */
  async close(): Promise<void> {
    await Promise.all([this.#checked.destroy(), this.#trusted.destroy()]);
  }

  #isTrusted(url: URL): boolean {
    return this.#limits.trustedOrigin !== "" && url.origin === this.#limits.trustedOrigin;
  }

  #checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new MediaRefused("url", "not a URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new MediaRefused("url", `${url.protocol} is not http(s)`);
    }
    if (url.username || url.password) throw new MediaRefused("url", `${url.host} carries credentials`);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    // An address in the URL is never looked up, so it is checked here.
    if (!this.#isTrusted(url) && isIP(host) !== 0 && isForbiddenAddress(host)) {
      throw new MediaRefused("address", `${url.host} is not a public address`);
    }
    return url;
  }

  async #get(url: URL, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, {
        method: "GET",
        dispatcher: this.#isTrusted(url) ? this.#trusted : this.#checked,
        headers: { accept: "image/*, video/*", "user-agent": "mjrelay" },
        signal,
      });
    } catch (error) {
      if (isForbiddenError(error)) {
        throw new MediaRefused("address", `${url.host} is not a public address`, { cause: error });
      }
      if (signal.aborted) throw new MediaRefused("timeout", `${url.host} took too long`, { cause: error });
      throw new MediaRefused("network", `${url.host} could not be reached`, { cause: error });
    }
  }

  async #read(
    url: URL,
    response: Dispatcher.ResponseData,
    kind: MediaKind,
    signal: AbortSignal,
  ): Promise<DownloadedMedia> {
    const { maxBytes } = this.#limits;
    const contentType = response.headers["content-type"];
    const type = acceptedType(typeof contentType === "string" ? contentType : undefined);
    const declared = Number(response.headers["content-length"]);
    const refuse = async (reason: RefusalReason, detail: string): Promise<never> => {
      discard(response);
      throw new MediaRefused(reason, `${url.host}: ${detail}`);
    };
    if (response.statusCode !== 200) return refuse("status", `HTTP ${response.statusCode}`);
    if (!type || type.kind !== kind) {
      return refuse(
        "type",
        `${mediaTypeOf(String(contentType ?? "")) || "no type"} is not an accepted ${kind}`,
      );
    }
    if (Number.isFinite(declared) && declared > maxBytes) return refuse("size", `${declared} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) return refuse("size", `more than ${maxBytes} bytes`);
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof MediaRefused) throw error;
      const reason = signal.aborted ? "timeout" : "network";
      throw new MediaRefused(reason, `${url.host}: the download broke off`, { cause: error });
    }
    const bytes = Buffer.concat(chunks, size);
    if (!type.matches(bytes)) return refuse("type", `the bytes are not ${type.type}`);
    return { bytes, type: type.type, kind: type.kind, extension: type.extension };
  }
}
