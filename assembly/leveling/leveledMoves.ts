// Moves with mesh leveling: G1's hook into the planner path (gcode/motionCommands.ts).
//
// A straight move over a curved bed is split where it crosses the mesh's grid lines and the
// half-way lines between them (Catmull-Rom's cubic bends inside a cell; a chord every half cell
// keeps the nozzle within a few micrometres of the surface on the SV06 warps), and each piece
// ends at the surface's height there. Outside the measured area the surface continues the
// edge in a straight line (mesh.ts), so nothing is split there but the grid's edge; the end of
// that continuation, one grid step out (37 mm on a 7 x 7, 100-111 mm on a 3 x 3), is beyond the
// printable area on the MK2 and MK2.5 (the probed points are within 24 mm of its edges). A 1 mm
// printing move rarely crosses a line: one block, as without leveling, so streaming short
// segments costs the planner nothing extra.
//
// Positions: the planner holds the corrected Z (what the motor does); G-code must see the Z it
// asked for. The correction the last leveled move ended with is remembered together with the
// native Z it ended at; while Z is still there, the logical Z is native minus that correction.
// Any other Z move (homing, probing, a move with leveling off) leaves Z elsewhere, and the
// remembered correction no longer applies.

import * as motion from "../motion/motion";
import { E, X, Y, Z } from "../motion/axes";
import * as transform from "../calibration/bedTransform";
import * as mesh from "./mesh";

let lastCorrectionMm: f32 = 0;
/** Native Z the last leveled move ended at; NaN (equal to nothing) when none applies. */
let lastLeveledNativeZ: f32 = reinterpret<f32>(0x7fc00000);

/** What leveling added to the Z where the last move ended (0 once Z has moved otherwise). */
export function correctionInEffect(): f32 {
  return motion.native(Z) == lastLeveledNativeZ ? lastCorrectionMm : 0;
}

/** Homing or probing set Z anew: no correction is in effect. */
export function forget(): void {
  lastLeveledNativeZ = reinterpret<f32>(0x7fc00000);
  lastCorrectionMm = 0;
}

/**
 * The smallest t in (after, 1) at which the coordinate a0 + (a1 - a0) t meets a split line of an
 * axis with n nodes from first to last (grid lines and the lines half-way between), else 1.
 */
function nextLine(a0: f32, a1: f32, first: f32, last: f32, n: i32, after: f32): f32 {
  if (n < 2 || a1 == a0 || last == first) return 1;
  const lines = 2 * (n - 1);
  const spacing = (last - first) / <f32>lines;
  const here = (a0 + (a1 - a0) * after - first) / spacing;
  const forward = (a1 - a0) * spacing > 0;
  // The next line index in the direction of travel; a point on a line (within 1e-3 of a
  // spacing, ~20 um) counts as past it, so no piece is a sliver.
  let k = forward ? <i32>Mathf.floor(here + <f32>0.001) + 1 : <i32>Mathf.ceil(here - <f32>0.001) - 1;
  if (forward && k < 0) k = 0;
  if (!forward && k > lines) k = lines;
  if (k < 0 || k > lines) return 1;
  const t = (first + <f32>k * spacing - a0) / (a1 - a0);
  return t > after && t < 1 ? t : 1;
}

/**
 * Queues the move from where the last one ends to `targetMm` (f32[AXES] native, X/Y machine, Z
 * the height G-code asked for, uncorrected) at `speed` mm/s, following the mesh. `targetMm` is
 * overwritten.
 */
export function queueLeveled(targetMm: usize, speed: f32): void {
  const sx = motion.native(X), sy = motion.native(Y), se = motion.native(E);
  const sz = motion.native(Z) - correctionInEffect();
  const tx = motion.mmAt(targetMm, X), ty = motion.mmAt(targetMm, Y);
  const tz = motion.mmAt(targetMm, Z), te = motion.mmAt(targetMm, E);
  // The split lines are on the bed (world): the transform is affine, so a fraction along the
  // move is the same fraction in machine and in world coordinates.
  transform.machineToWorld(sx, sy);
  const wx0 = transform.outX, wy0 = transform.outY;
  transform.machineToWorld(tx, ty);
  const wx1 = transform.outX, wy1 = transform.outY;
  // Each piece's target is written into targetMm (the whole target is kept in locals above).
  const piece = targetMm;
  // Most printing moves are short and stay between two split lines: one piece, one lookup, at
  // the grid coordinates worked out here (multiplications only: soft floating point on the AVR).
  const u1 = mesh.gridX(wx1), v1 = mesh.gridY(wy1);
  if (<i32>(u1 * 2) == <i32>(mesh.gridX(wx0) * 2) && <i32>(v1 * 2) == <i32>(mesh.gridY(wy0) * 2)) {
    const c = mesh.correctionAtGrid(u1, v1, tz);
    motion.setMmAt(piece, Z, tz + c);
    motion.queueNative(piece, speed, 0);
    lastCorrectionMm = c;
    lastLeveledNativeZ = motion.native(Z);
    return;
  }
  let t: f32 = 0;
  while (true) {
    const tX = nextLine(wx0, wx1, mesh.meshFirstX(), mesh.meshLastX(), mesh.meshCols(), t);
    const tY = nextLine(wy0, wy1, mesh.meshFirstY(), mesh.meshLastY(), mesh.meshRows(), t);
    const next = Mathf.min(tX, tY);
    const z = next >= 1 ? tz : sz + (tz - sz) * next;
    const c = mesh.correctionMm(wx0 + (wx1 - wx0) * next, wy0 + (wy1 - wy0) * next, z);
    if (next >= 1) {
      motion.setMmAt(piece, X, tx);
      motion.setMmAt(piece, Y, ty);
      motion.setMmAt(piece, E, te);
    } else {
      motion.setMmAt(piece, X, sx + (tx - sx) * next);
      motion.setMmAt(piece, Y, sy + (ty - sy) * next);
      motion.setMmAt(piece, E, se + (te - se) * next);
    }
    motion.setMmAt(piece, Z, z + c);
    motion.queueNative(piece, speed, 0);
    lastCorrectionMm = c;
    lastLeveledNativeZ = motion.native(Z);
    if (next >= 1) return;
    t = next;
  }
}
