// Rendering runs for every edit, and a few of its steps are costly for what they are (parsing a
// URL, testing the RGI emoji set): their answers for recent inputs are kept. The inputs repeat from
// one state of a task to the next (the same grid link, the same button emoji), so a small table
// holds most of them; when it is full it starts over, so its size never grows past `size`.

/** `fn`, a pure function of one string, answering from a table of up to `size` recent inputs. */
export function memoized<T>(fn: (input: string) => T, size: number): (input: string) => T {
  const answers = new Map<string, T>();
  return (input) => {
    const known = answers.get(input);
    if (known !== undefined || answers.has(input)) return known as T;
    const answer = fn(input);
    if (answers.size >= size) answers.clear();
    answers.set(input, answer);
    return answer;
  };
}
