// The pieces of stopping that can be checked without a printer: the emergency watch in the
// receiver, and the step counts of a block cut short (motion.stepsAfterEvents).
import * as receiver from "../../assembly/serial/receiver";
import { Emergency } from "../../assembly/serial/receiver";
import * as queue from "../../assembly/gcode/queue";
import { stepsAfterEvents } from "../../assembly/motion/motion";
import { serviceEmergencies } from "../../assembly/system/emergency";
import { beginWait, waitBroken } from "../../assembly/system/wait";
import { sendText } from "./helpers";

function drain(): void {
  for (let round = 0; round < 1000; round++) {
    receiver.poll();
    if (queue.isEmpty()) break;
    while (!queue.isEmpty()) queue.pop();
  }
  receiver.takeEmergency();
}

/** The stepper's Bresenham, event by event: steps made after `made` events. */
function bresenham(steps: u32, events: u32, made: u32): u32 {
  let counter: i64 = -(<i64>((events + 1) >> 1));
  let n: u32 = 0;
  for (let k: u32 = 0; k < made; k++) {
    counter += steps;
    if (counter >= 0) {
      counter -= events;
      n++;
    }
  }
  return n;
}

describe("emergency watch", () => {
  beforeEach(() => {
    sendText("\n");
    drain();
  });

  it("reports M112, M410 and M108 as their lines end, numbered or not, checksum good or bad", () => {
    sendText("M112\n");
    receiver.receive();
    expect<i32>(<i32>receiver.takeEmergency()).toBe(<i32>Emergency.Stop);
    expect<i32>(<i32>receiver.takeEmergency()).toBe(<i32>Emergency.None);
    sendText("N12 m410*99\n");
    receiver.receive();
    expect<i32>(<i32>receiver.takeEmergency()).toBe(<i32>Emergency.QuickStop);
    sendText("  M108 ; continue\n");
    receiver.receive();
    expect<i32>(<i32>receiver.takeEmergency()).toBe(<i32>Emergency.BreakWait);
  });

  it("does not act before the line ends, nor on other commands that merely contain the digits", () => {
    sendText("M112");
    receiver.receive();
    expect<i32>(<i32>receiver.takeEmergency()).toBe(<i32>Emergency.None);
    sendText("0\nG1 X1 ; M112\nM117 M112\nM1120\nM112.1\nM11\n");
    receiver.receive();
    expect<i32>(<i32>receiver.takeEmergency()).toBe(<i32>Emergency.None);
  });

  it("sees M112 behind a full command queue and a full receive ring", () => {
    let text = "";
    for (let i = 0; i < 40; i++) text += "G1 X" + i.toString() + " Y10 F3000\n";
    sendText(text);
    receiver.poll();
    expect<u32>(queue.freeSlots()).toBe(0);
    sendText("M112\n");
    receiver.poll();
    expect<i32>(<i32>receiver.takeEmergency()).toBe(<i32>Emergency.Stop);
  });
});

describe("M108", () => {
  it("breaks the current wait on the idle pass after its line arrives, before the queue reaches it", () => {
    beginWait();
    sendText("G1 X1\nG1 X2\nG1 X3\nG1 X4\nG1 X5\nM108\n");
    receiver.poll();
    expect<bool>(waitBroken()).toBe(false);
    serviceEmergencies();
    expect<bool>(waitBroken()).toBe(true);
    drain();
  });
});

describe("steps of a block cut short", () => {
  it("match the interrupt's Bresenham event by event", () => {
    const cases: u32[] = [1, 1, 3, 7, 5, 5, 100, 333, 9100, 18000, 16000, 18000, 1, 65535];
    for (let c = 0; c < cases.length; c += 2) {
      const steps = cases[c];
      const events = cases[c + 1];
      for (let made: u32 = 0; made <= events; made += events > 1000 ? 97 : 1) {
        expect<u32>(stepsAfterEvents(steps, events, made)).toBe(bresenham(steps, events, made));
      }
      expect<u32>(stepsAfterEvents(steps, events, events)).toBe(steps);
    }
  });

  it("stay exact where steps times events passes 2^32", () => {
    // 3,000,000 events (18.6 m of E at 161.3 steps/mm) and 2,999,999 steps: products near 9e12.
    const events: u32 = 3000000;
    const steps: u32 = 2999999;
    const made: u32 = 2123457;
    const h: u64 = <u64>((events + 1) >> 1);
    const expected = <u32>((<u64>made * <u64>steps - h) / <u64>events + 1);
    expect<u32>(stepsAfterEvents(steps, events, made)).toBe(expected);
    expect<u32>(stepsAfterEvents(steps, events, events)).toBe(steps);
  });
});
