// Mesh bed leveling: G80 (probe and level), G81 (Prusa's mesh report), M420 (on/off, fade,
// Marlin's report, load the saved mesh), M421 (the correction overlay), and the mesh's part of
// M500. The procedure is leveling/meshProbe.ts, the surface leveling/mesh.ts, the moves
// leveling/leveledMoves.ts, the EEPROM records leveling/meshStore.ts.

import * as parser from "./parser";
import { Letter } from "./letters";
import * as out from "../serial/out";
import { rom, RomText } from "../rom";
import * as motion from "../motion/motion";
import { X, Y, Z } from "../motion/axes";
import * as settings from "../settings/store";
import { S } from "../settings/store";
import { bedIsSteelSheet, bedTargetX, bedTargetY } from "../board";
import { raiseFault } from "../system/fault";
import { setStatus } from "../ui/status";
import { beginProgress, endProgress } from "../ui/progress";
import * as mesh from "../leveling/mesh";
import { MESH_MAX } from "../leveling/mesh";
import * as probe from "../leveling/meshProbe";
import { Failure } from "../leveling/meshProbe";
import * as records from "../leveling/meshStore";
import { R } from "../leveling/meshStore";

// The MK52 steel sheet (250 x 210 mm, boards/minirambo-mk25): the default area is where the
// probe can reach and still sees the sheet under its whole 8 mm face (4 mm from the sheet's edge):
// probe X 24..246 (nozzle 1..223 with the probe 23 mm right), Y 4..206 (nozzle -1..201).
const SHEET_X0: f32 = 24;
const SHEET_X1: f32 = 246;
const SHEET_Y0: f32 = 4;
const SHEET_Y1: f32 = 206;
/** Prusa's G80 threshold (MK3 since 2023), mm. */
const ALLOWED_DEFAULT_MM: f32 = 0.35;
/** Samples spread tolerance default, mm: Prusa's MK3 refuses probes spread more than 0.05 mm. */
const TOLERANCE_DEFAULT_MM: f32 = 0.05;
/** Prusa's G80 edge corrections: at most 0.1 mm (100 um) each way. */
const EDGE_MAX_UM: f32 = 100;
/**
 * Acceleration of G80's travel between points, mm/s^2: most of a 3 x 3's time is nine 100 mm
 * moves, which at M204 T's 1500 take 0.57 s each; the MK2's X and Y allow 9000 (M201, Prusa's
 * MAX_ACCELERATION), and a probing pass carries no print that could be shaken loose.
 */
const PROBING_TRAVEL_ACCEL: f32 = 4000;
/** The most the probed points may span, mm (Prusa's G80: "Exreme span" [sic] over 3 mm). */
const SPAN_MAX_MM: f32 = 3;
/** Prusa's MK2 G81 header: MESH_HOME_Z_SEARCH, an integer in its source. */
const G81_POINTS: i32 = 7;

/** A refusal: "Error:<what>; nothing measured", and false. */
function refuse(what: RomText): bool {
  out.text(rom("Error:"));
  out.text(what);
  out.line(rom("; nothing measured"));
  return false;
}

function inRange(letter: u32, lo: f32, hi: f32): bool {
  if (!parser.has(letter)) return true;
  const v = parser.value(letter);
  return parser.hasValue(letter) && v >= lo && v <= hi;
}

function valueOr(letter: u32, fallback: f32): f32 {
  return parser.hasValue(letter) ? parser.value(letter) : fallback;
}

/** The edge corrections' letters in their order: left, right, front, back. */
function edgeLetter(k: i32): u32 {
  return k == 0 ? Letter.L : k == 1 ? Letter.R : k == 2 ? Letter.F : Letter.B;
}

/** Edge correction k (L R F B), um: given on G80, else the saved one (M421 L R F B), else 0. */
function edgeUm(k: i32, saved: bool): f32 {
  const l = edgeLetter(k);
  return parser.hasValue(l) ? parser.value(l) : saved ? <f32>records.imageEdgeUm(k) : 0;
}

/**
 * G80 [N<points>] [X Y W H] [C<samples>] [T<tolerance mm>] [P<passes>] [D<allowed mm>]
 * [L R F B <um>] [V]: probe the bed and level.
 */
