// MjClient's video and face-swap submits against the fake MJ proxy: the routes, the bodies, the
// proxy's key, and the job each starts.
import { afterEach, describe, expect, it } from "vitest";
import { MjClient } from "../../src/mj/client.js";
import { type FakeMj, startFakeMj } from "../../src/sandbox/mj/fakeMj.js";

const open: { fake: FakeMj; client: MjClient }[] = [];
afterEach(async () => {
  for (const { fake, client } of open.splice(0)) {
    await client.close();
    await fake.close();
  }
});

async function setup(family: "new-api" | "csharp" = "new-api") {
  const fake = await startFakeMj({ family, authStyle: family === "csharp" ? "mj-api-secret" : "bearer" });
  const client = new MjClient({
    baseUrl: fake.url,
    apiKey: fake.apiKey,
    authStyle: fake.authStyle,
    timeoutMs: 1500,
  });
  open.push({ fake, client });
  return { fake, client };
}

const IMAGE = "data:image/png;base64,iVBORw0KGgo=";

describe("MjClient media submits", () => {
  it("posts a video job to /mj/submit/video and gets a VIDEO task with four videos", async () => {
    const { fake, client } = await setup("csharp");
    const result = await client.submitVideo({ image: IMAGE, prompt: "waves", motion: "low", state: "s" });
    expect(result.code).toBe(1);
    const [request] = fake.requestsTo("/mj/submit/video");
    expect(request?.body).toEqual({ image: IMAGE, prompt: "waves", motion: "low", state: "s" });
    expect(request?.headers["mj-api-secret"]).toBe(fake.apiKey);
    const id = String(result.result);
    fake.finish(id);
    const task = await client.fetchTask(id);
    expect(task).toMatchObject({ action: "VIDEO", status: "SUCCESS" });
    expect(task.videoUrls).toHaveLength(4);
    expect(task.videoUrls.every((v) => v.url.endsWith(".mp4") && v.thumbnail.endsWith(".webp"))).toBe(true);
  });

  it("hands back the C# proxy's refusal of a video without a prompt", async () => {
    const { client } = await setup("csharp");
    expect(await client.submitVideo({ image: IMAGE })).toMatchObject({
      code: 4,
      description: "Prompt 不能为空",
    });
  });

  it("posts a face swap to /mj/insight-face/swap, outside /mj/submit", async () => {
    const { fake, client } = await setup();
    const result = await client.swapFace({ sourceBase64: IMAGE, targetBase64: `${IMAGE}AA` });
    expect(result.code).toBe(1);
    expect(fake.requestsTo("/mj/insight-face/swap").map((r) => r.body)).toEqual([
      { sourceBase64: IMAGE, targetBase64: `${IMAGE}AA` },
    ]);
    expect(fake.requestsTo("/mj/insight-face/swap")[0]?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    fake.finish(String(result.result));
    expect(await client.fetchTask(String(result.result))).toMatchObject({
      action: "SWAP_FACE",
      status: "SUCCESS",
    });
  });
});
