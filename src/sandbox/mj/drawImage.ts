// Draws the simulated Midjourney's pictures from the prompt: colour words pick the palette, time
// words the sky, and a few subjects (animals, towers, cities, trees) stand on layered hills. The
// same prompt and seed always give the same picture; zoom and pan move the camera over it, and a
// preview is the same picture at a lower resolution, as Midjourney's previews are.
import { encodePng } from "./png.js";

export interface Scene {
  prompt: string;
  /** Which of the prompt's pictures: the four grid tiles and every derived job differ by it. */
  seed: number;
  /** > 1 shows more around the picture (Zoom Out); pan shifts the camera (in picture widths). */
  zoom?: number;
  panX?: number;
  panY?: number;
}

type Rgb = [number, number, number];

interface Hill {
  base: number;
  waves: { amplitude: number; frequency: number; phase: number }[];
  colour: Rgb;
}

const HUES: [RegExp, number][] = [
  [/\b(red|crimson|scarlet|ruby)\b/, 6],
  [/\b(orange|amber|copper|autumn)\b/, 26],
  [/\b(gold|golden|yellow|sunflower)\b/, 46],
  [/\b(green|emerald|jade|forest)\b/, 135],
  [/\b(teal|turquoise|cyan|aqua)\b/, 180],
  [/\b(blue|azure|sapphire|navy)\b/, 215],
  [/\b(purple|violet|indigo|lavender)\b/, 270],
  [/\b(pink|magenta|rose)\b/, 325],
];
const ANIMALS =
  /\b(fox|cat|kitten|dog|puppy|shiba|wolf|bear|rabbit|bunny|deer|tiger|lion|horse|corgi|panda|owl)\b/;
const TOWERS = /\b(lighthouse|tower|castle|spire|windmill)\b/;
const CITIES = /\b(city|town|skyline|street|village|cyberpunk)\b/;

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hsl(h: number, s: number, l: number): Rgb {
  const hue = (((h % 360) + 360) % 360) / 360;
  const k = (n: number) => (n + hue * 12) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0) * 255, f(8) * 255, f(4) * 255];
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const k = Math.max(0, Math.min(1, t));
  return [a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k, a[2] + (b[2] - a[2]) * k];
}

/** Everything about a picture that does not change from pixel to pixel. */
function plan(scene: Scene) {
  const words = scene.prompt.toLowerCase();
  const rnd = random(hash(words) ^ Math.imul(scene.seed + 1, 0x9e3779b1));
  const hue = HUES.find(([pattern]) => pattern.test(words))?.[1] ?? hash(words) % 360;
  const time = /\b(night|moon|starry|midnight|stars)\b/.test(words)
    ? "night"
    : /\b(sunset|dusk|dawn|sunrise|evening|twilight)\b/.test(words)
      ? "dusk"
      : "day";
  const subject = ANIMALS.test(words)
    ? "animal"
    : TOWERS.test(words)
      ? "tower"
      : CITIES.test(words)
        ? "city"
        : "trees";
  const skies: Record<typeof time, [Rgb, Rgb]> = {
    day: [hsl(212, 0.62, 0.52), mix(hsl(200, 0.55, 0.86), hsl(hue, 0.6, 0.8), 0.3)],
    dusk: [hsl(262, 0.45, 0.28), mix(hsl(24, 0.88, 0.64), hsl(hue, 0.7, 0.6), 0.25)],
    night: [hsl(232, 0.55, 0.07), hsl(228, 0.42, 0.26)],
  };
  const horizon = 0.56 + rnd() * 0.08;
  const water = /\b(sea|ocean|lake|beach|river|harbou?r|shore|coast|island)\b/.test(words);
  const colourWord = HUES.some(([pattern]) => pattern.test(words));
  const landHue = /\b(snow|winter|ice)\b/.test(words)
    ? 210
    : colourWord && !ANIMALS.test(words)
      ? hue
      : { day: 115, dusk: 285, night: 230 }[time];
  // By water only the far hills and a near shore are land; the lake lies between them.
  const bases = water ? [horizon - 0.05, horizon - 0.01, 0.88] : [horizon, horizon + 0.1, horizon + 0.2];
  const hills: Hill[] = bases.map((base, layer) => ({
    base: base + rnd() * 0.03,
    waves: [1, 2, 3].map((octave) => ({
      amplitude: (0.06 / octave) * (1 - layer * 0.2) * (0.6 + rnd() * 0.8),
      frequency: octave * (1.2 + rnd() * 1.6),
      phase: rnd() * Math.PI * 2,
    })),
    colour: mix(
      hsl(landHue - layer * 8, /\b(snow|winter|ice)\b/.test(words) ? 0.15 : 0.4, 0.5 - layer * 0.14),
      skies[time][1],
      0.55 - layer * 0.25,
    ),
  }));
  const subjectX = 0.3 + rnd() * 0.4;
  const leafHue = colourWord && subject === "trees" ? hue : 130;
  const colours = {
    fur: hsl(hue, 0.72, 0.5),
    pale: hsl(hue, 0.3, 0.9),
    legs: hsl(hue, 0.5, 0.2),
    stripe: hsl(hue, 0.7, 0.45),
    paint: hsl(40, 0.2, 0.92),
    lamp: hsl(50, 1, time === "day" ? 0.7 : 0.8),
    window: hsl(48, 0.9, time === "day" ? 0.55 : 0.72),
    wall: hsl(hue + 200, 0.2, time === "day" ? 0.32 : 0.14),
    leaves: [0, 1, 2].map((tier) => hsl(leafHue, 0.45, 0.18 + tier * 0.04)),
    trunk: hsl(25, 0.4, 0.2),
    light: time === "night" ? hsl(55, 0.3, 0.92) : time === "dusk" ? hsl(28, 1, 0.62) : hsl(50, 1, 0.85),
  };
  const trees = [-0.22, -0.08, 0.07, 0.19];
  return {
    colours,
    time,
    subject,
    sky: skies[time],
    horizon,
    water,
    sun: { x: 0.15 + rnd() * 0.7, y: 0.14 + rnd() * 0.22, r: 0.06 + rnd() * 0.04 },
    hills,
    subjectX,
    trees,
    treeBases: trees.map((offset) => hillTop(hills[2] as Hill, subjectX + offset)),
    facing: rnd() < 0.5 ? 1 : -1,
    buildings: Array.from({ length: 9 }, () => ({ width: 0.05 + rnd() * 0.06, height: 0.1 + rnd() * 0.25 })),
    stars: rnd() * 1000,
  };
}