export function g80(): void {
  if (!motion.isHomed(X) || !motion.isHomed(Y) || !motion.isHomed(Z)) {
    refuse(rom("G80 needs X, Y and Z homed (G28 first)"));
    return;
  }
  const steel = bedIsSteelSheet();
  const nominal = probe.nominalTrigger();
  // Everything is checked before anything moves.
  if (!inRange(Letter.N, 3, 7)) { refuse(rom("G80 N must be 3 to 7 points a side")); return; }
  let n: i32 = parser.hasValue(Letter.N) ? <i32>parser.value(Letter.N) : 3;
  if (!steel && n != 3) { refuse(rom("G80 N: the MK42 bed is probed at its nine induction targets (3 x 3) only")); return; }
  if (!inRange(Letter.C, 1, 10)) { refuse(rom("G80 C (samples per point) must be 1 to 10")); return; }
  if (!inRange(Letter.T, 0.005, 1)) { refuse(rom("G80 T (samples tolerance) must be 0.005 to 1 mm")); return; }
  if (!inRange(Letter.P, 1, 10)) { refuse(rom("G80 P (passes over the grid) must be 1 to 10")); return; }
  // The floor of each probe is the prediction minus D; D under the switching height keeps that
  // floor above the bed the prediction expects.
  if (!inRange(Letter.D, 0.05, nominal - 0.04)) { refuse(rom("G80 D (allowed deviation) must be 0.05 mm to 0.04 mm under the probe's switching height")); return; }
  if (!inRange(Letter.L, -EDGE_MAX_UM, EDGE_MAX_UM) || !inRange(Letter.R, -EDGE_MAX_UM, EDGE_MAX_UM) ||
      !inRange(Letter.F, -EDGE_MAX_UM, EDGE_MAX_UM) || !inRange(Letter.B, -EDGE_MAX_UM, EDGE_MAX_UM)) {
    refuse(rom("G80 L R F B (edge corrections) must be -100 to 100 um"));
    return;
  }
  let x0: f32, x1: f32, y0: f32, y1: f32;
  const area = parser.has(Letter.X) || parser.has(Letter.Y) || parser.has(Letter.W) || parser.has(Letter.H);
  if (steel) {
    x0 = valueOr(Letter.X, SHEET_X0);
    y0 = valueOr(Letter.Y, SHEET_Y0);
    x1 = parser.hasValue(Letter.W) ? x0 + parser.value(Letter.W) : SHEET_X1;
    y1 = parser.hasValue(Letter.H) ? y0 + parser.value(Letter.H) : SHEET_Y1;
    if (area && !(x0 >= SHEET_X0 && x1 <= SHEET_X1 && y0 >= SHEET_Y0 && y1 <= SHEET_Y1 && x1 - x0 >= 10 && y1 - y0 >= 10)) {
      refuse(rom("G80 X Y W H: the area (probe positions) must lie within X 24..246, Y 4..206 and be at least 10 mm a side"));
      return;
    }
  } else {
    if (area) { refuse(rom("G80 X Y W H: the MK42 bed is probed at its induction targets; no area can be chosen")); return; }
    x0 = bedTargetX(0);
    x1 = bedTargetX(2);
    y0 = bedTargetY(0);
    y1 = bedTargetY(2);
  }
  const samples = <i32>valueOr(Letter.C, 1);
  const tolerance = valueOr(Letter.T, TOLERANCE_DEFAULT_MM);
  const passes = <i32>valueOr(Letter.P, 1);
  const allowed = valueOr(Letter.D, Mathf.min(ALLOWED_DEFAULT_MM, nominal - <f32>0.04));
  const verbose = parser.has(Letter.V);
  // The edge corrections: given ones replace the saved ones (Prusa: G80's parameters, else the
  // values from the LCD menu).
  const haveOverlay = records.readImage(records.OVERLAY_RECORD_ADDRESS, records.OVERLAY_MAGIC);
  const edgeL = edgeUm(0, haveOverlay), edgeR = edgeUm(1, haveOverlay);
  const edgeF = edgeUm(2, haveOverlay), edgeB = edgeUm(3, haveOverlay);
  // The MK42 with M45's reference heights: each target is expected where M45 measured it.
  let references = !steel;
  for (let i = 0; i < 9 && references; i++) {
    const h = settings.axisF32(S.ReferenceHeights, i);
    if (h != h) references = false;
  }

  mesh.setActive(false);
  setStatus(rom("Mesh bed leveling"));
  beginProgress(rom("Mesh bed leveling"), <u32>(n * n * passes));
  // Travel between points accelerates at PROBING_TRAVEL_ACCEL at least (the planner keeps each
  // axis within its M201 maximum): the settings value is lent and given back, whatever happens.
  const travelAccel = settings.f32At(S.TravelAccel);
  settings.setF32(S.TravelAccel, Mathf.max(travelAccel, PROBING_TRAVEL_ACCEL));
  const f = probe.probeGrid(n, n, x0, x1, y0, y1, passes, samples, tolerance, allowed, references, !steel);
  settings.setF32(S.TravelAccel, travelAccel);
  endProgress();
  if (f != Failure.None) {
    mesh.clearMesh();
    failure(f, n);
    return;
  }
  // A bed whose points span more than Prusa's 3 mm ("Extreme span") is not one to print on.
  let lo: f32 = 1000, hi: f32 = -1000;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      lo = Mathf.min(lo, probe.pointMean(r * MESH_MAX + c));
      hi = Mathf.max(hi, probe.pointMean(r * MESH_MAX + c));
    }
  }
  if (hi - lo > SPAN_MAX_MM || Mathf.abs(hi - nominal) > SPAN_MAX_MM || Mathf.abs(lo - nominal) > SPAN_MAX_MM) {
    mesh.clearMesh();
    out.text(rom("Error:G80: the bed's points span "));
    out.fixed(hi - lo, 3);
    out.line(rom(" mm, or lie more than 3 mm from where Z homed: level the bed with its screws first; leveling is off"));
    return;
  }
  // The mesh: each point's height over the bed Z homed on (switching height minus the nominal
  // one), the edge corrections (full on the edge row or column, fading linearly to nothing at
  // the opposite edge: Prusa's full/half/none on 3 x 3), the overlay.
  mesh.beginMesh(n, n, x0, x1, y0, y1);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const fx = <f32>c / <f32>(n - 1), fy = <f32>r / <f32>(n - 1);
      let z = probe.pointMean(r * MESH_MAX + c) - nominal;
      z += (edgeL * (1 - fx) + edgeR * fx + edgeF * (1 - fy) + edgeB * fy) / <f32>1000;
      mesh.setNodeMm(c, r, z);
    }
  }
  if (verbose || passes > 1) statistics(n, passes);
  // The workspace now holds nothing G80 still needs: the overlay's record goes there.
  if (records.readImage(records.OVERLAY_RECORD_ADDRESS, records.OVERLAY_MAGIC)) addOverlay();
  // The nozzle stays where the last probe left it, about 0.9 mm over the bed (0.5 mm above the
  // switching height): the next move, leveled now, follows the bed from there (PrusaSlicer's
  // start G-code sends G1 Z0.2 next).
  mesh.setActive(true);
  out.text(rom("echo:Mesh bed leveling on: "));
  out.int(n);
  out.text(rom(" x "));
  out.int(n);
  out.text(rom(" points, heights "));
  reportRange();
  out.line(rom(" mm (G81 shows the mesh, M500 saves it)"));
  setStatus(rom("Leveling done"));
}

