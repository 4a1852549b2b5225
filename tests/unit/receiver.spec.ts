// Serial bytes to queued lines: the host line protocol (line numbers, checksums, M110) is checked
// as lines arrive, and every line that needs a reply gets one queue entry, in order.
import * as receiver from "../../assembly/serial/receiver";
import * as queue from "../../assembly/gcode/queue";
import { Entry } from "../../assembly/gcode/queue";
import { sendText } from "./helpers";

/** "text*checksum" with the checksum hosts compute: XOR of every byte before '*'. */
function withChecksum(s: string): string {
  let sum: i32 = 0;
  for (let i = 0; i < s.length; i++) sum ^= s.charCodeAt(i) & 0xff;
  return s + "*" + sum.toString();
}

/** Same line with a checksum that is off by one bit. */
function withWrongChecksum(s: string): string {
  let sum: i32 = 0;
  for (let i = 0; i < s.length; i++) sum ^= s.charCodeAt(i) & 0xff;
  return s + "*" + (sum ^ 1).toString();
}

function frontString(): string {
  let s = "";
  const p = queue.frontText();
  const n = queue.frontLength();
  for (let i: u32 = 0; i < n; i++) s += String.fromCharCode(load<u8>(p + i));
  return s;
}

/** Reads everything pending, dropping what gets queued, until input and queue are empty. */
function drain(): void {
  for (let round = 0; round < 100; round++) {
    receiver.poll();
    if (queue.isEmpty()) return;
    while (!queue.isEmpty()) queue.pop();
  }
}

/** A known start: no half line, an empty queue, line number 0. */
function reset(): void {
  sendText("\n");
  drain();
  sendText("M110 N0\n");
  receiver.poll();
  expect<bool>(queue.isEmpty()).toBe(false);
  queue.pop();
  expect<bool>(queue.isEmpty()).toBe(true);
  expect<i32>(receiver.lastLineNumber).toBe(0);
}

/** Sends the bytes, polls once, and checks exactly one entry of that kind came of them. */
function expectOne(bytes: string, kind: Entry): void {
  sendText(bytes);
  receiver.poll();
  expect<bool>(queue.isEmpty()).toBe(false);
  expect<i32>(<i32>queue.frontKind()).toBe(<i32>kind);
}

function popExpectingEmpty(): void {
  queue.pop();
  expect<bool>(queue.isEmpty()).toBe(true);
}

function repeat(c: string, n: i32): string {
  let s = "";
  for (let i = 0; i < n; i++) s += c;
  return s;
}

