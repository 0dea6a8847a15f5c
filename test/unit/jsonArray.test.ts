import { describe, expect, it } from "vitest";
import { splitJsonArray } from "../../src/mj/jsonArray.js";
import { readFixture } from "../support/fixtures.js";

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
      const elements = splitJsonArray(text);
      expect(elements?.map((element) => JSON.parse(element))).toEqual(tricky);
    }
  });

  it("reads the list-by-condition fixture and empty arrays", () => {
    const text = JSON.stringify(readFixture("list-by-condition.json"));
    expect(splitJsonArray(text)?.map((element) => JSON.parse(element))).toEqual(JSON.parse(text));
    expect(splitJsonArray("[]")).toEqual([]);
    expect(splitJsonArray(" [ \n ] ")).toEqual([]);
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
      expect(splitJsonArray(text), text).toBeNull();
    }
  });
});
