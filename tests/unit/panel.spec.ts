import * as panel from "../../assembly/ui/panel";
import * as menu from "../../assembly/ui/menu";
import { MenuId, Screen } from "../../assembly/ui/menu";
import * as input from "../../assembly/ui/input";
import { Press } from "../../assembly/ui/input";
import * as queue from "../../assembly/gcode/queue";
import { Entry } from "../../assembly/gcode/queue";
import * as motion from "../../assembly/motion/motion";
import { initAxes } from "../../assembly/motion/axes";
import { initStepper } from "../../assembly/motion/stepper";
import { beepCount, setButton, setMillis, takeOutput, turnEncoder } from "./helpers";
import { clearFault, raiseFault } from "../../assembly/system/fault";
import { rom } from "../../assembly/rom";
import { beginProgress, endProgress, progressActive, progressCancelled, setProgress } from "../../assembly/ui/progress";

let now: u32 = 100000;

/** Runs the panel's pass every millisecond for `ms`. */
function run(ms: u32): void {
  for (let i: u32 = 0; i < ms; i++) {
    setMillis(++now);
    panel.poll();
  }
}

function click(): void {
  setButton(1);
  run(100);
  setButton(0);
  run(50);
}

function turn(detents: i32): void {
  turnEncoder(detents);
  run(5);
}

/** The first `length` bytes of the queued line at the front, as a string (tests only). */
function frontText(): string {
  let s = "";
  for (let i: u32 = 0; i < queue.frontLength(); i++) s += String.fromCharCode(load<u8>(queue.frontText() + i));
  return s;
}

describe("the button", () => {
  it("ignores contact bounce shorter than the debounce time", () => {
    let presses = 0;
    for (let i = 0; i < 6; i++) {
      setButton(i & 1 ? 0 : 1);
      setMillis(++now);
      if (input.pollButton(now) != Press.None) presses++;
      setMillis(now += 2);
      if (input.pollButton(now) != Press.None) presses++;
    }
    setButton(0);
    for (let i = 0; i < 50; i++) if (input.pollButton(++now) != Press.None) presses++;
    expect(presses).toBe(0);
    expect(input.isPressed()).toBe(false);
  });

  it("clicks once, on release, and ticks the beeper", () => {
    const beeps = beepCount();
    setButton(1);
    let onPress = 0;
    for (let i = 0; i < 200; i++) if (input.pollButton(++now) != Press.None) onPress++;
    expect(onPress).toBe(0);
    setButton(0);
    let clicks = 0;
    for (let i = 0; i < 50; i++) if (input.pollButton(++now) == Press.Click) clicks++;
    expect(clicks).toBe(1);
    expect(beepCount() - beeps).toBe(1);
  });

  it("fires a long press after a second held, while still held, and nothing on the release", () => {
    setButton(1);
    let longAt: u32 = 0;
    const start = now;
    for (let i = 0; i < 1500; i++) {
      const p = input.pollButton(++now);
      if (p == Press.Long) longAt = now - start;
      expect(p == Press.Click).toBe(false);
    }
    expect(longAt >= input.LONG_PRESS_MS && longAt <= input.LONG_PRESS_MS + input.DEBOUNCE_MS + 1).toBe(true);
    setButton(0);
    for (let i = 0; i < 50; i++) expect(input.pollButton(++now)).toBe(Press.None);
  });
});

