// Word commands (Klipper's names for the probe tools) in the command-line parser: the word, its
// KEY=VALUE parameters, Klipper's bisection steps, and what is refused.
import * as parser from "../../assembly/gcode/parser";
import { rom } from "../../assembly/rom";

const P: u32 = 80;
const S: u32 = 83;
const X: u32 = 88;
const Y: u32 = 89;
const Z: u32 = 90;

let held: ArrayBuffer = new ArrayBuffer(0);

function word(s: string): bool {
  held = String.UTF8.encode(s);
  return parser.parseWord(changetype<usize>(held), <u32>held.byteLength);
}

function parse(s: string): bool {
  return word(s) && parser.parseWordParams();
}

describe("parseWord", () => {
  it("reads a word command and matches it by name in either case", () => {
    expect<bool>(word("PROBE_ACCURACY SAMPLES=5")).toBe(true);
    expect<bool>(parser.wordIs(rom("PROBE_ACCURACY"))).toBe(true);
    expect<bool>(parser.wordIs(rom("PROBE"))).toBe(false);
    expect<bool>(word("  testz Z=-0.1")).toBe(true);
    expect<bool>(parser.wordIs(rom("TESTZ"))).toBe(true);
    expect<bool>(word("ACCEPT")).toBe(true);
    expect<bool>(parser.wordIs(rom("ACCEPT"))).toBe(true);
    expect<bool>(parser.wordIs(rom("ABORT"))).toBe(false);
  });

  it("does not take a prefix or a longer word for the command", () => {
    expect<bool>(word("PROBES")).toBe(true);
    expect<bool>(parser.wordIs(rom("PROBE"))).toBe(false);
    expect<bool>(word("PROB")).toBe(true);
    expect<bool>(parser.wordIs(rom("PROBE"))).toBe(false);
  });

  it("refuses what is not a word of two or more characters", () => {
    expect<bool>(word("")).toBe(false);
    expect<bool>(word("X")).toBe(false);
    expect<bool>(word("_PROBE")).toBe(false);
    expect<bool>(word("9PROBE")).toBe(false);
    expect<bool>(word("PROBE=1")).toBe(false);
  });
});

describe("parseWordParams", () => {
  it("reads KEY=VALUE pairs, SAMPLES as S and PAPER as P", () => {
    expect<bool>(parse("PROBE_ACCURACY SAMPLES=20 X=137 y=105.5")).toBe(true);
    expect<f32>(parser.value(S)).toBe(20);
    expect<f32>(parser.value(X)).toBe(137);
    expect<f32>(parser.value(Y)).toBe(105.5);
    expect<bool>(parser.has(Z)).toBe(false);
    expect<bool>(parse("PROBE_CALIBRATE paper=0.09")).toBe(true);
    expect<f32>(parser.value(P)).toBe(<f32>0.09);
  });

  it("reads a signed relative height and Klipper's bisection steps", () => {
    expect<bool>(parse("TESTZ Z=-0.1")).toBe(true);
    expect<f32>(parser.value(Z)).toBe(<f32>-0.1);
    expect<i32>(parser.bisectStep(Z)).toBe(0);
    expect<bool>(parse("TESTZ Z=+")).toBe(true);
    expect<bool>(parser.hasValue(Z)).toBe(false);
    expect<i32>(parser.bisectStep(Z)).toBe(1);
    expect<bool>(parse("TESTZ Z=++")).toBe(true);
    expect<i32>(parser.bisectStep(Z)).toBe(2);
    expect<bool>(parse("TESTZ Z=-")).toBe(true);
    expect<i32>(parser.bisectStep(Z)).toBe(-1);
    expect<bool>(parse("TESTZ Z=--")).toBe(true);
    expect<i32>(parser.bisectStep(Z)).toBe(-2);
  });

  it("refuses unknown keys, missing values, mixed signs and G-code style parameters", () => {
    expect<bool>(parse("PROBE_ACCURACY SPEED=5")).toBe(false);
    expect<bool>(parse("PROBE_ACCURACY SAMPLES=")).toBe(false);
    expect<bool>(parse("PROBE_ACCURACY SAMPLES=5x")).toBe(false);
    expect<bool>(parse("TESTZ Z=+-")).toBe(false);
    expect<bool>(parse("TESTZ Z=+++")).toBe(false);
    expect<bool>(parse("TESTZ Z-0.1")).toBe(false);
    expect<bool>(parse("TESTZ =1")).toBe(false);
  });

  it("forgets the parameters of the previous line", () => {
    expect<bool>(parse("TESTZ Z=+")).toBe(true);
    expect<bool>(parse("ACCEPT")).toBe(true);
    expect<bool>(parser.has(Z)).toBe(false);
    expect<i32>(parser.bisectStep(Z)).toBe(0);
  });
});
