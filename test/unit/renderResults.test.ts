// Tasks as the proxies really send them (test/fixtures, shapes from the C# and Java proxies,
// new-api and hosted providers): every field shown where a reader expects it, and every payload
// one Discord accepts.
import { describe, expect, it } from "vitest";
import { toRestBody } from "../../src/discord/messages/messageEditor.js";
import { decodeModalId } from "../../src/render/customId.js";
import { fallbackLabel } from "../../src/render/renderButtonRows.js";
import type { EmbedOptions } from "../../src/render/renderTaskEmbed.js";
import { renderTaskMessage } from "../../src/render/renderTaskMessage.js";
import { taskMedia } from "../../src/render/taskMedia.js";
import { validateMessagePayload } from "../../src/sandbox/discord/discordRules.js";
import { validateAgainstSpec } from "../support/discordSpec.js";
import { taskFixture } from "../support/fixtures.js";

type Button = { custom_id?: string; url?: string; label?: string; emoji?: { name?: string }; style: number };

/** Renders a fixture and checks the payload against Discord's rules and its OpenAPI description. */
function render(name: string, patch: Record<string, unknown> = {}, options: Partial<EmbedOptions> = {}) {
  const rendered = renderTaskMessage(taskFixture(name, patch), { locale: "en", ...options });
  const body = toRestBody(rendered.payload);
  expect(validateMessagePayload(body)).toEqual([]);
  expect(validateAgainstSpec("/channels/{channel_id}/messages/{message_id}", "PATCH", body)).toEqual([]);
  expect(validateAgainstSpec("/channels/{channel_id}/messages", "POST", body)).toEqual([]);
  const embeds = rendered.payload.embeds;
  const buttons = rendered.payload.components.flatMap((row) => row.components) as Button[];
  return { ...rendered, embeds, embed: embeds[0]!, buttons, body };
}

function fieldValue(embed: { fields?: { name: string; value: string }[] }, name: string) {
  return embed.fields?.find((field) => field.name === name)?.value;
}

describe("describe suggestions, wherever upstream put them", () => {
  it("shows the Java proxy's suggestions from properties.finalPrompt, never its other properties", () => {
    const { embed, body } = render("describe-success-java.json");
    const paragraphs = embed.description?.split("\n\n") ?? [];
    expect(paragraphs).toEqual(["1️⃣ Cat --ar 5:4", "2️⃣ Cat2 --ar 5:4", "3️⃣ Cat3 --ar 5:4", "4️⃣ Cat4 --ar 5:4"]);
    expect(JSON.stringify(body)).not.toContain("never-rendered-secret");
  });

  it("splits the C# proxy's CRLF-joined suggestions into one paragraph each", () => {
    const { embed, buttons } = render("describe-success-csharp.json");
    const paragraphs = embed.description?.split("\n\n") ?? [];
    expect(paragraphs).toHaveLength(4);
    expect(paragraphs.map((p) => p.slice(0, 3))).toEqual(["1️⃣", "2️⃣", "3️⃣", "4️⃣"]);
    expect(embed.description).not.toContain("\r");
    // The C# proxy's retry emoji is "\u1F504" read as U+1F50 + "4": not an emoji, so a label instead.
    expect(buttons.map((b) => b.emoji?.name ?? b.label)).toEqual(["1️⃣", "2️⃣", "3️⃣", "4️⃣", "Retry"]);
  });
});

