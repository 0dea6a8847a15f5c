import { describe, expect, it } from "vitest";
import { splitJsonArray } from "../../src/mj/jsonArray.js";
import { readFixture } from "../support/fixtures.js";

/** The elements of the array in `text`, parsed back; null when it is not one. */
function elementsOf(text: string): unknown[] | null {
  const decoder = new TextDecoder();
  return splitJsonArray(Buffer.from(text))?.map((bytes) => JSON.parse(decoder.decode(bytes))) ?? null;
}

const tricky: unknown[] = [
  readFixture("imagine-success.json"),
  { id: "1", prompt: 'quotes " and \\ backslashes, brackets ] } [ { and commas, , ,', buttons: [] },
  {
    nested: { deeper: [[1, 2], { "]": "[" }], empty: {} },
    unicode: "猫 \u2028 \ud83d\ude00",
    escaped: '\\"',
  },
  [],
  [1, [2, [3]]],
  "a string with ] and ,",
  42,
  -1.5e10,
  true,
  false,
  null,
  {},
];

describe("splitJsonArray", () => {
  it("gives the text of each element, whatever the elements hold and however the array is laid out", () => {
    for (const text of [
      JSON.stringify(tricky),
      JSON.stringify(tricky, null, 2),
      ` \n[ ${tricky.map((t) => JSON.stringify(t)).join(" ,\n\t")} ] \r\n`,
    ]) {
      expect(elementsOf(text)).toEqual(tricky);
    }
  });

  it("reads the list-by-condition fixture and empty arrays", () => {
    const text = JSON.stringify(readFixture("list-by-condition.json"));
    expect(elementsOf(text)).toEqual(JSON.parse(text));
    expect(elementsOf("[]")).toEqual([]);
    expect(elementsOf(" [ \n ] ")).toEqual([]);
  });

  it("returns null for anything that is not one complete array", () => {
    for (const text of [
      "",
      "{}",
      '"[1]"',
      "[1,",
      "[1 2]",
      "[1]x",
      "[1],[2]",
      '["abc]',
      "[{]",
      "[,1]",
      "[1,]",
      "null",
    ]) {
      expect(elementsOf(text), text).toBeNull();
    }
  });
});