/** The overlay record (in the image) added to the live mesh at each of its nodes. */
function addOverlay(): void {
  const oc = <i32>load<u8>(records.image + R.Cols), orr = <i32>load<u8>(records.image + R.Rows);
  const ox0 = load<f32>(records.image + R.FirstX), ox1 = load<f32>(records.image + R.LastX);
  const oy0 = load<f32>(records.image + R.FirstY), oy1 = load<f32>(records.image + R.LastY);
  const n = mesh.meshCols(), m = mesh.meshRows();
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      const x = mesh.gridPosition(mesh.meshFirstX(), mesh.meshLastX(), n, c);
      const y = mesh.gridPosition(mesh.meshFirstY(), mesh.meshLastY(), m, r);
      const add = mesh.gridSurfaceAt(records.image + R.Nodes, oc, orr, mesh.gridCoordinate(x, ox0, ox1, oc), mesh.gridCoordinate(y, oy0, oy1, orr));
      mesh.setNodeMm(c, r, mesh.nodeMm(c, r) + add);
    }
  }
}

function reportRange(): void {
  let lo: f32 = 1000, hi: f32 = -1000;
  for (let r = 0; r < mesh.meshRows(); r++) {
    for (let c = 0; c < mesh.meshCols(); c++) {
      lo = Mathf.min(lo, mesh.nodeMm(c, r));
      hi = Mathf.max(hi, mesh.nodeMm(c, r));
    }
  }
  out.fixed(lo, 3);
  out.text(rom(" to "));
  out.fixed(hi, 3);
}