describe("shorten", () => {
  it("shows the analysis and the shortened prompts from description, the long prompt as a field", () => {
    const { embed, buttons } = render("shorten-success.json");
    expect(embed.title).toBe("Shorten · Done");
    expect(embed.description).toMatch(/^\*\*IMPORTANT TOKENS\*\*\n/);
    expect(embed.description).toContain("**Shortened prompts**\n1️⃣ majestic detailed castle");
    expect(embed.description).toContain("5️⃣ castle, sunset, painting");
    expect(fieldValue(embed, "Prompt")).toContain("a majestic and very detailed castle");
    expect(embed.fields?.find((f) => f.name === "English prompt")).toBeUndefined();
    expect(buttons.map((b) => b.emoji?.name ?? b.label)).toEqual(["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "Show details"]);
  });

  it("shows the prompt as usual while the analysis is not there yet", () => {
    const { embed } = render("shorten-success.json", {
      status: "IN_PROGRESS",
      progress: "50%",
      description: "Submit success",
      properties: {},
    });
    expect(embed.description).toMatch(/^a majestic and very detailed castle/);
    expect(embed.description).toContain("50%");
  });
});

describe("failure and cancel reasons", () => {
  it("shows why a task was cancelled", () => {
    const { embed } = render("cancel-csharp.json");
    expect(embed.title).toBe("Imagine · Cancelled");
    expect(fieldValue(embed, "Reason")).toBe("取消任务");
  });

  it("shows nothing for a cancel that gives no reason", () => {
    const { embed } = render("cancel-csharp.json", { failReason: null });
    expect(embed.fields?.find((f) => f.name === "Reason")).toBeUndefined();
  });

  it("puts a long moderation text whole into the description instead of cutting it to a field", () => {
    const task = taskFixture("failure-long-moderation.json");
    expect(task.failReason.length).toBeGreaterThan(1024);
    const { embed } = render("failure-long-moderation.json");
    expect(embed.description?.startsWith(`**Reason**\n${task.failReason}`)).toBe(true);
    expect(embed.description).toContain("Job ID: 8a3f0e2c-77d1-4b6e-9f20-5c4d3b2a1e0f");
    expect(embed.description).toContain("a photorealistic news photo");
    expect(embed.fields?.find((f) => f.name === "Reason")).toBeUndefined();
  });

  it("keeps a 4,000-character reason whole and cuts the prompt after it", () => {
    const reason = `[Moderation] ${"this text explains the refusal. ".repeat(120)}`.slice(0, 3900).trim();
    const { embed } = render("failure-long-moderation.json", {
      failReason: reason,
      prompt: "p ".repeat(3000),
    });
    expect(embed.description?.startsWith(`**Reason**\n${reason}`)).toBe(true);
    expect(embed.description?.endsWith("…")).toBe(true);
  });
});

describe("pictures", () => {
  it("shows the four separate images of a current MJ result as one gallery", () => {
    const { embeds } = render("imagine-success-four-images.json");
    expect(embeds).toHaveLength(4);
    const urls = embeds.map((e) => e.image?.url);
    expect(urls).toEqual([0, 1, 2, 3].map((i) => expect.stringMatching(new RegExp(`/0_${i}\\.png$`))));
    // One gallery: every embed shares the first one's url, and only the first carries text.
    expect(new Set(embeds.map((e) => e.url)).size).toBe(1);
    expect(embeds[0]?.url).toBe(urls[0]);
    for (const extra of embeds.slice(1)) expect(Object.keys(extra).sort()).toEqual(["image", "url"]);
  });

  it("shows all four images of an EDIT whose imageUrl is null", () => {
    const { embeds } = render("edit-success-csharp.json");
    expect(embeds.map((e) => e.image?.url)).toEqual(
      [0, 1, 2, 3].map((i) => `https://cdn.midjourney.com/9c2e4a6b-8d0f-4b13-a5c7-e9f1b3d5a7c9/0_${i}.png`),
    );
  });

  it("shows one image as one embed without a gallery url", () => {
    const { embeds } = render("swapface-success.json");
    expect(embeds).toHaveLength(1);
    expect(embeds[0]?.image?.url).toBe("https://mj-proxy.example.com/attachments/swap/1745831123456782.png");
    expect(embeds[0]?.url).toBeUndefined();
    expect(embeds[0]?.title).toBe("Swap face · Done");
  });

  it("points at the message's own files where they are attached, and at upstream where not", () => {
    const task = taskFixture("imagine-success-four-images.json");
    const [first, second] = taskMedia(task).pictures;
    const attachments = new Map([
      [first!, "1745830456789015-1.png"],
      [second!, "1745830456789015-2.png"],
    ]);
    const { embeds } = render("imagine-success-four-images.json", {}, { attachments });
    expect(embeds.map((e) => e.image?.url)).toEqual([
      "attachment://1745830456789015-1.png",
      "attachment://1745830456789015-2.png",
      expect.stringMatching(/0_2\.png$/),
      expect.stringMatching(/0_3\.png$/),
    ]);
    // The gallery's shared url stays upstream's: attachment:// is not a link.
    expect(new Set(embeds.map((e) => e.url))).toEqual(new Set([first]));
  });
});

describe("videos", () => {
  it("never shows the C# proxy's .mp4 as the picture: the thumbnails are, the four videos are links", () => {
    const { embeds, embed, buttons } = render("video-success-csharp.json");
    const pictures = embeds.map((e) => e.image?.url ?? "");
    expect(pictures).toHaveLength(4);
    for (const url of pictures) expect(url).toMatch(/_640_N\.webp$/);
    const links = fieldValue(embed, "Videos") ?? "";
    for (const i of [0, 1, 2, 3])
      expect(links).toContain(`[Video ${i + 1}](https://cdn.midjourney.com/video/`);
    expect(links).toContain("/0_3.mp4)");
    expect(JSON.stringify(embeds)).not.toMatch(/"url":"[^"]*\.mp4/);
    expect(buttons.map((b) => b.label ?? b.emoji?.name)).toEqual(["U1", "U2", "U3", "U4", "🔄"]);
  });

  it("shows a VIDEO_EXTEND with an empty imageUrl by its thumbnails", () => {
    const { embed, buttons } = render("video-extend-success-csharp.json");
    expect(embed.image?.url).toBe(
      "https://cdn.midjourney.com/e5f7a9b1-c3d5-4e7f-9012-b4c6d8e0f2a4/0_0_640_N.webp",
    );
    expect(fieldValue(embed, "Videos")).toContain("[Video 4]");
    expect(buttons.map((b) => b.label)).toEqual(["Extend (High motion)", "Extend (Low motion)"]);
  });

  it("links new-api's videos, which come without thumbnails, and shows no picture", () => {
    const { embed } = render("video-success-newapi.json");
    expect(embed.image).toBeUndefined();
    expect(fieldValue(embed, "Videos")?.match(/\[Video \d\]/g)).toEqual([
      "[Video 1]",
      "[Video 2]",
      "[Video 3]",
      "[Video 4]",
    ]);
  });

  it("does not link a video that is a file of the message, which Discord plays itself", () => {
    const task = taskFixture("video-success-csharp.json");
    const videos = taskMedia(task).videos;
    const attachments = new Map(
      videos.map((url, i) => [url, `1745830678901237-video-${i + 1}.mp4`] as const),
    );
    const { embed } = render("video-success-csharp.json", {}, { attachments });
    expect(embed.fields?.find((f) => f.name === "Videos")).toBeUndefined();
  });

  it("keeps links whole when they do not all fit a field", () => {
    const long = (i: number) => `https://cdn.example.com/${"v".repeat(400)}/${i}.mp4`;
    const { embed } = render("video-success-newapi.json", {
      videoUrl: "",
      videoUrls: [0, 1, 2, 3].map((i) => ({ url: long(i) })),
    });
    const links = fieldValue(embed, "Videos") ?? "";
    expect(links.length).toBeLessThanOrEqual(1024);
    expect(links.match(/\]\(https:[^)]+\.mp4\)/g)).toHaveLength(2);
  });
});

