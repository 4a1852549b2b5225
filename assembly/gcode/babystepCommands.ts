// M290: babystepping (motion/babystep.ts), Marlin's command: `M290 Z<mm>` moves the nozzle by that
// much while it prints (negative: closer to the bed) and the probe's Z offset with it; without Z
// it reports the offset. The panel's Live adjust Z calls the same babystep().

import * as parser from "./parser";
import { Letter } from "./letters";
import * as out from "../serial/out";
import { rom } from "../rom";
import * as motion from "../motion/motion";
import { Z } from "../motion/axes";
import { Z_OFFSET_HIGHEST_MM, Z_OFFSET_LOWEST_MM, babystep, stepsPerMm, zOffset } from "../motion/babystep";

export function m290(): void {
  if (parser.hasValue(Letter.Z)) {
    if (!motion.isHomed(Z)) {
      out.line(rom("Error:M290: Z position unknown: home Z first (G28)"));
      return;
    }
    const perMm = stepsPerMm();
    const steps = <i32>Mathf.round(parser.value(Letter.Z) * perMm);
    const after = zOffset() + <f32>steps / perMm;
    // Bad input changes nothing: an adjustment past the range is refused whole, not cut short.
    if (after > Z_OFFSET_HIGHEST_MM + <f32>0.0001 || after < Z_OFFSET_LOWEST_MM - <f32>0.0001) {
      out.text(rom("Error:M290: the Z offset would be "));
      out.fixed(after, 3);
      out.text(rom(" mm, outside "));
      out.fixed(Z_OFFSET_LOWEST_MM, 2);
      out.text(rom(" to "));
      out.fixed(Z_OFFSET_HIGHEST_MM, 0);
      out.line(rom(" mm"));
      return;
    }
    babystep(steps);
  }
  out.text(rom("echo:Z offset "));
  out.fixed(zOffset(), 3);
  out.line(rom(" mm (M500 saves it)"));
}
