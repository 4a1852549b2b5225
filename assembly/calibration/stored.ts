// The XYZ calibration's record in the settings block (settings/store.ts, version 2): the bed
// transform and the reference heights. A stored transform is used only if it passes Prusa's
// plausibility limits (bedTransform.check: axis vectors 0.9-1.1 long, |vx . vy| <= 0.1, shift
// <= 15 mm); otherwise it is refused with the reason, and moves go uncorrected.

import * as settings from "../settings/store";
import { S } from "../settings/store";
import * as transform from "./bedTransform";
import { Plausibility } from "./bedTransform";
import * as out from "../serial/out";
import { rom } from "../rom";

function field(k: i32): f32 {
  return settings.axisF32(S.BedTransform, k);
}

function isIdentityRecord(): bool {
  return field(0) == 1 && field(1) == 0 && field(2) == 0 && field(3) == 1 && field(4) == 0 && field(5) == 0;
}

/** After the settings were loaded (boot, M501, M502): use the stored transform, or refuse it. */
export function applyStoredTransform(): void {
  if (isIdentityRecord()) {
    transform.reset();
    return;
  }
  const p = transform.check(field(0), field(1), field(2), field(3), field(4), field(5));
  if (p == Plausibility.Ok) {
    transform.set(field(0), field(1), field(2), field(3), field(4), field(5));
    return;
  }
  out.text(rom("echo:Stored XYZ calibration refused: "));
  if (p == Plausibility.AxisLength) out.text(rom("an axis vector is not 0.9 to 1.1 long"));
  else if (p == Plausibility.NotPerpendicular) out.text(rom("the axes are more than 5.7 degrees from square"));
  else if (p == Plausibility.Shift) out.text(rom("the bed is shifted by more than 15 mm"));
  else out.text(rom("the values are not numbers"));
  out.line(rom("; moves go uncorrected (run M45 to calibrate)"));
  storeTransform(false);
  transform.reset();
}

/** Copies the live transform into the settings block (identity when `calibrated` is false). */
export function storeTransform(calibrated: bool): void {
  if (!calibrated) {
    for (let k = 0; k < 6; k++) settings.setAxisF32(S.BedTransform, k, k == 0 || k == 3 ? 1 : 0);
    return;
  }
  settings.setAxisF32(S.BedTransform, 0, transform.xAxisX());
  settings.setAxisF32(S.BedTransform, 1, transform.xAxisY());
  settings.setAxisF32(S.BedTransform, 2, transform.yAxisX());
  settings.setAxisF32(S.BedTransform, 3, transform.yAxisY());
  settings.setAxisF32(S.BedTransform, 4, transform.originXMm());
  settings.setAxisF32(S.BedTransform, 5, transform.originYMm());
}

export function storeReferenceHeight(i: i32, mm: f32): void {
  settings.setAxisF32(S.ReferenceHeights, i, mm);
}

export function referenceHeight(i: i32): f32 {
  return settings.axisF32(S.ReferenceHeights, i);
}
