// The motion planner: straight moves in, blocks with planned speeds out.
//
// Each move becomes a block in a ring of BLOCKS: its step counts, length, nominal speed and
// acceleration. Speeds at the junctions between blocks follow from junction deviation (the
// corner speed at which the path would deviate JD mm from a rounded corner, as grbl and Marlin
// do), capped by both blocks' nominal speeds. Lookahead then makes every entry speed reachable:
// a reverse pass from the newest block (which must be able to stop) and a forward pass from the
// oldest (which can only accelerate so much). Speeds are kept squared, so neither pass needs a
// square root. The trapezoid itself is not stored: the segment generator (stepper.ts) follows
// entry speed, nominal speed and the next block's entry speed as it goes.
//
// The block being turned into segments is fixed from then on; the planner only replans after it.
// Only the main loop touches this file; the step interrupt reads blocks it was handed.

import * as settings from "../settings/store";
import { S } from "../settings/store";
import { AXES, stepBit, dirBit, dirInvertMask, maxStepRate } from "./axes";
import { marker } from "../hal";

/** Simulator timestamps around queueing a move (planning and lookahead), for benchmarks. */
export const MARK_PLAN_START: u32 = 18;
export const MARK_PLAN_END: u32 = 19;

export const BLOCKS: u32 = 16;
const BLOCK_BYTES: u32 = 68;

/** Field offsets in a block. */
export const enum B {
  Steps = 0, // u32[4] steps per axis, absolute value
  Target = 16, // i32[4] step position when this block is done
  Events = 32, // u32 steps of the axis that moves most
  Millimeters = 36, // f32 length (XYZ; |E| for E-only moves)
  NominalSpeed = 40, // f32 mm/s
  EntrySpeedSqr = 44, // f32 (mm/s)^2
  MaxEntrySpeedSqr = 48, // f32
  Accel = 52, // f32 mm/s^2
  DirBits = 56, // u8 direction-port bits
  AlwaysBits = 57, // u8 step-port bits of axes that step on every event
  BresenhamAxes = 58, // u8 logical axes (bit a) with 0 < steps < events
  CheckInputs = 59, // u8 input bits that stop this move (homing, probing); 0 for ordinary moves
  AxisBits = 60, // u8 logical axes that move
  SpeedSqrChange = 64, // f32 2 * Accel * Millimeters: how much the block can change speed squared
}

const blocks = memory.data(BLOCKS * BLOCK_BYTES);

/** Oldest block still owned by the stepper; next free slot; blocks in use. */
let tail: u32 = 0;
let head: u32 = 0;
let count: u32 = 0;
/** Blocks from tail that the segment generator has started (their entry speeds are fixed). */
let started: u32 = 0;
/**
 * Blocks from tail whose entry speeds can no longer change: one entered at its maximum, or as fast
 * as its predecessor can accelerate, is final, and so is everything before it (new blocks only
 * raise speeds near the end of the queue). Lookahead starts there, not at the tail.
 */
let planned: u32 = 0;

/** Where the last queued block ends, in steps and in mm, and the direction bits it leaves. */
const position = memory.data(AXES * 4);
const positionMm = memory.data(AXES * 4);
let lastDirBits: u32 = 0;
/** Unit vector and nominal speed of the last queued block, for the next junction. */
const previousUnit = memory.data(AXES * 4);
let previousNominalSpeed: f32 = 0;
let previousValid = false;

export function blocksAddress(): usize {
  return blocks;
}

export function blockAddress(index: u32): usize {
  return blocks + (index % BLOCKS) * BLOCK_BYTES;
}

export function freeBlocks(): u32 {
  return BLOCKS - count;
}

export function blocksQueued(): u32 {
  return count;
}

export function tailIndex(): u32 {
  return tail;
}

/** The block `n` places after the tail, for the segment generator. */
export function blockAt(n: u32): usize {
  return blockAddress(tail + n);
}

export function startedBlocks(): u32 {
  return started;
}

/** The segment generator took the next block; its entry speed is now fixed. */
export function markStarted(): void {
  started++;
}

/** The stepper finished the tail block. */
export function releaseTail(): void {
  tail = (tail + 1) % BLOCKS;
  count--;
  started--;
  if (planned > 0) planned--;
}

/** Step position of `axis` when block `b` (an address from blockAt) is done. */
export function blockTarget(b: usize, axis: i32): i32 {
  return load<i32>(b + B.Target + (<usize>axis << 2));
}

