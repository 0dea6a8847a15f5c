// Finds the elements of a JSON array in its bytes without parsing them. A poll answers up to a
// thousand tasks per call and most have not changed since the last one: comparing their bytes
// is far cheaper than decoding and building a thousand objects. The structural characters are
// ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte character, so bytes suffice.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Each element of the JSON array in `json`, as a view of its bytes; null when `json` is not an
 * array. Only the array's own structure is checked: an element is checked when it is parsed.
 */
export function splitJsonArray(json: Uint8Array): Uint8Array[] | null {
  let at = skipWhitespace(json, 0);
  if (json[at] !== OPEN_ARRAY) return null;
  at = skipWhitespace(json, at + 1);
  const elements: Uint8Array[] = [];
  if (json[at] === CLOSE_ARRAY) return endsAt(json, at + 1) ? elements : null;
  for (;;) {
    const end = valueEnd(json, at);
    if (end < 0) return null;
    elements.push(json.subarray(at, end));
    at = skipWhitespace(json, end);
    const next = json[at];
    if (next === CLOSE_ARRAY) return endsAt(json, at + 1) ? elements : null;
    if (next !== COMMA) return null;
    at = skipWhitespace(json, at + 1);
  }
}

/** Index just after the value starting at `start`; -1 when it does not end. */
function valueEnd(json: Uint8Array, start: number): number {
  const first = json[start];
  if (first === QUOTE) return stringEnd(json, start);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    // A number, true, false or null: up to the next delimiter.
    let at = start;
    while (at < json.length && !isDelimiter(json[at]!)) at++;
    return at > start ? at : -1;
  }
  let depth = 0;
  for (let at = start; at < json.length; at++) {
    const byte = json[at];
    if (byte === QUOTE) {
      const end = stringEnd(json, at);
      if (end < 0) return -1;
      at = end - 1;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return at + 1;
    }
  }
  return -1;
}

/** Index just after the string starting at `start` (on its opening quote); -1 when unterminated. */
function stringEnd(json: Uint8Array, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = json.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    // Escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    while (json[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function isDelimiter(byte: number): boolean {
  return byte === COMMA || byte === CLOSE_ARRAY || byte === CLOSE_OBJECT || isWhitespace(byte);
}

function skipWhitespace(json: Uint8Array, start: number): number {
  let at = start;
  while (at < json.length && isWhitespace(json[at])) at++;
  return at;
}

function endsAt(json: Uint8Array, at: number): boolean {
  return skipWhitespace(json, at) === json.length;
}