/** Student's t for a two-sided 95 % interval with `dof` degrees of freedom (1..9). */
function studentT95(dof: i32): f32 {
  switch (dof) {
    case 1: return 12.706;
    case 2: return 4.303;
    case 3: return 3.182;
    case 4: return 2.776;
    case 5: return 2.571;
    case 6: return 2.447;
    case 7: return 2.365;
    case 8: return 2.306;
  }
  return 2.262;
}

/** Per point: where it is, the mean switching height, and over several passes the standard
 * deviation and the 95 % interval of the mean (t * sd / sqrt(passes)). */
function statistics(n: i32, passes: i32): void {
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const i = r * MESH_MAX + c;
      out.text(rom("echo:Point "));
      out.int(c);
      out.char(44); // ','
      out.int(r);
      out.text(rom(" X"));
      out.fixed(mesh.gridPosition(mesh.meshFirstX(), mesh.meshLastX(), n, c), 1);
      out.text(rom(" Y"));
      out.fixed(mesh.gridPosition(mesh.meshFirstY(), mesh.meshLastY(), n, r), 1);
      out.text(rom(": mean "));
      out.fixed(probe.pointMean(i) - probe.nominalTrigger(), 4); // the bed over the homing point
      if (passes > 1) {
        const sd = Mathf.sqrt(Mathf.max(probe.pointM2(i), 0) / <f32>(passes - 1));
        out.text(rom(" sd "));
        out.fixed(sd, 4);
        out.text(rom(" 95% +-"));
        out.fixed((studentT95(passes - 1) * sd) / Mathf.sqrt(<f32>passes), 4);
        out.text(rom(" n "));
        out.int(passes);
      }
      out.line(rom(" mm"));
    }
  }
}

function failure(f: Failure, n: i32): void {
  const i = probe.failedIndex;
  if (f == Failure.Aborted) {
    out.line(rom("Error:G80 aborted; leveling is off"));
    return;
  }
  // The point, as Prusa's G80 names it (1-based, front row first), and where it is.
  out.text(rom("echo:G80 stopped at point "));
  if (i >= 0) {
    const c = i % MESH_MAX, r = i / MESH_MAX;
    out.int(r * n + c + 1);
    out.text(rom(" (column "));
    out.int(c + 1);
    out.text(rom(", row "));
    out.int(r + 1);
    out.text(rom(" from the front)"));
  }
  out.text(rom(", nozzle at Z "));
  out.fixed(f == Failure.Spread ? motion.native(Z) : probe.failedHeightMm, 3);
  out.newline();
  if (f == Failure.NoTrigger) {
    raiseFault(rom("Mesh bed leveling failed. Sensor didn't trigger. Debris on nozzle?"),
      rom("Bed leveling failed"), false);
  } else if (f == Failure.TooHigh) {
    raiseFault(rom("Mesh bed leveling failed. Sensor triggered too high."), rom("Bed leveling failed"), false);
  } else if (f == Failure.Disconnected) {
    raiseFault(rom("Mesh bed leveling failed. Sensor disconnected or cable broken."), rom("Bed leveling failed"), false);
  } else if (f == Failure.Spread) {
    out.text(rom("Error:G80: the samples of the point spread "));
    out.fixed(probe.failedHeightMm, 3);
    out.line(rom(" mm, more than the tolerance, 3 times (a noisy or loose probe?); leveling is off"));
  } else {
    out.line(rom("Error:G80: the point is beyond the travel (check the XYZ calibration); leveling is off"));
  }
}

// ---------------------------------------------------------------------------------------------
// Reports.

