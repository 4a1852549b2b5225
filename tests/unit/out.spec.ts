import * as out from "../../assembly/serial/out";
import { rom } from "../../assembly/rom";
import { takeOutput } from "./helpers";

describe("serial output", () => {
  it("prints flash texts byte for byte", () => {
    out.line(rom("echo:hello"));
    expect(takeOutput()).toBe("echo:hello\n");
  });

  it("prints integers of either sign", () => {
    out.int(0);
    out.char(32);
    out.int(-2147483647);
    out.char(32);
    out.uint(4294967295);
    expect(takeOutput()).toBe("0 -2147483647 4294967295");
  });

  it("rounds fixed-point numbers to the requested decimals", () => {
    out.fixed(<f32>1.5, 2);
    out.char(32);
    out.fixed(<f32>-0.004, 2);
    out.char(32);
    out.fixed(<f32>-0.006, 2);
    out.char(32);
    out.fixed(<f32>127.0, 0);
    out.char(32);
    out.fixed(<f32>0.0125, 3);
    expect(takeOutput()).toBe("1.50 0.00 -0.01 127 0.013");
  });

  it("keeps every integer digit of values too large for the decimals", () => {
    out.fixed(<f32>123456789.0, 3);
    expect(takeOutput()).toBe("123456792");
  });
});