type Plan = ReturnType<typeof plan>;

function hillTop(hill: Hill, x: number): number {
  let y = hill.base;
  for (const wave of hill.waves)
    y -= wave.amplitude * Math.sin(x * wave.frequency * Math.PI * 2 + wave.phase);
  return y;
}

function inEllipse(x: number, y: number, cx: number, cy: number, rx: number, ry: number): boolean {
  const dx = (x - cx) / rx;
  const dy = (y - cy) / ry;
  return dx * dx + dy * dy <= 1;
}

function inTriangle(x: number, y: number, a: [number, number], b: [number, number], c: [number, number]) {
  const side = (p: [number, number], q: [number, number]) =>
    (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const d1 = side(a, b);
  const d2 = side(b, c);
  const d3 = side(c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** The subject's colour at (x, y), or null where it is not. */
function subjectAt(p: Plan, x: number, y: number, aspect: number): Rgb | null {
  const front = p.hills[2] as Hill;
  const ground = hillTop(front, p.subjectX);
  const sx = x * aspect;
  const cx = p.subjectX * aspect;
  if (p.subject === "animal") {
    const f = p.facing;
    const { fur, pale } = p.colours;
    const bodyY = ground - 0.09;
    if (inEllipse(sx, y, cx - f * 0.15, bodyY + 0.01, 0.1, 0.032)) return f * (sx - cx) < -0.2 ? pale : fur;
    if (inEllipse(sx, y, cx, bodyY, 0.12, 0.06)) return y > bodyY + 0.035 ? pale : fur;
    const hx = cx + f * 0.11;
    const hy = bodyY - 0.07;
    if (inTriangle(sx, y, [hx - 0.045, hy - 0.02], [hx - 0.025, hy - 0.1], [hx, hy - 0.03])) return fur;
    if (inTriangle(sx, y, [hx + 0.045, hy - 0.02], [hx + 0.025, hy - 0.1], [hx, hy - 0.03])) return fur;
    if (inEllipse(sx, y, hx + f * 0.045, hy + 0.015, 0.025, 0.018)) return pale;
    if (inEllipse(sx, y, hx, hy, 0.05, 0.045)) return fur;
    for (const leg of [-0.07, -0.02, 0.04, 0.08])
      if (Math.abs(sx - (cx + leg)) < 0.012 && y > bodyY + 0.03 && y < ground + 0.01) return p.colours.legs;
    return null;
  }
  if (p.subject === "tower") {
    const top = ground - 0.42;
    const half = 0.035 + ((y - top) / 0.42) * 0.025;
    if (y > top && y < ground + 0.02 && Math.abs(sx - cx) < half) {
      return Math.floor((y - top) / 0.07) % 2 === 0 ? p.colours.stripe : p.colours.paint;
    }
    if (inEllipse(sx, y, cx, top - 0.03, 0.04, 0.035)) return p.colours.lamp;
    return null;
  }
  if (p.subject === "city") {
    let left = (p.subjectX - 0.3) * aspect;
    for (const [i, building] of p.buildings.entries()) {
      const right = left + building.width;
      const top = ground - building.height;
      if (sx >= left && sx < right && y > top) {
        const lit = (Math.floor(sx * 90) + Math.floor(y * 70) + i) % 3 === 0 && (sx * 90) % 1 < 0.5;
        if (lit && (y * 70) % 1 < 0.5) return p.colours.window;
        return p.colours.wall;
      }
      left = right + 0.005;
    }
    return null;
  }
  for (const [i, offset] of p.trees.entries()) {
    const tx = cx + offset;
    if (Math.abs(sx - tx) > 0.075) continue;
    const base = (p.treeBases[i] ?? ground) + 0.01;
    const height = 0.22 + Math.abs(offset) * 0.3;
    if (y < base - height || y > base + 0.02) continue;
    for (let tier = 0; tier < 3; tier++) {
      const tierTop = base - height + tier * height * 0.25;
      const width = 0.035 + tier * 0.018;
      if (
        inTriangle(
          sx,
          y,
          [tx, tierTop],
          [tx - width, tierTop + height * 0.4],
          [tx + width, tierTop + height * 0.4],
        )
      )
        return p.colours.leaves[tier] as Rgb;
    }
    if (Math.abs(sx - tx) < 0.008 && y > base - 0.05 && y < base + 0.02) return p.colours.trunk;
  }
  return null;
}

function pixel(p: Plan, x: number, y: number, aspect: number): Rgb {
  const subject = subjectAt(p, x, y, aspect);
  if (subject) return subject;
  for (let layer = p.hills.length - 1; layer >= 0; layer--) {
    const hill = p.hills[layer] as Hill;
    const farShoreEnds = p.water && layer < 2 && y > p.horizon;
    if (!farShoreEnds && y >= hillTop(hill, x)) return mix(hill.colour, [0, 0, 0], (y - hill.base) * 0.6);
  }
  let skyY = y;
  let dim = 0;
  if (p.water && y > p.horizon) {
    // The lake mirrors the sky, darker, with ripples.
    skyY = 2 * p.horizon - y + Math.sin(y * 180 + x * 7) * 0.004;
    dim = 0.25 + (y - p.horizon) * 0.6;
  }
  let colour = mix(p.sky[0], p.sky[1], Math.max(0, skyY) / p.horizon);
  const dx = (x - p.sun.x) * aspect;
  const dy = skyY - p.sun.y;
  const distance = Math.sqrt(dx * dx + dy * dy);
  const light = p.colours.light;
  if (distance < p.sun.r) colour = light;
  else colour = mix(colour, light, Math.max(0, 0.35 - (distance - p.sun.r) * 1.2));
  if (p.time === "night") {
    const cell = Math.floor(x * 97 + p.stars) * 7919 + Math.floor(skyY * 61) * 104729;
    if (random(cell)() > 0.985) colour = mix(colour, [255, 255, 240], 0.8);
  }
  return mix(colour, [0, 0, 0], dim);
}

/** One picture, `width` × `height` pixels (RGB). */
export function drawScene(scene: Scene, width: number, height: number): Uint8Array {
  const p = plan(scene);
  const aspect = width / height;
  const zoom = scene.zoom ?? 1;
  const out = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const x = ((col + 0.5) / width - 0.5) * zoom + 0.5 + (scene.panX ?? 0);
      const y = ((row + 0.5) / height - 0.5) * zoom + 0.5 + (scene.panY ?? 0);
      let colour = pixel(p, x, y, aspect);
      // A soft vignette, as most Midjourney pictures have.
      const edge = Math.hypot((col / width - 0.5) * 1.4, (row / height - 0.5) * 1.4);
      colour = mix(colour, [0, 0, 0], Math.max(0, edge - 0.55) * 0.5);
      const at = (row * width + col) * 3;
      out[at] = colour[0];
      out[at + 1] = colour[1];
      out[at + 2] = colour[2];
    }
  }
  return out;
}

/** Enlarges an RGB picture by bilinear filtering: how a low-resolution preview looks blurred. */
function enlarge(source: Uint8Array, sw: number, sh: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const fy = Math.min(sh - 1, Math.max(0, ((row + 0.5) / height) * sh - 0.5));
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    const r0 = y0 * sw * 3;
    const r1 = Math.min(sh - 1, y0 + 1) * sw * 3;
    for (let col = 0; col < width; col++) {
      const fx = Math.min(sw - 1, Math.max(0, ((col + 0.5) / width) * sw - 0.5));
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const c0 = x0 * 3;
      const c1 = Math.min(sw - 1, x0 + 1) * 3;
      const at = (row * width + col) * 3;
      for (let c = 0; c < 3; c++) {
        const top = (source[r0 + c0 + c] as number) * (1 - tx) + (source[r0 + c1 + c] as number) * tx;
        const bottom = (source[r1 + c0 + c] as number) * (1 - tx) + (source[r1 + c1 + c] as number) * tx;
        out[at + c] = top + (bottom - top) * ty;
      }
    }
  }
  return out;
}

