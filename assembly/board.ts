// Per-board constants, read from the board table the build generates from boards/<name>/board.json
// (tools/build/board.ts maps each key below to a value; a key without a value fails the build).
// Numbers a user can change (steps/mm, feedrates...) are only defaults here: the live values are
// settings, kept in EEPROM.

import { boardWord } from "./hal";
import { RomText } from "./rom";

export const enum BoardKey {
  /** Text: board title, e.g. "MiniRambo 1.3a". */
  Title = 0,
  /** Text: machine the board ships in, e.g. "Prusa i3 MK2". */
  Machine = 1,
  /** Bit of each axis' step pin in the step port (all step pins share one port). */
  StepBitX = 2,
  StepBitY = 3,
  StepBitZ = 4,
  StepBitE = 5,
  /** Bit of each axis' direction pin in the direction port. */
  DirBitX = 6,
  DirBitY = 7,
  DirBitZ = 8,
  DirBitE = 9,
  /** Direction-port bits to flip so that a set bit means "towards +" on every axis. */
  DirInvertMask = 10,
  /** f32 defaults. */
  StepsPerMmX = 11,
  StepsPerMmY = 12,
  StepsPerMmZ = 13,
  StepsPerMmE = 14,
  MaxFeedrateX = 15,
  MaxFeedrateY = 16,
  MaxFeedrateZ = 17,
  MaxFeedrateE = 18,
  MaxAccelX = 19,
  MaxAccelY = 20,
  MaxAccelZ = 21,
  MaxAccelE = 22,
  Accel = 23,
  RetractAccel = 24,
  TravelAccel = 25,
  JunctionDeviation = 26,
  MinSegmentTimeUs = 27,
  HomingFeedrateX = 28,
  HomingFeedrateY = 29,
  HomingFeedrateZ = 30,
  /** i32: highest step rate per axis the drivers and the interrupt are allowed, steps/s. */
  MaxStepRate = 31,
  /** f32 travel limits, mm. */
  MinX = 32,
  MaxX = 33,
  MinY = 34,
  MaxY = 35,
  MinZ = 36,
  MaxZ = 37,
  HomeX = 38,
  HomeY = 39,
  ProbeOffsetX = 40,
  ProbeOffsetY = 41,
  ProbeOffsetZ = 42,
  SafeHomeX = 43,
  SafeHomeY = 44,
  /** i32: step pulse timing the drivers need, ns. */
  MinPulseNs = 45,
  DirSetupNs = 46,
  /** Text: the slicer model names this board serves, space separated, own model first ("MK2 MK2S"). */
  Models = 47,
  /** f32: the nozzle fitted, mm. */
  NozzleDiameter = 48,
  /** Thermistors: i32 ADC channel, f32 resistance at 25 C (ohms) and beta (K), then the pull-up. */
  HotendAdcChannel = 49,
  HotendThermistorR25 = 50,
  HotendThermistorBeta = 51,
  BedAdcChannel = 52,
  BedThermistorR25 = 53,
  BedThermistorBeta = 54,
  ThermistorPullup = 55,
  /** i32: the bed (BedKindValue): what the inductive probe sees where. */
  BedKind = 56,
  /** f32: induction targets (none on a steel sheet: diameter 0), mm; centres where the probe is
   * over them on a perfectly built printer, columns X0..X2 and rows Y0..Y2. */
  BedTargetDiameter = 57,
  BedTargetX0 = 58,
  BedTargetX1 = 59,
  BedTargetX2 = 60,
  BedTargetY0 = 61,
  BedTargetY1 = 62,
  BedTargetY2 = 63,
  /** Number of keys; the table has exactly this many words. */
  Count = 64,
}

/** Values of BoardKey.BedKind (tools/build/board.ts BED_KINDS). */
export const enum BedKindValue {
  /** MK42 (MK2/MK2S): PCB with a heating meander and nine copper induction targets. */
  Mk42Pcb = 0,
  /** MK52 (MK2.5): spring-steel sheet, the same metal everywhere. */
  Mk52Steel = 1,
}

export function boardI32(key: BoardKey): i32 {
  return <i32>boardWord(key);
}

export function boardF32(key: BoardKey): f32 {
  return reinterpret<f32>(boardWord(key));
}

/** Bed X of the MK42 targets in `column` (0..2, left first): the sensor over their centre, mm. */
export function bedTargetX(column: i32): f32 {
  return boardF32(<BoardKey>(<i32>BoardKey.BedTargetX0 + column));
}

/** Bed Y of the MK42 targets in `row` (0..2, front first): the sensor over their centre, mm. */
export function bedTargetY(row: i32): f32 {
  return boardF32(<BoardKey>(<i32>BoardKey.BedTargetY0 + row));
}

/** The MK2.5's steel sheet (the same metal everywhere), not the MK42's PCB with its targets. */
export function bedIsSteelSheet(): bool {
  return boardI32(BoardKey.BedKind) == BedKindValue.Mk52Steel;
}

export function boardText(key: BoardKey): RomText {
  return boardWord(key);
}