/** G81: the mesh in Prusa's MK2 format, 7 x 7 rear row first, 5 decimals, each value after two
 * spaces; without an active mesh, "not active" and the correction in use: none (zeros), so that
 * Bed Visualizer and PrusaMeshMap still read 7 rows instead of waiting for their timeout. */
export function g81(): void {
  const active = mesh.isActive();
  if (!active) out.line(rom("Mesh bed leveling not active."));
  out.text(rom("Num X,Y: "));
  out.int(G81_POINTS);
  out.char(44);
  out.int(G81_POINTS);
  out.newline();
  out.line(rom("Z search height: 5"));
  out.line(rom("Measured points:"));
  for (let r = G81_POINTS - 1; r >= 0; r--) {
    for (let c = 0; c < G81_POINTS; c++) {
      out.char(32);
      out.char(32);
      const z = active
        ? mesh.surfaceMm(mesh.gridPosition(mesh.meshFirstX(), mesh.meshLastX(), G81_POINTS, c), mesh.gridPosition(mesh.meshFirstY(), mesh.meshLastY(), G81_POINTS, r))
        : <f32>0;
      out.fixed(z, 5);
    }
    out.newline();
  }
}

/** Marlin's print_2d_array: column numbers, then rows front first, each value signed, 5 decimals. */
function print2d(): void {
  const n = mesh.meshCols(), m = mesh.meshRows();
  for (let c = 0; c < n; c++) {
    for (let k = 0; k < 8; k++) out.char(32); // precision 5 + 3
    out.int(c);
  }
  out.newline();
  for (let r = 0; r < m; r++) {
    out.char(32);
    out.int(r);
    for (let c = 0; c < n; c++) {
      out.char(32);
      const z = mesh.nodeMm(c, r);
      if (z >= 0) out.char(43); // '+'
      out.fixed(z, 5);
    }
    out.newline();
  }
  out.newline();
}

/** M420 [S0|S1] [Z<fade mm>] [V]: leveling on/off (S1 loads the saved mesh if none is in
 * memory), the fade height, and Marlin's report. */
export function m420(): void {
  if (parser.has(Letter.S) && !(parser.hasValue(Letter.S) && (parser.value(Letter.S) == 0 || parser.value(Letter.S) == 1))) {
    out.line(rom("Error:M420 S must be 0 (off) or 1 (on); nothing changed"));
    return;
  }
  if (parser.has(Letter.Z) && !inRange(Letter.Z, 0, 100)) {
    out.line(rom("Error:M420 Z (fade height) must be 0 (no fade) to 100 mm; nothing changed"));
    return;
  }
  if (parser.hasValue(Letter.Z)) mesh.setFadeHeight(parser.value(Letter.Z));
  if (parser.hasValue(Letter.S)) {
    if (parser.value(Letter.S) == 1) {
      if (!mesh.hasMesh()) loadMesh();
      if (!mesh.hasMesh()) out.line(rom("echo:Invalid mesh."));
      mesh.setActive(true);
    } else {
      mesh.setActive(false);
    }
  }
  if (parser.has(Letter.V)) {
    if (!mesh.hasMesh()) {
      out.line(rom("echo:Invalid mesh."));
    } else {
      out.line(rom("Mesh Bed Level data:"));
      out.int(mesh.meshCols());
      out.char(120); // 'x'
      out.int(mesh.meshRows());
      out.line(rom(" mesh. Z offset: 0.00000"));
      out.line(rom("Measured points:"));
      print2d();
    }
  }
  out.line(mesh.isActive() ? rom("echo:Bed Leveling ON") : rom("echo:Bed Leveling OFF"));
  out.text(rom("echo:Fade Height "));
  if (mesh.fadeHeightMm > 0) {
    out.fixed(mesh.fadeHeightMm, 2);
    out.newline();
  } else {
    out.line(rom("OFF"));
  }
}

// ---------------------------------------------------------------------------------------------
// EEPROM: the mesh (M500, M420 S1) and the correction overlay (M421).

