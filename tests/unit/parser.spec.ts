// The command-line parser: code and subcode, then letter-number parameters; anything that does
// not parse is refused (badAt says where) rather than guessed.
import * as parser from "../../assembly/gcode/parser";

const G: u32 = 71;
const M: u32 = 77;
const E: u32 = 69;
const F: u32 = 70;
const P: u32 = 80;
const S: u32 = 83;
const X: u32 = 88;
const Y: u32 = 89;
const Z: u32 = 90;

/** The parser keeps a pointer into the line: keep its bytes alive between calls. */
let held: ArrayBuffer = new ArrayBuffer(0);

function command(s: string): bool {
  held = String.UTF8.encode(s);
  return parser.parseCommand(changetype<usize>(held), <u32>held.byteLength);
}

/** parseCommand then parseParams; true only if both accept the line. */
function parse(s: string): bool {
  return command(s) && parser.parseParams();
}

function near(actual: f32, expected: f64, tolerance: f64 = 1e-6): bool {
  return Math.abs(<f64>actual - expected) <= tolerance;
}

describe("parseCommand", () => {
  it("reads the letter and number of a code without a subcode", () => {
    expect<bool>(command("G1 X10")).toBe(true);
    expect<u32>(parser.letter).toBe(G);
    expect<i32>(parser.code).toBe(1);
    expect<i32>(parser.subcode).toBe(-1);
    // The arguments start after the code and one blank.
    expect<u32>(parser.argsStart).toBe(3);
  });

  it("reads a subcode after a dot, as in M862.3", () => {
    expect<bool>(command("M862.3 P1")).toBe(true);
    expect<u32>(parser.letter).toBe(M);
    expect<i32>(parser.code).toBe(862);
    expect<i32>(parser.subcode).toBe(3);
    expect<u32>(parser.argsStart).toBe(7);
  });

  it("forgets the subcode of the previous line", () => {
    expect<bool>(command("M862.3")).toBe(true);
    expect<i32>(parser.subcode).toBe(3);
    expect<bool>(command("M862")).toBe(true);
    expect<i32>(parser.code).toBe(862);
    expect<i32>(parser.subcode).toBe(-1);
  });

  it("takes the command letter in either case", () => {
    expect<bool>(command("m503")).toBe(true);
    expect<u32>(parser.letter).toBe(M);
    expect<i32>(parser.code).toBe(503);
  });

  it("skips leading blanks and (comments) before the code", () => {
    expect<bool>(command("  (home first) G28")).toBe(true);
    expect<u32>(parser.letter).toBe(G);
    expect<i32>(parser.code).toBe(28);
  });

  it("refuses a line that does not start with a letter followed by digits", () => {
    expect<bool>(command("")).toBe(false);
    expect<bool>(command("   ")).toBe(false);
    expect<bool>(command("(only a comment)")).toBe(false);
    expect<bool>(command("123")).toBe(false);
    expect<bool>(command("G")).toBe(false);
    expect<bool>(command("G X1")).toBe(false);
    expect<bool>(command("GX1")).toBe(false);
    expect<bool>(command("*12")).toBe(false);
    expect<bool>(command("-1 G1")).toBe(false);
  });
});