describe("buttons as the proxies send them", () => {
  it("keeps Midjourney's Web link button as a link button and labels every family it knows", () => {
    const { buttons } = render("upscale-success-hosted.json");
    const web = buttons.find((b) => b.style === 5);
    expect(web).toEqual({
      type: 2,
      style: 5,
      label: "Web",
      url: "https://www.midjourney.com/jobs/f6a8b0c2-d4e6-4f80-a1b3-c5d7e9f1a3b5?index=0",
    });
    expect(buttons.map((b) => b.label)).toEqual([
      "Upscale (2x)",
      "Upscale (4x)",
      "Vary (Strong)",
      "Make Square",
      "Animate (High motion)",
      // Unknown family, bare custom emoji name: the name becomes the label.
      "Sparkle new",
      "Web",
    ]);
    expect(buttons.every((b) => b.emoji === undefined || b.emoji.name === "🪄")).toBe(true);
  });

  it("drops a link button whose url is not http(s)", () => {
    const { buttons } = render("upscale-success-hosted.json", {
      buttons: [{ label: "Web", type: 2, style: 5, url: "javascript:alert(1)" }],
    });
    expect(buttons).toEqual([]);
  });

  it.each([
    ["MJ::JOB::upsample::2::h", "U2"],
    ["MJ::JOB::variation::3::h", "V3"],
    ["MJ::JOB::reroll::0::h::SOLO", "Re-roll"],
    ["MJ::JOB::upsample_v6_2x_subtle::1::h::SOLO", "Upscale (Subtle)"],
    ["MJ::JOB::upsample_v7_2x_creative::1::h::SOLO", "Upscale (Creative)"],
    ["MJ::JOB::upsample_v6r1_2x_creative::1::h::SOLO", "Upscale (Creative)"],
    ["MJ::JOB::upsample_v5_2x::1::h::SOLO", "Upscale (2x)"],
    ["MJ::JOB::upsample_v5_4x::1::h::SOLO", "Upscale (4x)"],
    ["MJ::JOB::high_variation::1::h::SOLO", "Vary (Strong)"],
    ["MJ::JOB::low_variation::1::h::SOLO", "Vary (Subtle)"],
    ["MJ::Inpaint::1::h::SOLO", "Vary (Region)"],
    ["MJ::Outpaint::50::1::h::SOLO", "Zoom Out 2x"],
    ["MJ::Outpaint::75::1::h::SOLO", "Zoom Out 1.5x"],
    ["MJ::Outpaint::100::1::h::SOLO", "Make Square"],
    ["MJ::CustomZoom::h", "Custom Zoom"],
    ["MJ::JOB::pan_left::1::h::SOLO", "Pan left"],
    ["MJ::JOB::pan_down::1::h::SOLO", "Pan down"],
    ["MJ::BOOKMARK::h", "Favourite"],
    ["MJ::Job::PicReader::2", "Imagine 2"],
    ["MJ::Job::PicReader::all", "Imagine all"],
    ["MJ::Picread::Retry", "Retry"],
    ["MJ::Job::PromptAnalyzer::4", "Imagine 4"],
    ["MJ::Job::PromptAnalyzer::Extended", "Show details"],
    ["MJ::JOB::animate_high::1::h::SOLO", "Animate (High motion)"],
    ["MJ::JOB::animate_low::1::h::SOLO", "Animate (Low motion)"],
    ["MJ::JOB::animate_high_extend::1::h", "Extend (High motion)"],
    ["MJ::JOB::animate_low_extend::1::h", "Extend (Low motion)"],
    ["MJ::JOB::video_virtual_upscale::3::h", "Upscale video 3"],
  ])("labels %s as %s", (customId, label) => {
    expect(fallbackLabel(customId, "en")).toBe(label);
  });
});

describe("a task waiting for its prompt", () => {
  it("offers the button that opens the same form a click opens, marked for Vary (Region)", () => {
    const { buttons, embed } = render("inpaint-modal.json");
    expect(embed.title).toBe("Inpaint · Waiting for input");
    expect(buttons).toHaveLength(1);
    expect(buttons[0]).toMatchObject({ label: "Open the form", style: 1 });
    expect(decodeModalId(buttons[0]?.custom_id ?? "")).toEqual({ taskId: "1745831012345671", region: true });
  });

  it("opens a plain prompt form for a Custom Zoom", () => {
    const { buttons } = render("customzoom-modal.json");
    expect(decodeModalId(buttons[0]?.custom_id ?? "")).toEqual({ taskId: "1732012666666666", region: false });
  });
});
