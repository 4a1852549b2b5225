// The front panel's knob, as the menus see it: detents turned, and button events. The HAL
// (hal/avr/panel.c) decodes the quadrature and reports the button's contact as it is; what a
// press means is decided here.
//
// Button: the contact bounces for a few milliseconds when it closes or opens; a level counts once
// it has held for DEBOUNCE_MS on every look (the main loop looks far more often than that). A
// press fires its click on release, as Prusa's firmware does in its menus; held for LONG_PRESS_MS
// it fires a long press instead, at once and without waiting for the release (Prusa's
// LONG_PRESS_TIME, 1000 ms), and its release then does nothing.

import { beep, buttonDown, encoderTake } from "../hal";

export const DEBOUNCE_MS: u32 = 10;
export const LONG_PRESS_MS: u32 = 1000;
/** The beeper: a short tick for each click, a long tone to call the owner. */
export const CLICK_TONE_MS: u32 = 5;
export const ALERT_TONE_MS: u32 = 500;

export const enum Press {
  None = 0,
  Click = 1,
  Long = 2,
}

let candidate: u32 = 0; // the contact's level seen last
let candidateSince: u32 = 0;
let pressed = false; // the debounced state
let pressedAt: u32 = 0;
let longFired = false;

/** Detents turned since the last call. */
export function takeDetents(): i32 {
  return encoderTake();
}

/** Looks at the button; the event a change of its debounced state makes, if any. */
export function pollButton(now: u32): Press {
  const level = buttonDown();
  if (level != candidate) {
    candidate = level;
    candidateSince = now;
  }
  if (pressed != (candidate != 0) && now - candidateSince >= DEBOUNCE_MS) {
    pressed = candidate != 0;
    if (pressed) {
      pressedAt = now;
      longFired = false;
    } else if (!longFired) {
      beep(CLICK_TONE_MS);
      return Press.Click;
    }
  }
  if (pressed && !longFired && now - pressedAt >= LONG_PRESS_MS) {
    longFired = true;
    beep(CLICK_TONE_MS);
    return Press.Long;
  }
  return Press.None;
}

/** The button is held down now (debounced). */
export function isPressed(): bool {
  return pressed;
}

export function alert(): void {
  beep(ALERT_TONE_MS);
}