/** The live mesh into the image (as a mesh record). */
function meshToImage(magic: u32): void {
  records.clearImage(magic);
  store<u8>(records.image + R.Cols, <u8>mesh.meshCols());
  store<u8>(records.image + R.Rows, <u8>mesh.meshRows());
  store<f32>(records.image + R.FirstX, mesh.meshFirstX());
  store<f32>(records.image + R.LastX, mesh.meshLastX());
  store<f32>(records.image + R.FirstY, mesh.meshFirstY());
  store<f32>(records.image + R.LastY, mesh.meshLastY());
}

/** M500's part: the live mesh into its record. False when the EEPROM did not keep it. */
export function saveMesh(): bool {
  if (!mesh.hasMesh()) return true;
  meshToImage(records.MESH_MAGIC);
  for (let r = 0; r < mesh.meshRows(); r++) {
    for (let c = 0; c < mesh.meshCols(); c++) records.setImageNodeUm(c, r, <i32>mesh.toUm(mesh.nodeMm(c, r)));
  }
  return records.writeImage(records.MESH_RECORD_ADDRESS);
}

/** The saved mesh into the live one (leveling stays as it was); false when there is none valid. */
function loadMesh(): bool {
  if (!records.readImage(records.MESH_RECORD_ADDRESS, records.MESH_MAGIC)) return false;
  const n = <i32>load<u8>(records.image + R.Cols), m = <i32>load<u8>(records.image + R.Rows);
  mesh.beginMesh(n, m, load<f32>(records.image + R.FirstX), load<f32>(records.image + R.LastX),
    load<f32>(records.image + R.FirstY), load<f32>(records.image + R.LastY));
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) mesh.setNodeMm(c, r, <f32>records.imageNodeUm(c, r) / <f32>1000);
  }
  out.line(rom("echo:Mesh loaded from EEPROM"));
  return true;
}

/**
 * M421 I<column> J<row> Z<mm> | Q<mm>: set (Z) or add to (Q) the correction overlay at a point
 * of the mesh (0-based, front-left first); the overlay is added to every mesh G80 makes and is
 * kept in EEPROM at once. M421 L R F B <um>: the saved edge corrections G80 uses when it is not
 * given its own. M421 S0: clear the overlay.
 */