/** A box blur of `radius` pixels along rows, then columns (running sums: cost independent of the radius). */
function boxBlur(pixels: Uint8Array, width: number, height: number, radius: number): void {
  const pass = (count: number, length: number, index: (line: number, i: number) => number) => {
    const line = new Float64Array(length * 3);
    for (let l = 0; l < count; l++) {
      for (let i = 0; i < length; i++)
        for (let c = 0; c < 3; c++) line[i * 3 + c] = pixels[index(l, i) + c] as number;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let i = -radius; i <= radius; i++)
          sum += line[Math.min(length - 1, Math.max(0, i)) * 3 + c] as number;
        for (let i = 0; i < length; i++) {
          pixels[index(l, i) + c] = sum / (radius * 2 + 1);
          sum +=
            (line[Math.min(length - 1, i + radius + 1) * 3 + c] as number) -
            (line[Math.max(0, i - radius) * 3 + c] as number);
        }
      }
    }
  };
  pass(height, width, (row, col) => (row * width + col) * 3);
  pass(width, height, (col, row) => (row * width + col) * 3);
}

export interface Picture {
  /** One picture, or the 2 × 2 grid of four (seeds seed … seed + 3). */
  layout: "single" | "grid";
  scene: Scene;
  /** 1 is sharp; 8 is drawn at an eighth of the resolution and enlarged (an early preview). */
  blur?: number;
}

