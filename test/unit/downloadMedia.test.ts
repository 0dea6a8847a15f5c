// The media downloader against real HTTP servers on 127.0.0.1: the provider's own origin is
// trusted, every other loopback origin is refused before anything is sent to it.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { MediaDownloader, MediaRefused } from "../../src/media/downloadMedia.js";
import { ResultMedia } from "../../src/media/resultMedia.js";
import { mp4For, pngFor } from "../../src/sandbox/mj/sampleMedia.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  origin: string;
  hits: string[];
  route(path: string, handler: Handler): void;
}

const servers: Server[] = [];
const downloaders: MediaDownloader[] = [];
afterEach(async () => {
  await Promise.all(downloaders.splice(0).map((d) => d.close()));
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

async function serve(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const handler = routes.get(req.url ?? "");
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, hits, route: (path, handler) => routes.set(path, handler) };
}

function file(type: string, bytes: Buffer, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(200, { "content-type": type, "content-length": String(bytes.length), ...headers });
    res.end(bytes);
  };
}

function downloader(
  trustedOrigin: string,
  limits: { maxBytes?: number; timeoutMs?: number } = {},
  resolve?: never,
) {
  const made = new MediaDownloader(
    { maxBytes: limits.maxBytes ?? 1024 * 1024, timeoutMs: limits.timeoutMs ?? 5000, trustedOrigin },
    resolve ? { resolve } : {},
  );
  downloaders.push(made);
  return made;
}

async function refusal(work: Promise<unknown>): Promise<MediaRefused> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaRefused);
  return error as MediaRefused;
}