describe("receiver", () => {
  beforeEach(() => {
    reset();
  });

  afterEach(() => {
    drain();
  });

  it("queues a plain line as a command, blanks around it trimmed", () => {
    expectOne("  G1 X5 Y6 \t\n", Entry.Command);
    expect<string>(frontString()).toBe("G1 X5 Y6");
    expect<i32>(queue.frontAux()).toBe(0);
    popExpectingEmpty();
  });

  it("leaves a ';' comment out of the command text", () => {
    expectOne("M117 hello ; greet\n", Entry.Command);
    expect<string>(frontString()).toBe("M117 hello");
    popExpectingEmpty();
  });

  it("ends a line at CR, LF or CR LF, giving one command each", () => {
    sendText("G90\rG91\nG92\r\n");
    receiver.poll();
    expect<string>(frontString()).toBe("G90");
    queue.pop();
    expect<string>(frontString()).toBe("G91");
    queue.pop();
    expect<string>(frontString()).toBe("G92");
    popExpectingEmpty();
  });

  it("queues nothing for a blank or comment-only line", () => {
    sendText("\n   \n\t\n; only a comment\n(only a paren comment)\n  ; indented comment\n");
    receiver.poll();
    expect<bool>(queue.isEmpty()).toBe(true);
    // And the next real line is read normally.
    expectOne("M105\n", Entry.Command);
    expect<string>(frontString()).toBe("M105");
    popExpectingEmpty();
  });

  it("accepts a numbered line with the right checksum and takes its number", () => {
    expectOne(withChecksum("N1 M118 x") + "\n", Entry.Command);
    expect<string>(frontString()).toBe("M118 x");
    expect<i32>(queue.frontAux()).toBe(1);
    expect<i32>(receiver.lastLineNumber).toBe(1);
    popExpectingEmpty();
    expectOne(withChecksum("N2 G1 X5 ") + "\n", Entry.Command);
    expect<string>(frontString()).toBe("G1 X5");
    expect<i32>(receiver.lastLineNumber).toBe(2);
    popExpectingEmpty();
  });

  it("refuses a numbered line with a wrong checksum, keeping the last good number", () => {
    expectOne(withChecksum("N1 G90") + "\n", Entry.Command);
    queue.pop();
    expectOne(withWrongChecksum("N2 M118 x") + "\n", Entry.ErrorChecksum);
    expect<i32>(queue.frontAux()).toBe(1);
    expect<i32>(receiver.lastLineNumber).toBe(1);
    popExpectingEmpty();
    // The resent line is accepted as number 2.
    expectOne(withChecksum("N2 M118 x") + "\n", Entry.Command);
    expect<i32>(receiver.lastLineNumber).toBe(2);
    popExpectingEmpty();
  });

  it("refuses a checksum with no digits or with text after it", () => {
    expectOne("N1 M118 x*\n", Entry.ErrorChecksum);
    popExpectingEmpty();
    expectOne(withChecksum("N1 M118 x") + "z\n", Entry.ErrorChecksum);
    popExpectingEmpty();
    expect<i32>(receiver.lastLineNumber).toBe(0);
  });

  it("refuses a numbered line without a checksum", () => {
    expectOne("N1 M118 x\n", Entry.ErrorNoChecksum);
    expect<i32>(queue.frontAux()).toBe(0);
    popExpectingEmpty();
    expect<i32>(receiver.lastLineNumber).toBe(0);
  });

  it("refuses a checksum on a line without a line number", () => {
    expectOne(withChecksum("M118 x") + "\n", Entry.ErrorNoLineNumber);
    expect<i32>(queue.frontAux()).toBe(0);
    popExpectingEmpty();
    expect<i32>(receiver.lastLineNumber).toBe(0);
  });

  it("refuses a line whose number skips one, giving the last good number", () => {
    expectOne(withChecksum("N1 G90") + "\n", Entry.Command);
    queue.pop();
    expectOne(withChecksum("N3 M118 x") + "\n", Entry.ErrorLineNumber);
    expect<i32>(queue.frontAux()).toBe(1);
    popExpectingEmpty();
    expect<i32>(receiver.lastLineNumber).toBe(1);
    // A repeated number is refused too.
    expectOne(withChecksum("N1 G90") + "\n", Entry.ErrorLineNumber);
    expect<i32>(queue.frontAux()).toBe(1);
    popExpectingEmpty();
  });

  it("after M110 N41 accepts line 42", () => {
    expectOne("M110 N41\n", Entry.Command);
    expect<string>(frontString()).toBe("M110 N41");
    popExpectingEmpty();
    expect<i32>(receiver.lastLineNumber).toBe(41);
    expectOne(withChecksum("N42 M118 y") + "\n", Entry.Command);
    expect<string>(frontString()).toBe("M118 y");
    expect<i32>(receiver.lastLineNumber).toBe(42);
    popExpectingEmpty();
  });

  it("takes the number of a numbered M110 from its N parameter, whatever the line number", () => {
    expectOne(withChecksum("N7 M110 N41") + "\n", Entry.Command);
    popExpectingEmpty();
    expect<i32>(receiver.lastLineNumber).toBe(41);
    expectOne(withChecksum("N42 G90") + "\n", Entry.Command);
    popExpectingEmpty();
    expect<i32>(receiver.lastLineNumber).toBe(42);
  });

  it("accepts a line of 96 characters and refuses one of 97 or 120 as too long", () => {
    const longest = "M117 " + repeat("a", 91);
    expect<i32>(longest.length).toBe(96);
    expectOne(longest + "\n", Entry.Command);
    expect<u32>(queue.frontLength()).toBe(96);
    expect<string>(frontString()).toBe(longest);
    popExpectingEmpty();

    expectOne("M117 " + repeat("b", 92) + "\n", Entry.ErrorTooLong);
    popExpectingEmpty();

    const tooLong = "M117 " + repeat("c", 115);
    expect<i32>(tooLong.length).toBe(120);
    expectOne(tooLong + "\n", Entry.ErrorTooLong);
    expect<i32>(queue.frontAux()).toBe(0);
    popExpectingEmpty();

    // The next line is read from its start again.
    expectOne("M105\n", Entry.Command);
    expect<string>(frontString()).toBe("M105");
    popExpectingEmpty();
  });

  it("refuses a line holding bytes outside printable ASCII", () => {
    expectOne("M117 caf" + String.fromCharCode(0xe9) + "\n", Entry.ErrorInvalidCharacters);
    popExpectingEmpty();
    expectOne("M117 a" + String.fromCharCode(1) + "b\n", Entry.ErrorInvalidCharacters);
    popExpectingEmpty();
    expectOne("M117 " + String.fromCharCode(0x7f) + "\n", Entry.ErrorInvalidCharacters);
    popExpectingEmpty();
    // A tab is a blank, not an invalid byte.
    expectOne("G1\tX5\n", Entry.Command);
    expect<string>(frontString()).toBe("G1\tX5");
    popExpectingEmpty();
  });

  it("stops reading while the queue is full and goes on once an entry is taken", () => {
    sendText("G1 X1\nG1 X2\nG1 X3\nG1 X4\nG1 X5\nG1 X6\n");
    receiver.poll();
    expect<u32>(queue.freeSlots()).toBe(0);
    expect<string>(frontString()).toBe("G1 X1");
    queue.pop();
    receiver.poll();
    expect<u32>(queue.freeSlots()).toBe(0);
    const expected: string[] = ["G1 X2", "G1 X3", "G1 X4", "G1 X5"];
    for (let i = 0; i < expected.length; i++) {
      expect<string>(frontString()).toBe(expected[i]);
      queue.pop();
    }
    receiver.poll();
    expect<string>(frontString()).toBe("G1 X6");
    popExpectingEmpty();
  });
});
