// M303: PID autotune by relay feedback (Åström-Hägglund), as Marlin and Prusa's firmware do it.
// The heater is switched between bias + d and bias - d each time the temperature crosses the
// target; the bias moves so that the heating and cooling halves last equally long; from the
// oscillation's amplitude a and period Tu comes the ultimate gain Ku = 4 d / (pi a), and
// Ziegler-Nichols' rules give the gains:
//   hotend ("Classic PID"):  Kp = 0.6 Ku, Ki = 2 Kp / Tu, Kd = Kp Tu / 8
//   bed ("No overshoot"):    Kp = 0.2 Ku, Ki = 2 Kp / Tu, Kd = Kp Tu / 3   (Marlin 2 for beds)
// A half-cycle shorter than 5 s is taken as noise on the crossing, not a switch (Marlin's).
// Output lines are Marlin's (" bias: 92 d: 92 min: 196.56 max: 203.44", " Ku: … Tu: …", …);
// the temperature every 2 s goes out as Marlin 2 prints it, without "ok" (an "ok" in the middle
// of a command would tell the host the command had finished). Failures: over the target by
// 30 C ("Temperature too high", Marlin's MAX_OVERSHOOT_PID_AUTOTUNE), 20 minutes ("timeout"),
// a fault (the protections stay on throughout). U1 applies the values found.

import * as out from "../serial/out";
import { rom } from "../rom";
import { millis } from "../hal";
import { idle } from "../system/idle";
import * as keepalive from "../system/keepalive";
import { faultActive } from "../system/fault";
import { waitBroken, beginWait } from "../system/wait";
import * as heaters from "./heaters";
import { DUTY_MAX } from "./heaters";
import { Heater } from "./heater";

const MIN_HALF_CYCLE_MS: u32 = 5000;
const MAX_OVERSHOOT_C: f32 = 30;
const TIMEOUT_MS: u32 = 20 * 60 * 1000;
const REPORT_MS: u32 = 2000;
const PI: f32 = 3.14159265;

/** The values the last autotune found (0 before one finished). */
export let foundKp: f32 = 0;
export let foundKi: f32 = 0;
export let foundKd: f32 = 0;

export function run(h: Heater, targetC: f32, cycles: i32, apply: bool): void {
  out.line(rom("PID Autotune start"));
  heaters.setTarget(h, targetC);
  beginWait();
  keepalive.end(); // the temperature lines tell the host the printer is alive
  let bias: i32 = DUTY_MAX >> 1;
  let d: i32 = DUTY_MAX >> 1;
  heaters.forceDuty(<i32>h, bias + d);
  const start = millis();
  let heating = true;
  let t1 = start;
  let t2 = start;
  let tHigh: u32 = 0;
  let tLow: u32 = 0;
  let maxC: f32 = 0;
  let minC: f32 = 10000;
  let cycle: i32 = 0;
  let lastRound = heaters.controlRounds;
  let lastReport = start;
  foundKp = foundKi = foundKd = 0;
  for (;;) {
    idle();
    if (faultActive()) {
      out.line(rom("PID Autotune failed! The printer stopped (see the error above)"));
      return;
    }
    if (waitBroken()) {
      out.line(rom("PID Autotune stopped (M108)"));
      break;
    }
    if (heaters.controlRounds == lastRound) continue;
    lastRound = heaters.controlRounds;
    const now = millis();
    const c = heaters.temperatureOf(h);
    if (c > maxC) maxC = c;
    if (c < minC) minC = c;
    if (heating && c > targetC && now - t2 > MIN_HALF_CYCLE_MS) {
      heating = false;
      heaters.forceDuty(<i32>h, bias - d);
      t1 = now;
      tHigh = t1 - t2;
      maxC = c;
    }
    if (!heating && c < targetC && now - t1 > MIN_HALF_CYCLE_MS) {
      heating = true;
      t2 = now;
      tLow = t2 - t1;
      if (cycle > 0) {
        bias += <i32>((<f32>d * (<f32>tHigh - <f32>tLow)) / (<f32>tLow + <f32>tHigh));
        if (bias < 20) bias = 20;
        if (bias > DUTY_MAX - 20) bias = DUTY_MAX - 20;
        d = bias > (DUTY_MAX >> 1) ? DUTY_MAX - 1 - bias : bias;
        out.text(rom(" bias: "));
        out.int(bias);
        out.text(rom(" d: "));
        out.int(d);
        out.text(rom(" min: "));
        out.fixed(minC, 2);
        out.text(rom(" max: "));
        out.fixed(maxC, 2);
        out.newline();
        if (cycle > 2) {
          const ku = (<f32>4 * <f32>d) / (PI * (maxC - minC) * <f32>0.5);
          const tu = (<f32>tLow + <f32>tHigh) * <f32>0.001;
          out.text(rom(" Ku: "));
          out.fixed(ku, 2);
          out.text(rom(" Tu: "));
          out.fixed(tu, 2);
          out.newline();
          if (h == Heater.Hotend) {
            foundKp = <f32>0.6 * ku;
            foundKi = (<f32>2 * foundKp) / tu;
            foundKd = (foundKp * tu) / <f32>8;
            out.line(rom(" Classic PID "));
          } else {
            foundKp = <f32>0.2 * ku;
            foundKi = (<f32>2 * foundKp) / tu;
            foundKd = (foundKp * tu) / <f32>3;
            out.line(rom(" No overshoot "));
          }
          out.text(rom(" Kp: "));
          out.fixed(foundKp, 2);
          out.newline();
          out.text(rom(" Ki: "));
          out.fixed(foundKi, 2);
          out.newline();
          out.text(rom(" Kd: "));
          out.fixed(foundKd, 2);
          out.newline();
        }
      }
      heaters.forceDuty(<i32>h, bias + d);
      cycle++;
      minC = targetC;
    }
    if (c > targetC + MAX_OVERSHOOT_C) {
      out.line(rom("PID Autotune failed! Temperature too high"));
      break;
    }
    if (now - lastReport >= REPORT_MS) {
      lastReport = now;
      out.text(h == Heater.Hotend ? rom(" T:") : rom(" B:"));
      out.fixed(c, 2);
      out.text(h == Heater.Hotend ? rom(" @:") : rom(" B@:"));
      out.int(heaters.dutyOf(h));
      out.newline();
    }
    if (now - start > TIMEOUT_MS) {
      out.line(rom("PID Autotune failed! timeout"));
      break;
    }
    if (cycle > cycles && foundKp > 0) {
      out.line(rom("PID Autotune finished! Put the last Kp, Ki and Kd constants from below into Configuration.h"));
      out.text(h == Heater.Hotend ? rom("#define DEFAULT_Kp ") : rom("#define DEFAULT_bedKp "));
      out.fixed(foundKp, 2);
      out.newline();
      out.text(h == Heater.Hotend ? rom("#define DEFAULT_Ki ") : rom("#define DEFAULT_bedKi "));
      out.fixed(foundKi, 2);
      out.newline();
      out.text(h == Heater.Hotend ? rom("#define DEFAULT_Kd ") : rom("#define DEFAULT_bedKd "));
      out.fixed(foundKd, 2);
      out.newline();
      if (apply) heaters.setGains(h, foundKp, foundKi, foundKd);
      break;
    }
  }
  heaters.forceDuty(-1, 0);
  heaters.setTarget(h, 0);
}