describe("MediaDownloader", () => {
  it("downloads an image from the provider's own origin, although it is loopback", async () => {
    const provider = await serve();
    const png = pngFor("grid");
    provider.route("/mj/image/1.png", file("image/png", png));
    const got = await downloader(provider.origin).download(`${provider.origin}/mj/image/1.png`, "image");
    expect(got).toMatchObject({ type: "image/png", kind: "image", extension: "png" });
    expect(got.bytes.equals(png)).toBe(true);
  });

  it("refuses another port of 127.0.0.1, which is another origin, and never connects to it", async () => {
    const provider = await serve();
    const other = await serve();
    other.route("/a.png", file("image/png", pngFor("a")));
    const error = await refusal(downloader(provider.origin).download(`${other.origin}/a.png`, "image"));
    expect(error.reason).toBe("address");
    expect(other.hits).toEqual([]);
  });

  it("refuses a name that resolves to loopback (localhost), checked when it is looked up", async () => {
    const provider = await serve();
    const port = new URL(provider.origin).port;
    const error = await refusal(
      downloader(provider.origin).download(`http://localhost:${port}/x.png`, "image"),
    );
    expect(error.reason).toBe("address");
    expect(provider.hits).toEqual([]);
  });

  it.each([
    "http://[::1]:9/x.png",
    "http://[::ffff:127.0.0.1]:9/x.png",
    "http://10.0.0.1/x.png",
    "http://169.254.169.254/latest/meta-data",
  ])("refuses the address in %s without a connection", async (url) => {
    const provider = await serve();
    expect((await refusal(downloader(provider.origin).download(url, "image"))).reason).toBe("address");
  });

  it("refuses a name when any address it resolves to is private, before connecting", async () => {
    const provider = await serve();
    const asked: string[] = [];
    const made = new MediaDownloader(
      { maxBytes: 1024, timeoutMs: 2000, trustedOrigin: provider.origin },
      {
        resolve: (hostname, callback) => {
          asked.push(hostname);
          callback(null, [
            { address: "93.184.216.34", family: 4 },
            { address: "10.0.0.7", family: 4 },
          ]);
        },
      },
    );
    downloaders.push(made);
    const error = await refusal(made.download("http://images.example.test/x.png", "image"));
    expect(error.reason).toBe("address");
    expect(asked).toEqual(["images.example.test"]);
  });

  it.each(["ftp://127.0.0.1/x.png", "file:///etc/passwd", "data:image/png;base64,AAAA", "not a url"])(
    "refuses %s",
    async (url) => {
      const provider = await serve();
      expect((await refusal(downloader(provider.origin).download(url, "image"))).reason).toBe("url");
    },
  );

  it("never sends credentials written into a URL", async () => {
    const provider = await serve();
    const url = provider.origin.replace("http://", "http://user:pass@");
    expect((await refusal(downloader(provider.origin).download(`${url}/x.png`, "image"))).reason).toBe("url");
    expect(provider.hits).toEqual([]);
  });

  it("follows a redirect within the provider's origin and checks each hop again", async () => {
    const provider = await serve();
    const other = await serve();
    provider.route("/old.png", (_req, res) => res.writeHead(302, { location: "/new.png" }).end());
    provider.route("/new.png", file("image/png", pngFor("new")));
    provider.route("/away.png", (_req, res) =>
      res.writeHead(301, { location: `${other.origin}/a.png` }).end(),
    );
    other.route("/a.png", file("image/png", pngFor("a")));
    const made = downloader(provider.origin);
    expect((await made.download(`${provider.origin}/old.png`, "image")).bytes.equals(pngFor("new"))).toBe(
      true,
    );
    expect((await refusal(made.download(`${provider.origin}/away.png`, "image"))).reason).toBe("address");
    expect(other.hits).toEqual([]);
  });

  it("gives up after five redirects", async () => {
    const provider = await serve();
    for (let i = 0; i < 7; i++) {
      provider.route(`/r${i}`, (_req, res) => res.writeHead(307, { location: `/r${i + 1}` }).end());
    }
    expect(
      (await refusal(downloader(provider.origin).download(`${provider.origin}/r0`, "image"))).reason,
    ).toBe("redirects");
    expect(provider.hits).toHaveLength(6);
  });

  it("refuses a file larger than the limit, declared or streamed", async () => {
    const provider = await serve();
    const big = Buffer.concat([pngFor("big").subarray(0, 16), randomBytes(5000)]);
    provider.route("/declared.png", file("image/png", big));
    provider.route("/streamed.png", (_req, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.write(big.subarray(0, 1000));
      res.end(big.subarray(1000));
    });
    const made = downloader(provider.origin, { maxBytes: 1000 });
    expect(big.length).toBeGreaterThan(1000);
    expect((await refusal(made.download(`${provider.origin}/declared.png`, "image"))).reason).toBe("size");
    expect((await refusal(made.download(`${provider.origin}/streamed.png`, "image"))).reason).toBe("size");
  });

  it("refuses what is not an image or video of an accepted type, or whose bytes say otherwise", async () => {
    const provider = await serve();
    provider.route("/page.png", file("text/html", Buffer.from("<html>login</html>")));
    provider.route("/lie.png", file("image/png", Buffer.from("<html>login</html>")));
    provider.route("/vector.svg", file("image/svg+xml", Buffer.from("<svg/>")));
    provider.route("/clip.mp4", file("video/mp4", mp4For("clip")));
    const made = downloader(provider.origin);
    for (const path of ["/page.png", "/lie.png", "/vector.svg"]) {
      expect((await refusal(made.download(`${provider.origin}${path}`, "image"))).reason).toBe("type");
    }
    // A video where a picture was asked for is refused, and taken where a video was.
    expect((await refusal(made.download(`${provider.origin}/clip.mp4`, "image"))).reason).toBe("type");
    expect((await made.download(`${provider.origin}/clip.mp4`, "video")).extension).toBe("mp4");
  });

  it("refuses an error answer", async () => {
    const provider = await serve();
    expect(
      (await refusal(downloader(provider.origin).download(`${provider.origin}/gone.png`, "image"))).reason,
    ).toBe("status");
  });

  it("gives up on a server that does not answer in time", async () => {
    const provider = await serve();
    provider.route("/slow.png", (_req, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.write(pngFor("slow").subarray(0, 10));
    });
    const started = Date.now();
    const error = await refusal(
      downloader(provider.origin, { timeoutMs: 300 }).download(`${provider.origin}/slow.png`, "image"),
    );
    expect(["timeout", "network"]).toContain(error.reason);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("ResultMedia", () => {
  const logger = createLogger({ level: "silent", secrets: [] });

  it("names the files for attachment://, keeps out what it could not download, and holds two tasks at a time", async () => {
    const provider = await serve();
    provider.route("/0.png", file("image/png", pngFor("0")));
    provider.route("/1.png", file("image/png", pngFor("1")));
    provider.route("/v.mp4", file("video/mp4", mp4For("v")));
    const made = downloader(provider.origin);
    const media = new ResultMedia(made, logger);
    const first = await media.prepare("1745830456789015", {
      pictures: [`${provider.origin}/0.png`, `${provider.origin}/missing.png`, `${provider.origin}/1.png`],
      videos: [`${provider.origin}/v.mp4`],
    });
    expect(first.interrupted).toBe(false);
    expect(first.files.map((f) => [f.name, f.contentType, f.source])).toEqual([
      ["1745830456789015-1.png", "image/png", `${provider.origin}/0.png`],
      ["1745830456789015-3.png", "image/png", `${provider.origin}/1.png`],
      ["1745830456789015-video-1.mp4", "video/mp4", `${provider.origin}/v.mp4`],
    ]);
    const second = await media.prepare("2", { pictures: [`${provider.origin}/0.png`], videos: [] });
    let thirdReady = false;
    const third = media.prepare("3", { pictures: [`${provider.origin}/1.png`], videos: [] }).then((p) => {
      thirdReady = true;
      return p;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(thirdReady).toBe(false);
    first.release();
    expect((await third).files).toHaveLength(1);
    second.release();
  });
});
