import * as display from "../../assembly/ui/display";
import { setStatus } from "../../assembly/ui/status";
import { rom } from "../../assembly/rom";
import { initAxes } from "../../assembly/motion/axes";
import { initStepper } from "../../assembly/motion/stepper";
import { lcdRow, lcdWrites, setMillis } from "./helpers";

/** Enough calls for a whole screen: 6 render steps, then one byte per call (the test HAL's display is always ready). */
function settle(): void {
  for (let i = 0; i < 200; i++) display.refresh();
}

describe("status screen", () => {
  initAxes();
  initStepper();

  it("shows no temperatures before any reading, unknown positions, the state and the machine", () => {
    settle();
    expect(lcdRow(0)).toBe("Hotend  --  Bed  -- ");
    expect(lcdRow(1)).toBe("X    ? Y    ? Z    ?");
    expect(lcdRow(2)).toBe("Idle          FR100%");
    expect(lcdRow(3)).toBe("Prusa i3 MK2 ready  ");
    // Every cell once, after one address instruction per row.
    expect(lcdWrites()).toBe(84);
  });

  it("sends nothing while nothing changes", () => {
    const before = lcdWrites();
    setMillis(1000);
    settle();
    setMillis(2000);
    settle();
    expect(lcdWrites()).toBe(before);
  });

  it("shows a new status message at once, sending only the characters that changed", () => {
    const before = lcdWrites();
    setStatus(rom("Prusa i3 MK2 steady"));
    settle();
    expect(lcdRow(3)).toBe("Prusa i3 MK2 steady ");
    // "ready  " became "steady ": columns 13 to 18 changed, one run: its address, 6 characters.
    expect(lcdWrites() - before).toBe(7);
  });
});