export function m421(): void {
  const edges = parser.has(Letter.L) || parser.has(Letter.R) || parser.has(Letter.F) || parser.has(Letter.B);
  const point = parser.has(Letter.I) || parser.has(Letter.J) || parser.has(Letter.Z) || parser.has(Letter.Q);
  if (parser.has(Letter.S)) {
    if (!(parser.hasValue(Letter.S) && parser.value(Letter.S) == 0) || edges || point) {
      out.line(rom("Error:M421 S0 clears the correction overlay (and takes nothing else); nothing changed"));
      return;
    }
    records.clearImage(records.OVERLAY_MAGIC);
    store<u8>(records.image + R.Cols, 1);
    store<u8>(records.image + R.Rows, 1);
    if (!records.writeImage(records.OVERLAY_RECORD_ADDRESS)) out.line(rom("Error:EEPROM write failed"));
    else out.line(rom("echo:Correction overlay cleared (the live mesh keeps it until the next G80)"));
    return;
  }
  if (edges) {
    if (point || !inRange(Letter.L, -EDGE_MAX_UM, EDGE_MAX_UM) || !inRange(Letter.R, -EDGE_MAX_UM, EDGE_MAX_UM) ||
        !inRange(Letter.F, -EDGE_MAX_UM, EDGE_MAX_UM) || !inRange(Letter.B, -EDGE_MAX_UM, EDGE_MAX_UM)) {
      out.line(rom("Error:M421 L R F B: edge corrections of -100 to 100 um, without I J Z Q; nothing changed"));
      return;
    }
    if (!records.readImage(records.OVERLAY_RECORD_ADDRESS, records.OVERLAY_MAGIC)) {
      records.clearImage(records.OVERLAY_MAGIC);
      store<u8>(records.image + R.Cols, 1);
      store<u8>(records.image + R.Rows, 1);
    }
    for (let k = 0; k < 4; k++) {
      const l = edgeLetter(k);
      if (parser.hasValue(l)) records.setImageEdgeUm(k, <i32>nearest<f32>(parser.value(l)));
    }
    if (!records.writeImage(records.OVERLAY_RECORD_ADDRESS)) out.line(rom("Error:EEPROM write failed"));
    else reportEdges();
    return;
  }
  const n = mesh.meshCols(), m = mesh.meshRows();
  if (!mesh.hasMesh()) {
    out.line(rom("Error:M421 needs a mesh (G80 or M420 S1) to place its points; nothing changed"));
    return;
  }
  if (!parser.hasValue(Letter.I) || !parser.hasValue(Letter.J) || parser.hasValue(Letter.Z) == parser.hasValue(Letter.Q)) {
    out.line(rom("Error:M421 needs I<column> J<row> and one of Z<mm> (set) or Q<mm> (add); nothing changed"));
    return;
  }
  const i = parser.value(Letter.I), j = parser.value(Letter.J);
  if (!(i >= 0 && i < <f32>n && j >= 0 && j < <f32>m && i == Mathf.floor(i) && j == Mathf.floor(j))) {
    out.text(rom("Error:M421 I and J must be whole numbers 0 to "));
    out.int(n - 1);
    out.line(rom(" (the mesh's points); nothing changed"));
    return;
  }
  const v = parser.hasValue(Letter.Z) ? parser.value(Letter.Z) : parser.value(Letter.Q);
  if (!(v >= -1 && v <= 1)) {
    out.line(rom("Error:M421 Z/Q must be -1 to 1 mm; nothing changed"));
    return;
  }
  const c = <i32>i, r = <i32>j;
  // The overlay takes the live mesh's grid; one of another grid (a 3 x 3 overlay under a 7 x 7
  // mesh) is refused rather than silently resampled.
  let have = records.readImage(records.OVERLAY_RECORD_ADDRESS, records.OVERLAY_MAGIC);
  if (have) {
    const oc = <i32>load<u8>(records.image + R.Cols), orr = <i32>load<u8>(records.image + R.Rows);
    const emptyOverlay = oc == 1 && orr == 1;
    if (emptyOverlay) {
      const e0 = records.imageEdgeUm(0), e1 = records.imageEdgeUm(1), e2 = records.imageEdgeUm(2), e3 = records.imageEdgeUm(3);
      meshToImage(records.OVERLAY_MAGIC);
      records.setImageEdgeUm(0, e0);
      records.setImageEdgeUm(1, e1);
      records.setImageEdgeUm(2, e2);
      records.setImageEdgeUm(3, e3);
    } else if (oc != n || orr != m || load<f32>(records.image + R.FirstX) != mesh.meshFirstX() || load<f32>(records.image + R.LastX) != mesh.meshLastX() ||
        load<f32>(records.image + R.FirstY) != mesh.meshFirstY() || load<f32>(records.image + R.LastY) != mesh.meshLastY()) {
      out.line(rom("Error:M421: the saved correction overlay belongs to a mesh of another grid or area (M421 S0 clears it); nothing changed"));
      return;
    }
  } else {
    meshToImage(records.OVERLAY_MAGIC);
  }
  const before = <f32>records.imageNodeUm(c, r) / <f32>1000;
  const after = parser.hasValue(Letter.Z) ? v : before + v;
  if (!(after >= -1 && after <= 1)) {
    out.line(rom("Error:M421: the overlay point would exceed 1 mm; nothing changed"));
    return;
  }
  records.setImageNodeUm(c, r, <i32>mesh.toUm(after));
  if (!records.writeImage(records.OVERLAY_RECORD_ADDRESS)) {
    out.line(rom("Error:EEPROM write failed; the overlay is not saved"));
    return;
  }
  // The live mesh follows at once (it holds the overlay G80 added).
  mesh.setNodeMm(c, r, mesh.nodeMm(c, r) + (after - before));
  out.text(rom("echo:Correction overlay point "));
  out.int(c);
  out.char(32);
  out.int(r);
  out.text(rom(": "));
  out.fixed(after, 3);
  out.line(rom(" mm (saved; added to every G80 mesh)"));
}

function reportEdges(): void {
  out.text(rom("echo:Edge corrections saved: L"));
  out.int(records.imageEdgeUm(0));
  out.text(rom(" R"));
  out.int(records.imageEdgeUm(1));
  out.text(rom(" F"));
  out.int(records.imageEdgeUm(2));
  out.text(rom(" B"));
  out.int(records.imageEdgeUm(3));
  out.line(rom(" um"));
}
