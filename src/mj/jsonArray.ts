// Splits a JSON array into the text of its elements without parsing them. A poll answers up to a
// thousand tasks per call and most have not changed since the last one: comparing their text is
// far cheaper than building and validating a thousand objects.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * The text of each element of the JSON array in `text`; null when `text` is not an array. Only
 * the array's own structure is checked: an element is checked when it is parsed.
 */
export function splitJsonArray(text: string): string[] | null {
  let at = skipWhitespace(text, 0);
  if (text.charCodeAt(at) !== OPEN_ARRAY) return null;
  at = skipWhitespace(text, at + 1);
  const elements: string[] = [];
  if (text.charCodeAt(at) === CLOSE_ARRAY) return endsAt(text, at + 1) ? elements : null;
  for (;;) {
    const end = valueEnd(text, at);
    if (end < 0) return null;
    elements.push(text.slice(at, end));
    at = skipWhitespace(text, end);
    const next = text.charCodeAt(at);
    if (next === CLOSE_ARRAY) return endsAt(text, at + 1) ? elements : null;
    if (next !== COMMA) return null;
    at = skipWhitespace(text, at + 1);
  }
}

/** Index just after the value starting at `start`; -1 when it does not end. */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) return stringEnd(text, start);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    // A number, true, false or null: up to the next delimiter.
    let at = start;
    while (at < text.length && !isDelimiter(text.charCodeAt(at))) at++;
    return at > start ? at : -1;
  }
  let depth = 0;
  for (let at = start; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      const end = stringEnd(text, at);
      if (end < 0) return -1;
      at = end - 1;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth++;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return at + 1;
    }
  }
  return -1;
}

/** Index just after the string starting at `start` (on its opening quote); -1 when unterminated. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    // Escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function isDelimiter(code: number): boolean {
  return code === COMMA || code === CLOSE_ARRAY || code === CLOSE_OBJECT || isWhitespace(code);
}

function skipWhitespace(text: string, start: number): number {
  let at = start;
  while (at < text.length && isWhitespace(text.charCodeAt(at))) at++;
  return at;
}

function endsAt(text: string, at: number): boolean {
  return skipWhitespace(text, at) === text.length;
}