describe("the menus", () => {
  initAxes();
  initStepper();

  it("opens the main menu with a click on the status screen", () => {
    expect(menu.screen).toBe(Screen.Status);
    click();
    expect(menu.screen).toBe(Screen.Menu);
    expect(menu.menu).toBe(MenuId.Main);
    expect(menu.cursor).toBe(0);
  });

  it("moves the cursor with the knob and stops it at the last item", () => {
    turn(2);
    expect(menu.cursor).toBe(2);
    turn(10);
    // Info screen, Preheat, Settings, Calibration, Info, and Setup wizard: the EEPROM is blank.
    expect(menu.cursor).toBe(5);
    turn(-20);
    expect(menu.cursor).toBe(0);
  });

  it("shows Disable steppers only while a driver is on", () => {
    turn(2);
    click(); // Settings
    expect(menu.menu).toBe(MenuId.Settings);
    turn(10);
    expect(menu.cursor).toBe(5); // Main, Temperature, Move axis, Store, Load, Factory
    motion.enableSteppers(1);
    run(1);
    turn(10);
    expect(menu.cursor).toBe(6); // ... and Disable steppers
    motion.disableSteppers(0xf);
    run(1);
  });

  it("queues Store settings as M500 from the panel, which owes the host no reply, and shows the status screen", () => {
    turn(-10);
    turn(1); // Temperature
    turn(1); // Move axis
    turn(1); // Store settings
    click();
    expect(queue.isEmpty()).toBe(false);
    expect(queue.frontKind()).toBe(Entry.Panel);
    expect(frontText()).toBe("M500");
    queue.pop();
    expect(menu.screen).toBe(Screen.Status);
  });

  it("goes back to where it was opened from", () => {
    click(); // main menu
    turn(2);
    click(); // Settings
    click(); // "Main": back
    expect(menu.menu).toBe(MenuId.Main);
    expect(menu.cursor).toBe(2);
    turn(-2);
    click(); // "Info screen": back to the status screen
    expect(menu.screen).toBe(Screen.Status);
  });

  it("returns to the status screen after 30 s without input, not before", () => {
    click();
    expect(menu.screen).toBe(Screen.Menu);
    run(panel.TIMEOUT_TO_STATUS_MS - 200);
    expect(menu.screen).toBe(Screen.Menu);
    run(300);
    expect(menu.screen).toBe(Screen.Status);
  });

  it("leaves any menu for the status screen on a long press", () => {
    click();
    turn(3);
    click(); // Calibration
    expect(menu.menu).toBe(MenuId.Calibration);
    setButton(1);
    run(1100);
    expect(menu.screen).toBe(Screen.Status);
    setButton(0);
    run(50);
    expect(menu.screen).toBe(Screen.Status);
  });

  it("calls the owner once when a fault latches, and shows its notice until a click, then the status screen", () => {
    click();
    expect(menu.screen).toBe(Screen.Menu);
    const beeps = beepCount();
    raiseFault(rom("test fault"), rom("Test fault"), false);
    run(50);
    expect(menu.screen).toBe(Screen.Notice);
    expect(beepCount() - beeps).toBe(1);
    run(panel.TIMEOUT_TO_STATUS_MS + 1000);
    expect(menu.screen).toBe(Screen.Notice);
    expect(beepCount() - beeps).toBe(1);
    click();
    expect(menu.screen).toBe(Screen.Status);
    clearFault();
    takeOutput();
  });

  it("shows a procedure's progress when it begins, cancels it on a long press, and its result when it ends", () => {
    click(); // a menu
    beginProgress(rom("Test procedure"), 3);
    run(5);
    expect(menu.screen).toBe(Screen.Progress);
    setProgress(rom("Step"), 1);
    run(5);
    turn(3); // the knob does nothing here
    expect(menu.screen).toBe(Screen.Progress);
    expect(progressCancelled).toBe(false);
    setButton(1);
    run(1100);
    setButton(0);
    run(50);
    expect(progressCancelled).toBe(true);
    expect(menu.screen).toBe(Screen.Progress);
    endProgress();
    run(5);
    expect(menu.screen).toBe(Screen.Notice);
    click();
    expect(menu.screen).toBe(Screen.Status);
    // The next procedure starts uncancelled.
    beginProgress(rom("Test procedure"), 3);
    expect(progressCancelled).toBe(false);
    run(5);
    click(); // out of the way: the procedure goes on
    expect(menu.screen).toBe(Screen.Status);
    expect(progressActive).toBe(true);
    endProgress();
    run(5);
    expect(menu.screen).toBe(Screen.Status);
  });
});
