// What the printer is doing, as the display (and later the menus) show it: set by the command
// layer, read by anyone, so nothing outside gcode/ reads the parser's globals.

export const enum Activity {
  Idle = 0,
  /** A command is running (from its start to its reply). */
  Busy = 1,
  /** G28 is running. */
  Homing = 2,
}

export let activity: Activity = Activity.Idle;

export function setActivity(a: Activity): void {
  activity = a;
}
