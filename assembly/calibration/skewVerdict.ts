// What the XYZ calibration tells the owner about the machine's skew: Prusa's classes and limits
// (mesh_bed_calibration.cpp, BedSkewOffsetDetectionResultType), so owners who compare with the
// Prusa firmware read the same verdict for the same machine.
//   perpendicular  skew <= 0.12 degrees   (0.5 mm over 250 mm)
//   mildly skewed  skew <= 0.25 degrees   (1.1 mm over 250 mm)
//   extreme        above that, or either axis rotated by more than 0.25 degrees; corrected
//                  automatically like the others, but worth fixing mechanically
//   fit failed     a target's fitted position more than 0.8 mm from where it should be: the
//                  geometry does not explain the measurement (a target misread, or out of reach)
//
// Unlike Prusa, a "perpendicular" machine keeps its measured skew in the transform instead of
// being squared up: Prusa's measurement scatters by about 0.2 degrees, so squaring hid its noise;
// ours is meant to be ten times better, and the measured value is the better estimate.

export const PERPENDICULAR_MAX_RAD: f32 = 0.0020944; // 0.12 degrees
export const MILD_MAX_RAD: f32 = 0.0043633; // 0.25 degrees
export const AXIS_ANGLE_MAX_RAD: f32 = 0.0043633; // 0.25 degrees
export const RESIDUAL_MAX_MM: f32 = 0.8;

export const enum SkewVerdict {
  Perpendicular = 0,
  Mild = 1,
  Extreme = 2,
  FitFailed = 3,
}

export function classify(skewRad: f32, xAxisRad: f32, yAxisRad: f32, largestResidualMm: f32): SkewVerdict {
  if (largestResidualMm > RESIDUAL_MAX_MM) return SkewVerdict.FitFailed;
  const skew = Mathf.abs(skewRad);
  if (skew > MILD_MAX_RAD || Mathf.abs(xAxisRad) > AXIS_ANGLE_MAX_RAD || Mathf.abs(yAxisRad) > AXIS_ANGLE_MAX_RAD) {
    return SkewVerdict.Extreme;
  }
  if (skew > PERPENDICULAR_MAX_RAD) return SkewVerdict.Mild;
  return SkewVerdict.Perpendicular;
}
