// The fault state as the command layer applies it: what is refused while a fault is latched, what
// M999 clears, and that M112's halt survives M999.
import { dispatch } from "../../assembly/gcode/dispatch";
import { raiseFault, faultActive, faultNeedsReset } from "../../assembly/system/fault";
import { rom } from "../../assembly/rom";
import { initStepper } from "../../assembly/motion/stepper";
import { takeOutput } from "./helpers";

let held: ArrayBuffer = new ArrayBuffer(0);

/** Runs one command line through the dispatcher; returns what it printed. */
function run(s: string): string {
  takeOutput();
  held = String.UTF8.encode(s);
  dispatch(changetype<usize>(held), <u32>held.byteLength);
  return takeOutput();
}

describe("fault state", () => {
  beforeAll(() => {
    initStepper(); // the step interrupt idles, as after setup()
  });

  it("refuses moves and unknown-to-be-safe commands while a fault is latched, naming it, and keeps answering reports", () => {
    raiseFault(rom("Homing Z failed: the probe never triggered"), rom("Homing failed"), false);
    const raised = takeOutput();
    expect<bool>(raised.includes("Error:Homing Z failed: the probe never triggered\n")).toBe(true);
    expect<bool>(raised.includes("M999")).toBe(true);
    expect<string>(run("G1 X5")).toBe('Error:Printer halted by a fault (Homing Z failed: the probe never triggered); not executed: "G1 X5". M999 clears the fault.\n');
    expect<bool>(run("G28").startsWith("Error:Printer halted by a fault")).toBe(true);
    expect<bool>(run("M17").startsWith("Error:Printer halted by a fault")).toBe(true);
    // Heating is refused; turning a heater off (what a host sends when it cancels) is not.
    expect<bool>(run("M104 S200").startsWith("Error:Printer stopped: heating is refused")).toBe(true);
    expect<string>(run("M104 S0")).toBe("");
    expect<bool>(run("M109 S200").startsWith("Error:Printer halted by a fault")).toBe(true);
    expect<bool>(run("M114").startsWith("X:")).toBe(true);
    expect<bool>(run("M115").includes("Cap:EMERGENCY_PARSER:1")).toBe(true);
    expect<bool>(faultActive()).toBe(true);
  });

  it("M999 clears a fault that allows it and says so; then commands run again", () => {
    expect<string>(run("M999")).toBe("echo:Fault cleared; home the axes before moving (G28)\n");
    expect<bool>(faultActive()).toBe(false);
    expect<bool>(run("G1 X5").startsWith("Error:Printer halted")).toBe(false);
    expect<string>(run("M999")).toBe("echo:No fault to clear\n");
  });

  it("M112 halts until reset: M999 does not clear it", () => {
    const out = run("M112");
    expect<bool>(out.includes("Error:Emergency stop (M112): steppers off, printer halted\n")).toBe(true);
    expect<bool>(out.includes("Error:Printer halted. Reset the printer to continue.\n")).toBe(true);
    expect<bool>(faultNeedsReset()).toBe(true);
    expect<bool>(run("M999").startsWith("Error:M999 cannot clear this fault (Emergency stop (M112)")).toBe(true);
    expect<bool>(faultActive()).toBe(true);
    expect<bool>(run("G1 X5").endsWith("Reset the printer to continue.\n")).toBe(true);
  });
});
