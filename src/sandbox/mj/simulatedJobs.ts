// Realistic Midjourney jobs for the simulated MJ proxy (the sandbox's): a queue of three running
// jobs, progress with blurred previews, the grid with Midjourney's buttons, upscales with theirs,
// zoom / pan / vary on the pictures they came from, describe and shorten results, prompt forms
// (code 21) where real proxies ask for one, and a moderation failure for a banned word. Pictures
// are drawn from the prompt (drawImage.ts) and served by the same fake, from its own origin.
import { createHash, randomUUID } from "node:crypto";
import { type Picture, renderPicture, type Scene } from "./drawImage.js";
import { type FakeMj, type Json, newTaskId, type PublicFile, type TaskJson } from "./fakeMj.js";
import { TASK_TEMPLATES } from "./taskTemplates.js";

export interface SimulatedJobsOptions {
  /** Between two steps of a running job; a grid takes nine (default 1400 ms: about 13 s). */
  stepMs?: number;
  /** Jobs that run at once; later ones wait (midjourney-proxy's default per account is 3). */
  concurrency?: number;
}

/** Words the simulated moderator refuses; a prompt with one fails like Midjourney's "Banned prompt". */
export const BANNED_WORDS = ["gore", "nsfw", "nude"] as const;

// The progress values Midjourney reports for a fast job, with how blurred each preview is.
const GRID_PROGRESS: [number, number][] = [
  [15, 16],
  [31, 11],
  [46, 8],
  [62, 6],
  [78, 4],
  [93, 3],
];

type Kind = "grid" | "single";

interface JobPicture {
  /** What the job's pictures show; undefined for describe, whose picture is the uploaded one. */
  scene?: Scene;
  kind: Kind;
}

interface Job extends JobPicture {
  id: string;
  steps: Json[];
  timer?: NodeJS.Timeout;
  /** For a MODAL task: what submitting its form starts. */
  form?: "zoom" | "region" | "prompt";
  /** Describe's and shorten's numbered results, which their buttons turn into jobs. */
  suggestions?: string[];
  /** Describe's image, to describe again on 🔄. */
  upload?: PublicFile;
}