/** Entry speed squared of the block after `n` places from the tail; 0 when there is none yet. */
export function exitSpeedSqrAt(n: u32): f32 {
  if (n + 1 >= count) return 0;
  return load<f32>(blockAt(n + 1) + B.EntrySpeedSqr);
}

export function positionSteps(axis: i32): i32 {
  return load<i32>(position + (<u32>axis << 2));
}

/** Sets where the planner believes the axes are (after homing, G92, an aborted move). */
export function setPosition(axis: i32, steps: i32, mm: f32): void {
  store<i32>(position + (<u32>axis << 2), steps);
  store<f32>(positionMm + (<u32>axis << 2), mm);
  previousValid = false;
}

/** Forget every queued block (the stepper must be idle and its segments cleared). */
export function clear(): void {
  tail = head = count = started = planned = 0;
  previousValid = false;
}

const delta = memory.data(AXES * 4); // f32 mm per axis of the block being built

/**
 * Queues a straight move to `target` (steps, per axis; `targetMm` the same in mm) at `feedrate`
 * mm/s. The caller waits for a free block (freeBlocks() > 0). Returns false when the move has no
 * steps. checkInputs: input bits that end the move early (homing, probing).
 */
export function queueMove(target: usize, targetMm: usize, feedrate: f32, checkInputs: u32): bool {
  marker(MARK_PLAN_START);
  const queued = plan(target, targetMm, feedrate, checkInputs);
  marker(MARK_PLAN_END);
  return queued;
}

function plan(target: usize, targetMm: usize, feedrate: f32, checkInputs: u32): bool {
  let events: u32 = 0;
  let axisBits: u32 = 0;
  let dirBits = lastDirBits;
  const b = blockAddress(head);
  for (let a = 0; a < AXES; a++) {
    const t = load<i32>(target + (<u32>a << 2));
    const d = t - positionSteps(a);
    const n = <u32>(d < 0 ? -d : d);
    store<u32>(b + B.Steps + (<u32>a << 2), n);
    store<i32>(b + B.Target + (<u32>a << 2), t);
    store<f32>(delta + (<u32>a << 2), load<f32>(targetMm + (<u32>a << 2)) - load<f32>(positionMm + (<u32>a << 2)));
    if (n > events) events = n;
    if (n != 0) {
      axisBits |= 1 << a;
      const bit = dirBit(a);
      dirBits = d > 0 ? dirBits | bit : dirBits & ~bit;
    }
  }
  if (events == 0) return false;

  const dx = load<f32>(delta), dy = load<f32>(delta + 4), dz = load<f32>(delta + 8), de = load<f32>(delta + 12);
  let mm = Mathf.sqrt(dx * dx + dy * dy + dz * dz);
  let accel: f32;
  if (mm < <f32>0.000001) {
    mm = Mathf.abs(de); // E-only: a retract or prime
    accel = settings.f32At(S.RetractAccel);
  } else {
    accel = de != 0 ? settings.f32At(S.Accel) : settings.f32At(S.TravelAccel);
  }

  // Nominal speed: the feedrate, within every axis' maximum and the step-rate ceiling.
  let speed = feedrate;
  for (let a = 0; a < AXES; a++) {
    const d = Mathf.abs(load<f32>(delta + (<u32>a << 2)));
    if (d == 0) continue;
    const axisMax = settings.axisF32(S.MaxFeedrate, a);
    if (speed * d > axisMax * mm) speed = (axisMax * mm) / d;
    const axisAccel = settings.axisF32(S.MaxAccel, a);
    if (accel * d > axisAccel * mm) accel = (axisAccel * mm) / d;
  }
  if (speed * <f32>events > <f32>maxStepRate() * mm) speed = (<f32>maxStepRate() * mm) / <f32>events;

  // Junction speed with the previous block.
  const inv: f32 = <f32>1 / Mathf.sqrt(dx * dx + dy * dy + dz * dz + de * de);
  let maxEntrySqr: f32 = 0;
  if (previousValid && count > 0) {
    let cosTheta: f32 = 0;
    for (let a = 0; a < AXES; a++) {
      const u = load<f32>(delta + (<u32>a << 2)) * inv;
      cosTheta -= u * load<f32>(previousUnit + (<u32>a << 2));
    }
    let junctionSqr: f32;
    if (cosTheta > <f32>0.999999) {
      junctionSqr = 0; // a full reversal
    } else if (cosTheta < <f32>-0.999999) {
      junctionSqr = <f32>1e30; // straight on: only the nominal speeds limit it
    } else {
      const sinHalf = Mathf.sqrt(<f32>0.5 * (<f32>1 - cosTheta));
      junctionSqr = (accel * settings.f32At(S.JunctionDeviation) * sinHalf) / (<f32>1 - sinHalf);
    }
    maxEntrySqr = Mathf.min(junctionSqr, Mathf.min(speed * speed, previousNominalSpeed * previousNominalSpeed));
  }
  for (let a = 0; a < AXES; a++) store<f32>(previousUnit + (<u32>a << 2), load<f32>(delta + (<u32>a << 2)) * inv);
  previousNominalSpeed = speed;
  previousValid = true;

  let always: u32 = 0;
  let bresenham: u32 = 0;
  for (let a = 0; a < AXES; a++) {
    const n = load<u32>(b + B.Steps + (<u32>a << 2));
    if (n == events) always |= stepBit(a);
    else if (n != 0) bresenham |= 1 << a;
  }
  store<u32>(b + B.Events, events);
  store<f32>(b + B.Millimeters, mm);
  store<f32>(b + B.NominalSpeed, speed);
  store<f32>(b + B.MaxEntrySpeedSqr, maxEntrySqr);
  store<f32>(b + B.EntrySpeedSqr, 0);
  store<f32>(b + B.Accel, accel);
  store<f32>(b + B.SpeedSqrChange, <f32>2 * accel * mm);
  store<u8>(b + B.DirBits, <u8>((dirBits ^ dirInvertMask()) & 0xff));
  store<u8>(b + B.AlwaysBits, <u8>always);
  store<u8>(b + B.BresenhamAxes, <u8>bresenham);
  store<u8>(b + B.CheckInputs, <u8>checkInputs);
  store<u8>(b + B.AxisBits, <u8>axisBits);
  lastDirBits = dirBits;
  for (let a = 0; a < AXES; a++) {
    store<i32>(position + (<u32>a << 2), load<i32>(target + (<u32>a << 2)));
    store<f32>(positionMm + (<u32>a << 2), load<f32>(targetMm + (<u32>a << 2)));
  }

  head = (head + 1) % BLOCKS;
  count++;
  recalculate();
  return true;
}