describe("parseParams", () => {
  it("reads letter-number parameters into values", () => {
    expect<bool>(parse("G1 X10 Y20.5 F3000")).toBe(true);
    expect<bool>(parser.hasValue(X)).toBe(true);
    expect<f32>(parser.value(X)).toBe(10);
    expect<f32>(parser.value(Y)).toBe(20.5);
    expect<f32>(parser.value(F)).toBe(3000);
    expect<bool>(parser.has(Z)).toBe(false);
    expect<bool>(parser.hasValue(Z)).toBe(false);
    expect<f32>(parser.value(Z)).toBe(0);
    expect<i32>(parser.badAt).toBe(-1);
  });

  it("takes parameter letters in either case", () => {
    expect<bool>(parse("g1 x5 e-1.5")).toBe(true);
    expect<u32>(parser.letter).toBe(G);
    expect<bool>(parser.hasValue(X)).toBe(true);
    expect<f32>(parser.value(X)).toBe(5);
    expect<f32>(parser.value(E)).toBe(-1.5);
  });

  it("reads parameters written without blanks between them", () => {
    expect<bool>(parse("G1X1Y-2Z3.25")).toBe(true);
    expect<f32>(parser.value(X)).toBe(1);
    expect<f32>(parser.value(Y)).toBe(-2);
    expect<f32>(parser.value(Z)).toBe(3.25);
  });

  it("takes a letter without a number as a flag", () => {
    expect<bool>(parse("G28 X")).toBe(true);
    expect<bool>(parser.has(X)).toBe(true);
    expect<bool>(parser.hasValue(X)).toBe(false);
    expect<f32>(parser.value(X)).toBe(0);
    expect<bool>(parser.has(Y)).toBe(false);

    expect<bool>(parse("G28 X Z")).toBe(true);
    expect<bool>(parser.has(X)).toBe(true);
    expect<bool>(parser.has(Z)).toBe(true);
    expect<bool>(parser.has(Y)).toBe(false);

    expect<bool>(parse("G28 XY")).toBe(true);
    expect<bool>(parser.has(X)).toBe(true);
    expect<bool>(parser.has(Y)).toBe(true);
    expect<bool>(parser.hasValue(X) || parser.hasValue(Y)).toBe(false);

    expect<bool>(parse("G28 X(all) Y5")).toBe(true);
    expect<bool>(parser.has(X)).toBe(true);
    expect<bool>(parser.hasValue(X)).toBe(false);
    expect<f32>(parser.value(Y)).toBe(5);
  });

  it("reads signs and decimals", () => {
    expect<bool>(parse("G1 X-12.345 Y+7.5 Z.5 E-.25 F0.001")).toBe(true);
    expect<bool>(near(parser.value(X), -12.345)).toBe(true);
    expect<bool>(near(parser.value(Y), 7.5)).toBe(true);
    expect<bool>(near(parser.value(Z), 0.5)).toBe(true);
    expect<bool>(near(parser.value(E), -0.25)).toBe(true);
    expect<bool>(near(parser.value(F), 0.001, 1e-9)).toBe(true);
  });

  it("reads up to 9 significant integer digits; leading zeros do not count", () => {
    expect<bool>(parse("G4 P123456789")).toBe(true);
    expect<f32>(parser.value(P)).toBe(<f32>123456789);
    expect<bool>(parse("G4 P0000000000007")).toBe(true);
    expect<f32>(parser.value(P)).toBe(7);
  });

  it("refuses a number with more than 9 integer digits", () => {
    expect<bool>(command("G4 P1234567890")).toBe(true);
    expect<bool>(parser.parseParams()).toBe(false);
    expect<i32>(parser.badAt).toBe(3);
    expect<bool>(parser.hasValue(P)).toBe(false);
  });

  it("skips (comments) between parameters", () => {
    expect<bool>(parse("G1 (first) X5 (then) Y6(last)")).toBe(true);
    expect<f32>(parser.value(X)).toBe(5);
    expect<f32>(parser.value(Y)).toBe(6);
    expect<bool>(parser.has(70)).toBe(false); // 'f' of "first" is not a parameter
    expect<bool>(parser.has(84)).toBe(false); // nor 't' of "then"
  });

  it("forgets the parameters of the previous line", () => {
    expect<bool>(parse("G1 X5 S1")).toBe(true);
    expect<bool>(parse("G1 Y2")).toBe(true);
    expect<bool>(parser.has(X)).toBe(false);
    expect<bool>(parser.hasValue(S)).toBe(false);
    expect<f32>(parser.value(X)).toBe(0);
    expect<f32>(parser.value(Y)).toBe(2);
  });

  it("refuses a parameter with two decimal points, and says where it starts", () => {
    expect<bool>(command("G1 X1.2.3")).toBe(true);
    expect<bool>(parser.parseParams()).toBe(false);
    expect<i32>(parser.badAt).toBe(3);
  });

  it("refuses a sign without digits", () => {
    expect<bool>(command("G1 X-")).toBe(true);
    expect<bool>(parser.parseParams()).toBe(false);
    expect<i32>(parser.badAt).toBe(3);

    expect<bool>(command("G1 Y1 X- Z2")).toBe(true);
    expect<bool>(parser.parseParams()).toBe(false);
    expect<i32>(parser.badAt).toBe(6);
  });

  it("refuses a decimal point without digits", () => {
    expect<bool>(command("G1 X.")).toBe(true);
    expect<bool>(parser.parseParams()).toBe(false);
    expect<i32>(parser.badAt).toBe(3);

    expect<bool>(command("G1 X-. Y1")).toBe(true);
    expect<bool>(parser.parseParams()).toBe(false);
    expect<i32>(parser.badAt).toBe(3);
  });

  it("refuses a letter followed by a quote or another non-number", () => {
    expect<bool>(command("G1 X\"")).toBe(true);
    expect<bool>(parser.parseParams()).toBe(false);
    expect<i32>(parser.badAt).toBe(3);

    expect<bool>(command("G1 X5# Y1")).toBe(true);
    expect<bool>(parser.parseParams()).toBe(false);
    expect<i32>(parser.badAt).toBe(3);
  });

  it("refuses something that is not a letter where a parameter should start", () => {
    expect<bool>(command("G1 X5 -3")).toBe(true);
    expect<bool>(parser.parseParams()).toBe(false);
    expect<i32>(parser.badAt).toBe(6);
  });

  it("refuses a number with an exponent (G1 X1e1) instead of reading it as X1 and E1", () => {
    expect<bool>(parse("G1 X1e1")).toBe(false);
    expect<i32>(parser.badAt).toBe(3);
    expect<bool>(parse("G1 X1E1")).toBe(false);
    expect<bool>(parse("G1 Y2.5e-3 F100")).toBe(false);
    expect<bool>(parse("G1 Z1.e+2")).toBe(false);
    // An E flag or an E parameter after a blank is still read.
    expect<bool>(parse("G1 X1 E1")).toBe(true);
    expect<bool>(parser.hasValue(X) && parser.hasValue(E)).toBe(true);
    expect<bool>(parse("G28 XE")).toBe(true);
    expect<bool>(parse("G1 X1E")).toBe(true);
    expect<bool>(parser.has(E) && !parser.hasValue(E)).toBe(true);
  });

  it("clears badAt on the next line", () => {
    expect<bool>(parse("G1 X-")).toBe(false);
    expect<bool>(parse("G1 X1")).toBe(true);
    expect<i32>(parser.badAt).toBe(-1);
  });
});