/** What every submit carries through to the tasks it starts. */
interface Submitter {
  state: string;
  notifyHook: string | undefined;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

function submitted(id: string): Json {
  return { code: 1, description: "Submit success", result: id, properties: {} };
}

function refused(code: number, description: string): Json {
  return { code, description, result: null, properties: {} };
}

function button(customId: string, label: string, emoji = ""): Json {
  return { customId, emoji, label, type: 2, style: 2 };
}

function gridButtons(hash: string): Json[] {
  return [
    ...[1, 2, 3, 4].map((n) => button(`MJ::JOB::upsample::${n}::${hash}`, `U${n}`)),
    button(`MJ::JOB::reroll::0::${hash}::SOLO`, "", "🔄"),
    ...[1, 2, 3, 4].map((n) => button(`MJ::JOB::variation::${n}::${hash}`, `V${n}`)),
  ];
}

/** What proxies copy from Midjourney's upscale message, bare custom emoji names included. */
function upscaleButtons(hash: string, withUpscales: boolean): Json[] {
  return [
    ...(withUpscales
      ? [
          button(`MJ::JOB::upsample_v6_2x_subtle::1::${hash}::SOLO`, "Upscale (Subtle)", "upscale_1"),
          button(`MJ::JOB::upsample_v6_2x_creative::1::${hash}::SOLO`, "Upscale (Creative)", "upscale_1"),
        ]
      : []),
    button(`MJ::JOB::low_variation::1::${hash}::SOLO`, "Vary (Subtle)", "🪄"),
    button(`MJ::JOB::high_variation::1::${hash}::SOLO`, "Vary (Strong)", "🪄"),
    button(`MJ::Inpaint::1::${hash}::SOLO`, "Vary (Region)", "🖌️"),
    button(`MJ::Outpaint::50::1::${hash}::SOLO`, "Zoom Out 2x", "🔍"),
    button(`MJ::Outpaint::75::1::${hash}::SOLO`, "Zoom Out 1.5x", "🔍"),
    button(`MJ::CustomZoom::${hash}`, "Custom Zoom", "🔍"),
    button(`MJ::JOB::pan_left::1::${hash}::SOLO`, "", "⬅️"),
    button(`MJ::JOB::pan_right::1::${hash}::SOLO`, "", "➡️"),
    button(`MJ::JOB::pan_up::1::${hash}::SOLO`, "", "⬆️"),
    button(`MJ::JOB::pan_down::1::${hash}::SOLO`, "", "⬇️"),
    button(`MJ::BOOKMARK::${hash}`, "", "❤️"),
  ];
}

function numberedButtons(prefix: string, count: number): Json[] {
  const keycaps = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣"];
  return keycaps.slice(0, count).map((emoji, i) => button(`${prefix}::${i + 1}`, "", emoji));
}

/** Four prompts for an image drawn from `prompt`, the way /describe words them. */
function describePrompts(prompt: string | undefined): string[] {
  const subject = prompt?.replace(/--\w+\s+\S+/g, "").trim() || "an abstract landscape of soft colour fields";
  return [
    `${subject}, digital painting, soft gradients, flat shapes --ar 1:1`,
    `a minimalist illustration of ${subject}, layered hills, vignette, calm mood --ar 1:1`,
    `${subject}, paper cut-out style, simple geometric forms, gentle light --ar 1:1`,
    `storybook art of ${subject}, muted palette, wide horizon, children's book illustration --ar 1:1`,
  ];
}

/** Shorten keeps the words that weigh most: here, the first ones of each comma-separated part. */
function shortenPrompts(prompt: string): string[] {
  const parts = prompt
    .replace(/--\w+(\s+[^-\s]\S*)?/g, "")
    .split(/[,.;]/)
    .map((part) => part.trim())
    .filter(Boolean);
  const words = parts.join(" ").split(/\s+/).filter(Boolean);
  return [5, 4, 3, 2, 1].map((keep) =>
    parts.length > 1
      ? parts
          .slice(0, Math.max(1, parts.length - 5 + keep))
          .map((part) =>
            part
              .split(/\s+/)
              .slice(0, keep + 1)
              .join(" "),
          )
          .join(", ")
      : words.slice(0, Math.max(1, words.length - 5 + keep)).join(" "),
  );
}

function dataUrlFile(dataUrl: unknown): PublicFile | undefined {
  const match = typeof dataUrl === "string" ? /^data:([\w/+.-]+);base64,(.+)$/s.exec(dataUrl) : null;
  return match
    ? { contentType: match[1] as string, bytes: Buffer.from(match[2] as string, "base64") }
    : undefined;
}

export class SimulatedJobs {
  readonly #stepMs: number;
  readonly #concurrency: number;
  readonly #jobs = new Map<string, Job>();
  readonly #waiting: Job[] = [];
  readonly #running = new Set<string>();
  readonly #pictures = new Map<string, Picture | PublicFile>();
  readonly #rendered = new Map<string, Buffer>();
  /** Images the sandbox handed out (its samples), by hash of their bytes: what they were drawn from. */
  readonly #known = new Map<string, string>();
  #fake: FakeMj | undefined;
  #closed = false;

  constructor(options: SimulatedJobsOptions = {}) {
    this.#stepMs = options.stepMs ?? 1400;
    this.#concurrency = options.concurrency ?? 3;
  }

  /** Remembers that `bytes` were drawn from `prompt`, so /describe and /blend can tell what they show. */
  rememberImage(bytes: Buffer, prompt: string): void {
    this.#known.set(sha(bytes.toString("base64")), prompt);
  }

