// What a long procedure is doing and how far it has got, for the front panel.
//
// M45, G80, M48 and the other procedures that run for seconds to minutes call beginProgress()
// with a title ("Calibrating XYZ") and their number of steps, setProgress() as each step
// starts (with the step's own text, e.g. "Searching point", shown with "2/4"), and
// endProgress() when they end, however they end. The panel draws a progress screen with a bar
// from these values while `progressActive` is true; the serial port has its own messages.
// Nothing here moves or waits: a procedure costs the same with or without a display.
//
// A procedure of several phases (M45: 4 points searched, then 9 improved, then 9 heights) starts
// each with beginPhase(total), keeping its title. Cancelling: a long press on the progress
// screen sets `progressCancelled` (and breaks a wait, system/wait.ts, as M108 does); procedures
// that can stop early read it where they would also stop for a fault (calibration/probing.ts)
// and end as aborted. beginProgress() clears it, so a cancel never outlives its procedure.

import { RomText } from "../rom";

export let progressActive = false;
/** The procedure's name, e.g. rom("Calibrating XYZ"). */
export let progressTitle: RomText = 0;
/** What the current step does, e.g. rom("Searching point"); 0 for none. */
export let progressStepText: RomText = 0;
/** The current step, 1..progressTotal (0 before the first). */
export let progressStep: u32 = 0;
export let progressTotal: u32 = 0;
/** Bumped on every change, so a display knows to redraw. */
export let progressRevision: u32 = 0;
/** Bumped by every beginProgress(): the panel shows each procedure's progress screen once. */
export let progressBegun: u32 = 0;
/** The owner asked to stop the procedure (a long press on its progress screen). */
export let progressCancelled = false;

export function beginProgress(title: RomText, total: u32): void {
  progressActive = true;
  progressTitle = title;
  progressStepText = 0;
  progressStep = 0;
  progressTotal = total;
  progressRevision++;
  progressBegun++;
  progressCancelled = false;
}

/** The next phase of the same procedure: `total` steps, counted from 0 again; the title stays. */
export function beginPhase(total: u32): void {
  progressStep = 0;
  progressTotal = total;
  progressRevision++;
}

/** The owner cancels the procedure on show. */
export function cancelProgress(): void {
  if (progressActive) progressCancelled = true;
}

/** Step `step` of the total has started; `text` says what it does (0: keep the last text). */
export function setProgress(text: RomText, step: u32): void {
  if (text != 0) progressStepText = text;
  progressStep = step > progressTotal ? progressTotal : step;
  progressRevision++;
}

export function endProgress(): void {
  progressActive = false;
  progressRevision++;
}
