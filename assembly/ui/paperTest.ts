// Calibration > Z offset: the guided paper test (PROBE_CALIBRATE, TESTZ, ACCEPT, ABORT in
// gcode/probeCommands.ts) driven by the knob. The panel queues the same lines a host sends, so
// the procedure has one implementation; this screen only turns detents into TESTZ moves, a click
// into ACCEPT (and M500, so the offset survives a restart, as Prusa's wizard saves its result),
// and a long press into ABORT (nothing changes).
//
//   Z offset              the procedure's title (progress.ts): "Location bias" for that check
//   Z    0.975 mm         the nozzle's height (machine Z, as TESTZ's "Z position" line)
//   Lower till it drags   what to do (the paper under the nozzle)
//   Click:save Hold:stop
//
// The screen opens by itself whenever a paper test is open (a host's PROBE_CALIBRATE too), and
// stays until the session closes; then the procedure's result takes over (ui/panel.ts).

import * as tools from "../calibration/probeTools";
import * as motion from "../motion/motion";
import { Z } from "../motion/axes";
import * as queue from "../gcode/queue";
import * as keepalive from "../system/keepalive";
import * as progress from "./progress";
import * as commands from "./commands";
import { rom } from "../rom";
import { lcdText } from "./text";
import { lineNumber, lineText } from "./frame";
import { bedTargetX, bedTargetY } from "../board";
import { alert } from "./input";

/**
 * One detent moves the nozzle 0.025 mm (clockwise up, as Prusa's live adjust): a quarter of the
 * 0.1 mm office sheet the test assumes, so the nozzle meets the paper a few detents before it
 * could reach the bed, and the offset found is within half a step (12.5 um) of where the paper
 * starts to drag, half of the 25 um Klipper's guide asks of a probe. From the start 1 mm over the
 * bed that is 40 detents.
 */
export const STEP_MM: f32 = 0.025;
/** The knob raises the nozzle at most this far over TESTZ's floor (0.5 mm under the expected bed). */
const RANGE_MM: f32 = 5;

/** How far the knob asked the nozzle to move that no TESTZ has taken yet, mm. */
let pendingMm: f32 = 0;

function idle(): bool {
  return queue.isEmpty() && !keepalive.isBusy() && !motion.isMoving();
}

/** The screen opens: nothing asked yet. */
export function enter(): void {
  pendingMm = 0;
}

/** Where the nozzle goes with the detents turned so far: within TESTZ's floor and the range. */
function wantedZ(): f32 {
  let z = motion.native(Z) + pendingMm;
  const floor = tools.sessionFloor();
  // TESTZ refuses a height under the floor: stop a hair above it.
  if (z < floor + <f32>0.001) z = floor + <f32>0.001;
  if (z > floor + RANGE_MM) z = floor + RANGE_MM;
  return z;
}

export function turn(detents: i32): void {
  pendingMm = wantedZ() + <f32>detents * STEP_MM - motion.native(Z);
}

/** Every pass while the screen shows: one TESTZ at a time, when the printer is idle. */
export function service(): void {
  if (pendingMm == 0 || !idle() || !tools.sessionOpen()) return;
  commands.begin(rom("TESTZ Z="));
  commands.appendFixed(wantedZ() - motion.native(Z), 4);
  if (commands.submit()) pendingMm = 0;
}

/** Click: the paper drags here. ACCEPT, and M500 after a Z offset (the bias check saves nothing). */
export function accept(): void {
  if (!tools.sessionOpen() || !idle() || pendingMm != 0) {
    alert(); // the last move first: click again once the nozzle stands
    return;
  }
  if (tools.biasCorner() > 0) commands.run(rom("ACCEPT"));
  else commands.runAll(rom("ACCEPT"), rom("M500"), 0);
}

/** Long press: ABORT; the nozzle rises, nothing changes. */
export function abort(): void {
  commands.run(rom("ABORT"));
  enter();
}

/** The session closed (accepted, aborted, or lost with the homing) and no line is left to run. */
export function finished(): bool {
  return !tools.sessionOpen() && queue.isEmpty() && !keepalive.isBusy();
}

/** Calibration > Z offset: home when needed, then PROBE_CALIBRATE with the sensor over the bed's
 * centre target (the reference point of the MK42's nine, board.json). */
export function start(): bool {
  if (queue.freeSlots() < 2) {
    alert(); // the queue is full: nothing started, as commands.run refuses a line
    return false;
  }
  if ((motion.homedAxes() & 7) != 7) commands.run(rom("G28 W"));
  commands.begin(rom("PROBE_CALIBRATE X="));
  commands.appendFixed(bedTargetX(1), 1);
  commands.append(rom(" Y="));
  commands.appendFixed(bedTargetY(1), 1);
  return commands.submit();
}

export function renderRow(row: u32): void {
  if (row == 0) lineText(progress.progressTitle != 0 ? progress.progressTitle : lcdText("Z offset"), false);
  else if (row == 1) {
    lineText(lcdText("Z"), false);
    lineNumber(wantedZ(), 3, 9);
    lineText(lcdText(" mm"), false);
  } else if (row == 2) lineText(lcdText("Lower till it drags"), false);
  else lineText(lcdText("Click:save Hold:stop"), false);
}