  /** For FakeMjOptions.publicFiles: the pictures at /media/<task id>/<name>.png. */
  readonly file = (path: string): PublicFile | undefined => {
    const key = /^\/media\/(\d+\/[\w-]+)\.png$/.exec(path)?.[1];
    const picture = key ? this.#pictures.get(key) : undefined;
    if (!key || !picture) return undefined;
    if ("bytes" in picture) return picture;
    let bytes = this.#rendered.get(key);
    if (!bytes) {
      bytes = renderPicture(picture);
      this.#rendered.set(key, bytes);
      // Only the newest pictures stay drawn; older ones are drawn again if asked for.
      if (this.#rendered.size > 64) this.#rendered.delete(this.#rendered.keys().next().value as string);
    }
    return { contentType: "image/png", bytes };
  };

  /** For FakeMjOptions.submits: every submit route the sandbox plays. */
  readonly submit = (route: string, body: Json | undefined, fake: FakeMj): Json | undefined => {
    this.#fake = fake;
    const request = body ?? {};
    const common = {
      state: typeof request.state === "string" ? request.state : "",
      notifyHook: typeof request.notifyHook === "string" ? request.notifyHook : undefined,
    };
    switch (route) {
      case "imagine": {
        const prompt = String(request.prompt ?? "").trim();
        const banned = BANNED_WORDS.find((word) => new RegExp(`\\b${word}\\b`, "i").test(prompt));
        if (banned) return this.#bannedJob(prompt, banned, common);
        return this.#gridJob("IMAGINE", prompt, { prompt, seed: 0 }, common);
      }
      case "blend": {
        const images = Array.isArray(request.base64Array) ? request.base64Array : [];
        const drawn = images.map((image) => this.#knownPrompt(image)).filter(Boolean);
        const ratio = { PORTRAIT: " --ar 2:3", LANDSCAPE: " --ar 3:2" }[String(request.dimensions)] ?? "";
        const scene = { prompt: `${drawn.join(" ") || "abstract blend"}${ratio}`, seed: images.length };
        return this.#gridJob("BLEND", "", scene, common);
      }
      case "describe":
        return this.#describeJob(dataUrlFile(request.base64), this.#knownPrompt(request.base64), common);
      case "shorten":
        return this.#shortenJob(String(request.prompt ?? "").trim(), common);
      case "action":
        return this.#action(String(request.taskId ?? ""), String(request.customId ?? ""), common);
      case "modal":
        return this.#modal(
          String(request.taskId ?? ""),
          String(request.prompt ?? ""),
          request.maskBase64,
          common,
        );
      default:
        return undefined;
    }
  };

  close(): void {
    this.#closed = true;
    for (const job of this.#jobs.values()) clearTimeout(job.timer);
  }

  // ---- jobs --------------------------------------------------------------------------------------

  #knownPrompt(dataUrl: unknown): string | undefined {
    const base64 = typeof dataUrl === "string" ? dataUrl.slice(dataUrl.indexOf(",") + 1) : "";
    return base64 ? this.#known.get(sha(base64)) : undefined;
  }

  #imageUrl(id: string, name: string, picture: Picture | PublicFile): string {
    this.#pictures.set(`${id}/${name}`, picture);
    return `${this.#fake?.url}/media/${id}/${name}.png`;
  }

  /** Adds the task in its first state and queues its steps; answers 1, or 22 with the queue ahead. */
  #start(job: Job, first: TaskJson, hook: { notifyHook: string | undefined }): Json {
    const fake = this.#fake as FakeMj;
    this.#jobs.set(job.id, job);
    fake.addTask(first, { steps: [] }, hook.notifyHook ? { notifyHook: hook.notifyHook } : {});
    const ahead = this.#running.size >= this.#concurrency ? this.#waiting.length + 1 : 0;
    this.#waiting.push(job);
    this.#startWaiting();
    if (ahead === 0) return submitted(job.id);
    return {
      code: 22,
      description: `In queue, there are ${ahead} tasks ahead`,
      result: job.id,
      properties: { numberOfQueues: ahead },
    };
  }

