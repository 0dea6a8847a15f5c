// What the fake Discord makes of files: attachment:// in embeds, upload limits, embed file types.
import { REST, Routes } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeDiscord,
  startFakeDiscord,
  validateMessagePayload,
} from "../../src/sandbox/discord/fakeDiscord.js";
import { checkedAgainstSpec } from "../support/discordSpec.js";

const fakes: FakeDiscord[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function start(options: Parameters<typeof startFakeDiscord>[0] = {}) {
  const fake = await startFakeDiscord({ ...checkedAgainstSpec, ...options });
  fakes.push(fake);
  return { fake, rest: new REST({ api: fake.apiUrl, retries: 0 }).setToken(fake.token) };
}

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(100, 3)]);

describe("the fake Discord and files", () => {
  it("points an embed's attachment:// image at the uploaded file, and keeps it through later edits", async () => {
    const { fake, rest } = await start();
    const sent = (await rest.post(Routes.channelMessages(fake.channelId), {
      body: {
        embeds: [{ image: { url: "attachment://a.png" } }],
        attachments: [{ id: "0", filename: "a.png" }],
      },
      files: [{ key: "files[0]", name: "a.png", data: png, contentType: "image/png" }],
    })) as { id: string; embeds: { image: { url: string } }[]; attachments: { url: string }[] };
    expect(sent.embeds[0]?.image.url).toBe(sent.attachments[0]?.url);
    const edited = (await rest.patch(Routes.channelMessage(fake.channelId, sent.id), {
      body: { embeds: [{ title: "later", image: { url: "attachment://a.png" } }] },
    })) as { embeds: { image: { url: string } }[]; attachments: { url: string }[] };
    expect(edited.attachments).toEqual(sent.attachments);
    expect(edited.embeds[0]?.image.url).toBe(sent.attachments[0]?.url);
    // Listing no files removes them, as Discord does.
    const cleared = (await rest.patch(Routes.channelMessage(fake.channelId, sent.id), {
      body: { attachments: [] },
    })) as { attachments: unknown[] };
    expect(cleared.attachments).toEqual([]);
  });

  it("refuses a file over the upload limit with 413 (code 40005)", async () => {
    const { fake, rest } = await start({ uploadLimitBytes: 50 });
    const error = await rest
      .post(Routes.channelMessages(fake.channelId), {
        body: { attachments: [{ id: "0", filename: "a.png" }] },
        files: [{ key: "files[0]", name: "a.png", data: png }],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 413, code: 40005 });
    expect(fake.channelMessages(fake.channelId)).toEqual([]);
  });

  it("refuses an embed that shows an attachment Discord cannot show there, and more than 10 files", () => {
    expect(validateMessagePayload({ embeds: [{ image: { url: "attachment://clip.mp4" } }] })).toEqual([
      expect.stringContaining(".jpg, .jpeg, .png, .webp or .gif"),
    ]);
    const files = Array.from({ length: 11 }, (_, i) => ({ id: String(i), filename: `${i}.png` }));
    expect(validateMessagePayload({ attachments: files })).toEqual(["attachments: at most 10"]);
  });
});
