// M44 (forget the XYZ calibration) and M45 (run it; M45 Z: the reference heights only; M45 V:
// per-point detail). The verdicts and failures say what Prusa's say (mesh_bed_calibration.h,
// reference-prusa.md section 1), in the project's words, with what the owner can do.

import { beginProgress, endProgress, progressCancelled } from "../ui/progress";
import * as parser from "./parser";
import { Letter } from "./letters";
import * as out from "../serial/out";
import { rom, RomText } from "../rom";
import * as xyz from "../calibration/xyz";
import { Outcome } from "../calibration/xyz";
import * as transform from "../calibration/bedTransform";
import { setStatus } from "../ui/status";
import { storeTransform } from "../calibration/stored";

export function m44(): void {
  transform.reset();
  storeTransform(false);
  out.line(rom("echo:XYZ calibration reset: moves go uncorrected (run M45 to calibrate)"));
}

export function m45(): void {
  const zOnly = parser.has(Letter.Z);
  // The panel's progress screen; a long press there cancels (calibration/probing.ts reads it).
  beginProgress(zOnly ? rom("Calibrating Z") : rom("Calibrating XYZ"), zOnly ? 9 : 4);
  const r = xyz.run(zOnly, parser.has(Letter.V));
  const cancelled = progressCancelled;
  endProgress();
  switch (r) {
    case Outcome.Perpendicular:
      if (zOnly) out.line(rom("echo:Reference heights measured (M500 saves them)"));
      else out.line(rom("echo:XYZ calibration ok. X/Y axes are perpendicular. Congratulations!"));
      break;
    case Outcome.Mild:
      out.line(rom("echo:XYZ calibration ok. X/Y axes are slightly skewed (0.12 to 0.25 degrees). Good job!"));
      break;
    case Outcome.Extreme:
      out.line(rom("echo:XYZ calibration ok. X/Y axes are skewed by more than 0.25 degrees: the skew will be corrected automatically (squaring the frame would remove it)"));
      break;
    case Outcome.NotHomed:
      out.line(rom("Error:M45 needs X, Y and Z homed (G28 first); nothing measured"));
      return;
    case Outcome.Aborted:
      if (cancelled) out.line(rom("echo:XYZ calibration cancelled on the panel; the bed transform is reset"));
      else out.line(rom("Error:XYZ calibration aborted; the bed transform is reset"));
      break;
    case Outcome.ProbeStuck:
      failure(rom("Error:XYZ calibration failed: the probe stays switched where it should be open (check the probe and its cable) at point "));
      break;
    case Outcome.PointNotFound:
      failure(rom("Error:XYZ calibration failed: bed calibration point was not found (is the probe connected, clean, and set at the right height? is the bed out of reach?): point "));
      break;
    default:
      out.line(rom("Error:XYZ calibration failed: the points do not fit a skewed and shifted bed (a point misread or out of reach: see the residuals above); please consult the manual. The bed transform is reset"));
      break;
  }
  if (r == Outcome.Mild || r == Outcome.Extreme || (r == Outcome.Perpendicular && !zOnly)) {
    out.line(rom("echo:The bed transform is in use for every move; M500 saves it and the reference heights"));
  }
  if (r == Outcome.Perpendicular || r == Outcome.Mild || r == Outcome.Extreme) setStatus(rom("XYZ calibration ok"));
  else if (r == Outcome.Aborted && cancelled) setStatus(rom("XYZ cal. cancelled"));
  else setStatus(rom("XYZ calibration failed"));
}

function failure(t: RomText): void {
  out.text(t);
  const i = xyz.failedPoint();
  if (i < 0) {
    out.line(rom("(none)"));
    return;
  }
  out.int(i + 1);
  out.text(i < 3 ? rom(" (front row") : i < 6 ? rom(" (middle row") : rom(" (rear row"));
  out.text(i % 3 == 0 ? rom(", left)") : i % 3 == 1 ? rom(", centre)") : rom(", right)"));
  out.line(rom("; the bed transform is reset"));
}