  #startWaiting(): void {
    while (this.#running.size < this.#concurrency && this.#waiting.length > 0) {
      const job = this.#waiting.shift() as Job;
      this.#running.add(job.id);
      this.#step(job);
    }
  }

  #step(job: Job): void {
    job.timer = setTimeout(() => {
      if (this.#closed) return;
      const step = job.steps.shift();
      // Times are stamped as a state is entered, not when the job was planned.
      const now = Date.now();
      if (step?.status === "IN_PROGRESS") this.#fake?.setTask(job.id, { ...step, startTime: now });
      else if (step && job.steps.length === 0) this.#fake?.setTask(job.id, { ...step, finishTime: now });
      else if (step) this.#fake?.setTask(job.id, step);
      if (job.steps.length > 0) return this.#step(job);
      this.#running.delete(job.id);
      this.#startWaiting();
    }, this.#stepMs);
    job.timer.unref();
  }

  /** A new job's first state: the proxies' submitted task, with this job's id, prompt and times. */
  #task(id: string, action: string, prompt: string, state: string): TaskJson {
    const submitted = structuredClone(TASK_TEMPLATES["imagine-submitted.json"]);
    return { ...submitted, id, action, prompt, promptEn: prompt, state, submitTime: Date.now() };
  }

  #gridJob(action: string, prompt: string, scene: Scene, common: Submitter): Json {
    const id = newTaskId();
    const hash = randomUUID();
    const job: Job = { id, scene, kind: "grid", steps: [] };
    job.steps = [
      { status: "IN_PROGRESS", progress: "0%" },
      ...GRID_PROGRESS.map(([percent, blur]) => ({
        progress: `${percent}%`,
        imageUrl: this.#imageUrl(id, `preview-${percent}`, { layout: "grid", scene, blur }),
      })),
      {
        status: "SUCCESS",
        progress: "100%",
        imageUrl: this.#imageUrl(id, "grid", { layout: "grid", scene }),
        buttons: gridButtons(hash),
        properties: { finalPrompt: prompt, messageHash: hash, discordInstanceId: "1190000000000000001" },
      },
    ];
    return this.#start(job, this.#task(id, action, prompt, common.state), common);
  }

  #singleJob(action: string, prompt: string, scene: Scene, withUpscales: boolean, common: Submitter): Json {
    const id = newTaskId();
    const hash = randomUUID();
    const job: Job = { id, scene, kind: "single", steps: [] };
    job.steps = [
      { status: "IN_PROGRESS", progress: "0%" },
      { progress: "50%" },
      {
        status: "SUCCESS",
        progress: "100%",
        imageUrl: this.#imageUrl(id, "upscale", { layout: "single", scene }),
        buttons: upscaleButtons(hash, withUpscales),
        properties: { finalPrompt: prompt, messageHash: hash },
      },
    ];
    return this.#start(job, this.#task(id, action, prompt, common.state), common);
  }

  #bannedJob(prompt: string, word: string, common: Submitter): Json {
    const id = newTaskId();
    const job: Job = { id, kind: "grid", steps: [] };
    job.steps = [
      {
        status: "FAILURE",
        progress: "",
        failReason: `Banned prompt detected: "${word}". Sorry! Our AI moderator thinks this prompt is probably against our community standards.`,
      },
    ];
    return this.#start(job, this.#task(id, "IMAGINE", prompt, common.state), common);
  }

  #describeJob(upload: PublicFile | undefined, drawnFrom: string | undefined, common: Submitter): Json {
    if (!upload) return refused(4, "base64 is required");
    const id = newTaskId();
    const suggestions = describePrompts(drawnFrom);
    const job: Job = { id, kind: "single", steps: [], suggestions, upload };
    const keycaps = ["1️⃣", "2️⃣", "3️⃣", "4️⃣"];
    job.steps = [
      { status: "IN_PROGRESS", progress: "0%" },
      {
        status: "SUCCESS",
        progress: "100%",
        imageUrl: this.#imageUrl(id, "input", upload),
        promptEn: suggestions.map((text, i) => `${keycaps[i]} ${text}`).join("\n\n"),
        buttons: [
          ...numberedButtons("MJ::Job::PicReader", 4),
          button("MJ::Picread::Retry", "", "🔄"),
          button("MJ::Job::PicReader::all", "Imagine all", "🎉"),
        ],
      },
    ];
    return this.#start(job, { ...this.#task(id, "DESCRIBE", "", common.state), promptEn: "" }, common);
  }

  #shortenJob(prompt: string, common: Submitter): Json {
    const id = newTaskId();
    const suggestions = shortenPrompts(prompt);
    const job: Job = { id, kind: "single", steps: [], suggestions };
    const keycaps = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣"];
    job.steps = [
      { status: "IN_PROGRESS", progress: "0%" },
      {
        status: "SUCCESS",
        progress: "100%",
        // Where the proxies put shorten's result.
        description: `**Shortened prompts**\n${suggestions.map((text, i) => `${keycaps[i]} ${text}`).join("\n")}`,
        buttons: numberedButtons("MJ::Job::PromptAnalyzer", 5),
      },
    ];
    return this.#start(job, this.#task(id, "SHORTEN", prompt, common.state), common);
  }

  /** A MODAL task waiting for its form (code 21), as proxies answer Custom Zoom, Vary (Region) and describe's buttons. */
  #formTask(
    action: string,
    form: NonNullable<Job["form"]>,
    finalPrompt: string,
    picture: JobPicture,
    common: Submitter,
  ): Json {
    const fake = this.#fake as FakeMj;
    const id = newTaskId();
    this.#jobs.set(id, { id, steps: [], form, ...picture });
    fake.addTask(
      { ...this.#task(id, action, "", common.state), status: "MODAL", properties: { finalPrompt } },
      { steps: [] },
      common.notifyHook ? { notifyHook: common.notifyHook } : {},
    );
    return { code: 21, description: "Waiting for window confirm", result: id, properties: { finalPrompt } };
  }

  #action(taskId: string, customId: string, common: Submitter): Json {
    const fake = this.#fake as FakeMj;
    const parent = fake.task(taskId);
    const job = this.#jobs.get(taskId);
    if (!parent || !job) return refused(3, "task not found");
    const buttons = Array.isArray(parent.buttons) ? (parent.buttons as Json[]) : [];
    if (!buttons.some((button) => button.customId === customId)) return refused(4, "unknown customId");
    const prompt = String(parent.prompt || parent.promptEn || "");
    const scene = job.scene ?? { prompt, seed: 0 };
    const tile = Number(/::(?:upsample|variation)::(\d)::/.exec(customId)?.[1] ?? 1);
    const tileScene = job.kind === "grid" ? { ...scene, seed: scene.seed + tile - 1 } : scene;

    const picker = /^MJ::Job::(PicReader|PromptAnalyzer)::(\d)$/.exec(customId);
    if (picker) {
      const chosen = job.suggestions?.[Number(picker[2]) - 1] ?? prompt;
      return this.#formTask("IMAGINE", "prompt", chosen, { kind: "grid" }, common);
    }
    if (customId === "MJ::Picread::Retry") return this.#describeJob(job.upload, undefined, common);
    if (/::upsample::\d::/.test(customId)) return this.#singleJob("UPSCALE", prompt, tileScene, true, common);
    if (/::upsample_/.test(customId)) return this.#singleJob("UPSCALE", prompt, scene, false, common);
    if (customId.includes("::reroll::"))
      return this.#gridJob("REROLL", prompt, { ...scene, seed: scene.seed + 4 }, common);
    if (/::(low_|high_)?variation::/.test(customId)) {
      const strong = customId.includes("::high_variation::") ? 40 : 20;
      const seed = tileScene.seed * 31 + strong + tile;
      return this.#gridJob("VARIATION", prompt, { ...tileScene, seed }, common);
    }
    const outpaint = /^MJ::Outpaint::(\d+)::/.exec(customId);
    if (outpaint) {
      const zoom = (scene.zoom ?? 1) * (100 / Number(outpaint[1]));
      return this.#gridJob("ZOOM", prompt, { ...scene, zoom }, common);
    }
    const pan = /::pan_(left|right|up|down)::/.exec(customId)?.[1];
    if (pan) {
      const dx = { left: -0.3, right: 0.3, up: 0, down: 0 }[pan as "left"] ?? 0;
      const dy = { left: 0, right: 0, up: -0.3, down: 0.3 }[pan as "up"] ?? 0;
      return this.#gridJob(
        "PAN",
        prompt,
        { ...scene, panX: (scene.panX ?? 0) + dx, panY: (scene.panY ?? 0) + dy },
        common,
      );
    }
    if (customId.startsWith("MJ::CustomZoom::"))
      return this.#formTask("ZOOM", "zoom", `${prompt} --zoom 2`, { scene, kind: "grid" }, common);
    if (customId.startsWith("MJ::Inpaint::"))
      return this.#formTask("INPAINT", "region", prompt, { scene, kind: "grid" }, common);
    // What new-api answers for the buttons it does not relay (❤️, Imagine all).
    return refused(4, "unknown_action");
  }

  #modal(taskId: string, prompt: string, mask: unknown, common: Submitter): Json {
    const form = this.#jobs.get(taskId);
    if (this.#fake?.task(taskId)?.status !== "MODAL" || !form?.form)
      return refused(4, "task is not waiting for a modal");
    if (form.form === "region" && !mask) return refused(4, "maskBase64 is required");
    const text = prompt.trim();
    if (!text) return refused(4, "prompt is required");
    this.#fake.setTask(taskId, { status: "SUCCESS", progress: "100%", finishTime: Date.now() });
    if (form.form === "prompt") return this.#gridJob("IMAGINE", text, { prompt: text, seed: 0 }, common);
    const zoom = Number(/--zoom\s+([\d.]+)/.exec(text)?.[1] ?? 1) || 1;
    const scene = form.scene ?? { prompt: text, seed: 0 };
    const action = form.form === "zoom" ? "CUSTOM_ZOOM" : "INPAINT";
    return this.#gridJob(
      action,
      text,
      { ...scene, prompt: text, zoom: (scene.zoom ?? 1) * Math.max(1, zoom) },
      common,
    );
  }
}
