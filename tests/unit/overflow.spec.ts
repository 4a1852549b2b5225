// The receive ring overflowing: when a host sends more than the ring holds before the firmware
// reads it, bytes are dropped, yet every line that held a command gets exactly one answer, in
// order: the ones that lost bytes an overflow error (with a resend request for numbered lines).
import * as receiver from "../../assembly/serial/receiver";
import * as queue from "../../assembly/gcode/queue";
import { Entry } from "../../assembly/gcode/queue";
import { sendText } from "./helpers";

function numbered(n: i32, payload: string): string {
  const body = "N" + n.toString() + " " + payload;
  let sum: i32 = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i) & 0xff;
  return body + "*" + sum.toString();
}

/** Polls and takes every queued entry until nothing is left; counts them by kind. */
let commands: i32 = 0;
let overflows: i32 = 0;
let others: i32 = 0;
function drainCounting(): void {
  for (let round = 0; round < 10000; round++) {
    receiver.poll();
    if (queue.isEmpty()) return;
    while (!queue.isEmpty()) {
      const k = queue.frontKind();
      if (k == Entry.Command) commands++;
      else if (k == Entry.ErrorOverflow) overflows++;
      else others++;
      queue.pop();
    }
  }
}

describe("receive ring overflow", () => {
  it("answers each of 200 numbered lines sent at once exactly once, most of them with an overflow error", () => {
    sendText("M110 N0\n");
    drainCounting();
    commands = overflows = others = 0;
    let text = "";
    for (let i = 1; i <= 200; i++) text += numbered(i, "G1 X" + ((i % 10) + 1).toString() + " F6000") + "\n";
    sendText(text);
    const before = receiver.droppedBytes;
    receiver.receive(); // everything arrives before the firmware assembles a line
    drainCounting();
    expect<i32>(commands + overflows + others).toBe(200);
    expect<bool>(overflows > 150).toBe(true);
    expect<bool>(commands > 0).toBe(true);
    expect<bool>(receiver.droppedBytes - before > 3000).toBe(true);
  });

  it("answers lines whose ends were dropped, but not blank or comment-only ones", () => {
    commands = overflows = others = 0;
    let text = "";
    // 40 lines of 9 bytes with blank and comment lines between them: 40 answers.
    for (let i = 0; i < 40; i++) text += "G1 X" + (i % 10).toString() + " F1\n\n; note\n";
    sendText(text);
    receiver.receive();
    drainCounting();
    expect<i32>(commands + overflows + others).toBe(40);
    expect<bool>(overflows > 0).toBe(true);
  });

  it("reads lines normally again after an overflow", () => {
    commands = overflows = others = 0;
    sendText("M105\nG90\n");
    drainCounting();
    expect<i32>(commands).toBe(2);
    expect<i32>(overflows).toBe(0);
  });
});
