// Rendering runs for every edit, and a few of its steps are costly for what they are (parsing a
// URL, testing the RGI emoji set): their answers for recent inputs are kept. The inputs repeat from
// one state of a task to the next (the same grid link, the same button emoji), so a small table
// holds most of them; when it is full it starts over. Inputs longer than `maxInputLength` are never
// kept (a feed's callback may send anything), so the table never holds more than
// size × maxInputLength characters.

export interface MemoLimits {
  /** Answers kept at most. */
  size: number;
  /** Longer inputs are answered without being kept. */
  maxInputLength: number;
}

/** `fn`, a pure function of one string, answering from a table of recent inputs. */
export function memoized<T>(fn: (input: string) => T, limits: MemoLimits): (input: string) => T {
  const answers = new Map<string, T>();
  return (input) => {
    if (input.length > limits.maxInputLength) return fn(input);
    const known = answers.get(input);
    if (known !== undefined || answers.has(input)) return known as T;
    const answer = fn(input);
    if (answers.size >= limits.size) answers.clear();
    answers.set(input, answer);
    return answer;
  };
}