/** Lookahead over the blocks whose speeds may still change. */
function recalculate(): void {
  const first = planned > started ? planned : started;
  if (count <= first) return;
  // Reverse: the newest block must be able to stop; each earlier one must be able to slow down
  // to its successor's entry speed.
  let nextEntrySqr: f32 = 0;
  for (let n = <i32>count - 1; n >= <i32>first; n--) {
    const b = blockAt(<u32>n);
    const reachable = nextEntrySqr + load<f32>(b + B.SpeedSqrChange);
    const entry = Mathf.min(load<f32>(b + B.MaxEntrySpeedSqr), reachable);
    store<f32>(b + B.EntrySpeedSqr, entry);
    nextEntrySqr = entry;
  }
  // Forward: no block can be entered faster than its predecessor can accelerate to. The first
  // block here follows a fixed one (or a standstill).
  let previousSqr: f32 = 0;
  let previousAccelDist: f32 = 0;
  if (first > 0) {
    const p = blockAt(first - 1);
    previousSqr = load<f32>(p + B.EntrySpeedSqr);
    previousAccelDist = load<f32>(p + B.SpeedSqrChange);
  }
  for (let n = first; n < count; n++) {
    const b = blockAt(n);
    let entry = load<f32>(b + B.EntrySpeedSqr);
    if (n == 0) {
      entry = 0; // from a standstill
      store<f32>(b + B.EntrySpeedSqr, entry);
    } else if (entry >= previousSqr + previousAccelDist) {
      entry = previousSqr + previousAccelDist;
      store<f32>(b + B.EntrySpeedSqr, entry);
      planned = n; // as fast as its predecessor allows: final
    }
    if (entry >= load<f32>(b + B.MaxEntrySpeedSqr)) planned = n; // at its maximum: final
    previousSqr = entry;
    previousAccelDist = load<f32>(b + B.SpeedSqrChange);
  }
}
