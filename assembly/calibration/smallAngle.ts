// Sine and cosine of the small angles the XYZ calibration works with, in f32, without the HAL.
//
// An MK2's axes are skewed by at most a degree or two (Prusa calls anything over 0.25 degrees
// "extreme"; 1 degree is 0.0175 rad). For |x| <= 0.2 rad (11.5 degrees) the Taylor series below
// are exact to f32's precision: the first left-out terms, x^11/11! and x^10/10!, are under 6e-16
// and 3e-14, far below f32's 6e-8 relative step. Outside that range the fit has already failed
// (the transform's plausibility check refuses such angles), so nothing here needs avr-libc's
// sinf/cosf.

/** The largest angle these series are trusted for, rad. */
export const SMALL_ANGLE_MAX_RAD: f32 = 0.2;

export function sinSmall(x: f32): f32 {
  const x2 = x * x;
  // x - x^3/3! + x^5/5! - x^7/7! + x^9/9!, in Horner form.
  return x * (1 - (x2 / 6) * (1 - (x2 / 20) * (1 - (x2 / 42) * (1 - x2 / 72))));
}

export function cosSmall(x: f32): f32 {
  const x2 = x * x;
  // 1 - x^2/2! + x^4/4! - x^6/6! + x^8/8!.
  return 1 - (x2 / 2) * (1 - (x2 / 12) * (1 - (x2 / 30) * (1 - x2 / 56)));
}

/** Radians to degrees, for reports. */
export const DEG_PER_RAD: f32 = 57.29577951;