/** The picture's size from the prompt's `--ar w:h` (1:1 without one), the long side `longSide` pixels. */
export function pictureSize(prompt: string, longSide: number): { width: number; height: number } {
  const ratio = /--(?:ar|aspect)\s+(\d+)\s*:\s*(\d+)/.exec(prompt);
  const w = Number(ratio?.[1] ?? 1) || 1;
  const h = Number(ratio?.[2] ?? 1) || 1;
  const scale = longSide / Math.max(w, h);
  return { width: Math.max(16, Math.round(w * scale)), height: Math.max(16, Math.round(h * scale)) };
}

export function renderPicture(picture: Picture, longSide = 512): Buffer {
  const { width, height } = pictureSize(picture.scene.prompt, longSide);
  const blur = Math.max(1, picture.blur ?? 1);
  const draw = (scene: Scene, w: number, h: number) => {
    const small = drawScene(scene, Math.max(4, Math.round(w / blur)), Math.max(4, Math.round(h / blur)));
    if (blur === 1) return small;
    const large = enlarge(small, Math.max(4, Math.round(w / blur)), Math.max(4, Math.round(h / blur)), w, h);
    // Twice, for the soft look of Midjourney's early previews rather than visible blocks.
    const radius = Math.round(blur * 0.7);
    boxBlur(large, w, h, radius);
    boxBlur(large, w, h, radius);
    return large;
  };
  if (picture.layout === "single") return encodePng(width, height, draw(picture.scene, width, height));
  const tileW = Math.floor(width / 2);
  const tileH = Math.floor(height / 2);
  const grid = new Uint8Array(tileW * 2 * tileH * 2 * 3);
  for (let tile = 0; tile < 4; tile++) {
    const pixels = draw({ ...picture.scene, seed: picture.scene.seed + tile }, tileW, tileH);
    const left = (tile % 2) * tileW;
    const top = Math.floor(tile / 2) * tileH;
    for (let row = 0; row < tileH; row++) {
      const from = row * tileW * 3;
      grid.set(pixels.subarray(from, from + tileW * 3), ((top + row) * tileW * 2 + left) * 3);
    }
  }
  return encodePng(tileW * 2, tileH * 2, grid);
}
