import { NUMBER_MAX, formatUint, formatInt, formatFixed, formatFixedFit } from "../../assembly/format";

const buf = memory.data(NUMBER_MAX);

function text(n: u32): string {
  let s = "";
  for (let i: u32 = 0; i < n; i++) s += String.fromCharCode(load<u8>(buf + i));
  return s;
}

describe("number formatting", () => {
  it("writes integers of either sign and returns their length", () => {
    expect(text(formatUint(buf, 0))).toBe("0");
    expect(text(formatUint(buf, 4294967295))).toBe("4294967295");
    expect(text(formatUint(buf, 1000000000))).toBe("1000000000");
    expect(text(formatInt(buf, -2147483648))).toBe("-2147483648");
    expect(text(formatInt(buf, 907))).toBe("907");
  });

  it("keeps the zeros after the point and before it", () => {
    expect(text(formatFixed(buf, <f32>0.4, 2))).toBe("0.40");
    expect(text(formatFixed(buf, <f32>-0.05, 3))).toBe("-0.050");
    expect(text(formatFixed(buf, <f32>100.0, 1))).toBe("100.0");
    expect(text(formatFixed(buf, <f32>0.0, 0))).toBe("0");
  });

  it("fits a number into a width by dropping decimals, never integer digits", () => {
    expect(text(formatFixedFit(buf, <f32>92.0, 2, 5))).toBe("92.00");
    expect(text(formatFixedFit(buf, <f32>255.0, 2, 5))).toBe("255.0");
    expect(text(formatFixedFit(buf, <f32>99.996, 2, 5))).toBe("100.0");
    expect(text(formatFixedFit(buf, <f32>-4.0, 2, 5))).toBe("-4.00");
    expect(text(formatFixedFit(buf, <f32>-1234.5, 2, 5))).toBe("-1235");
    expect(formatFixedFit(buf, <f32>123456.0, 2, 5)).toBe(0);
  });
});
