// Steps: the segment generator (main loop) and the step interrupt.
//
// The main loop turns planner blocks into short segments of constant step rate, about
// SEGMENT_SECONDS each, following the speed the block may have at every point: accelerate
// towards its nominal speed, cruise, and decelerate so as to arrive at the next block's entry
// speed (re-read at every segment, since lookahead may raise it while the block runs). The
// interrupt only executes segments: one call per step event of the block's busiest axis, with
// Bresenham for the others. That keeps the interrupt short and simple (grbl's design).
//
// The interrupt returns one word about the *next* event (hal/avr/main.c pulses it):
//   bits 0..7 step-port bits, 8..15 direction-port bits, 16..31 timer ticks (0.5 us) from now.
// An interval of 0 means "right after this one": at high rates events come in groups of 2-16
// per interrupt (multi-stepping); 0xffff means "nothing to do, wait for stepperWake()".
// When every moving axis steps on every event (one axis, or an exact diagonal), the events of a
// group are all the same: the word is for the group's first, and repeats() tells how many more
// the HAL pulses right after it, at the drivers' minimum pulse spacing, without calling back.
//
// State the interrupt uses sits at fixed addresses in linear memory: byte and half-word fields
// then compile to single loads and stores. The main loop writes SegHead, the interrupt the
// rest; only clearAfterAbort(), with the interrupt idle, resets the interrupt's fields. Each
// hand-over between the two sides passes a stepperBarrier(), so the C compiler can neither
// publish a segment before its fields are written nor keep the interrupt's fields in registers.

import { readInputs, stepperBarrier, stepperWake } from "../hal";
import * as planner from "./planner";
import { B, BLOCKS } from "./planner";
import { AXES, Z, dirBit, stepBit } from "./axes";

/**
 * How the HALs run the step interrupt: the one scheduling policy of hal/avr/main.c and
 * hal/host/hal.ts. tools/build/board.ts reads this enum into the C HAL's generated header
 * (STEP_TIMER_HZ, STEP_MIN_GAP, STEP_MAX_BURST, STEP_IDLE) and the host HAL reads it the same way.
 */
export const enum StepSchedule {
  /** Timer ticks per second: Timer1 at F_CPU / 8. */
  TimerHz = 2000000,
  /** An event due sooner than this after the interrupt is done is taken at once (12 us: about
   * what leaving the interrupt and entering it again costs, with the registers it saves). */
  MinGapTicks = 24,
  /** Events one interrupt may run back to back; past that the next slips to MinGapTicks from
   * now so the main loop runs. Groups (below) are never larger, so a group is never split. */
  MaxBurst = 16,
  /** The interval that means "nothing to do": the HAL waits for stepperWake(). */
  IdleInterval = 0xffff,
}

export const STEP_IDLE: u32 = StepSchedule.IdleInterval;
const TIMER_HZ: f32 = <f32>StepSchedule.TimerHz;
const SEGMENT_SECONDS: f32 = 0.0025;
const MAX_INTERVAL: f32 = 65534;

const SEGMENTS: u32 = 16;
/** Segments (2.5 ms each) queued ahead of the interrupt while the newest block is cut up. */
const NEWEST_BLOCK_SEGMENTS_AHEAD: u32 = 6;
const SEG_BYTES: u32 = 8;
const enum G {
  Steps = 0, // u16
  Interval = 2, // u16 ticks before each group of events
  Group = 4, // u8 events per group
  Block = 5, // u8 block ring index
  Flags = 6, // u8
}
/** In T.Slow: the block stops on an input (homing, probing). Bits 0-3 are its Bresenham axes. */
const CHECKED: u32 = 0x80;
const FIRST_OF_BLOCK: u32 = 1;
const LAST_OF_BLOCK: u32 = 2;
const segments = memory.data(SEGMENTS * SEG_BYTES);

const enum T {
  Left = 0, // u16 events of the current segment still to come
  Interval = 2, // u16 ticks before each group of events
  GroupMask = 4, // u8 events per group - 1 (groups are 1, 2, 4, 8 or 16 events)
  Slow = 5, // u8 the current block's Bresenham axes (bits 0-3), CHECKED if it stops on an input
  Dir = 6, // u8 direction-port bits
  Always = 7, // u8 step bits of axes stepping on every event
  Bresenham = 8, // u8 logical axes on Bresenham
  Check = 9, // u8 input bits that stop the current block
  EndsBlock = 10, // u8 the current segment is its block's last
  SegTail = 11, // u8 (interrupt)
  SegHead = 12, // u8 (main loop)
  BlocksDone = 13, // u8 (interrupt) wraps
  Idle = 14, // u8 (interrupt) 1 when it returned the idle word
  Aborted = 15, // u8 (interrupt) a checked block stopped on its input
  Events = 16, // u32 of the current block
  Steps = 20, // u32[4]
  Counter = 36, // i32[4]
  StepBit = 52, // u8[4]
  Moved = 56, // u32[4] events per axis in the current checked block
  Word = 72, // u16 direction bits << 8 | step bits of the axes stepping on every event
  GroupLeft = 74, // u8 events of the current group still to come (0: the next starts a group)
  Repeats = 75, // u8 copies of the returned event to pulse right after it
  Stop = 76, // u8 (main loop) 1: take no further segment (M410, M112); see requestStop()
  BabyAsked = 77, // u8 (main loop) babysteps handed over, wraps (motion/babystep.ts)
  BabyDone = 78, // u8 (interrupt) babysteps made, wraps
  BabyDir = 79, // u8 (main loop) the Z direction-port bit for them, set while none is pending
  Size = 80,
}
const st = memory.data(T.Size);

/** Where the interrupt's state and the segment ring live (for the C reference in the bench). */
export function stateAddress(): usize {
  return st;
}

export function segmentsAddress(): usize {
  return segments;
}

export function initStepper(): void {
  for (let a = 0; a < AXES; a++) store<u8>(st + T.StepBit + <usize>a, <u8>stepBit(a));
  store<u8>(st + T.Idle, 1);
}

// ---------------------------------------------------------------------------------------------
// The interrupt.

export function isr(): u32 {
  const left = <u32>load<u16>(st + T.Left);
  if (left == 0) return nextSegmentCold();
  return event(left - 1);
}

/** Copies of the event isr() just returned that the HAL pulses right after it (0-15). */
export function repeats(): u32 {
  return load<u8>(st + T.Repeats);
}

function idleWord(): u32 {
  store<u8>(st + T.Idle, 1);
  return (STEP_IDLE << 16) | (<u32>load<u8>(st + T.Dir) << 8);
}

/** One step event of the current segment; `left` events of it come after this one. */
@inline
function event(left: u32): u32 {
  const word = <u32>load<u16>(st + T.Word);
  const slow = <u32>load<u8>(st + T.Slow);
  if (slow == 0) {
    // Every event the same: one word and its repeats make the whole group (a segment's last
    // group may be short). Each word starts a group, so it carries the interval.
    let more = <u32>load<u8>(st + T.GroupMask);
    if (more > left) more = left;
    store<u16>(st + T.Left, <u16>(left - more));
    store<u8>(st + T.Repeats, <u8>more);
    return word | (<u32>load<u16>(st + T.Interval) << 16);
  }
  store<u16>(st + T.Left, <u16>left);
  // The word is the one accumulator through the Bresenham steps (fewer registers live).
  if (slow & CHECKED) return checkedEventCold(bresenham(slow, word | groupWait()));
  return bresenham(slow, word | groupWait());
}

/** The first event of each group waits the interval (in bits 16..31); the others follow at once. */
@inline
function groupWait(): u32 {
  const left = <u32>load<u8>(st + T.GroupLeft);
  if (left != 0) {
    store<u8>(st + T.GroupLeft, <u8>(left - 1));
    return 0;
  }
  store<u8>(st + T.GroupLeft, load<u8>(st + T.GroupMask));
  return <u32>load<u16>(st + T.Interval) << 16;
}

/** Homing and probing: stop on the input, count what each axis did. */
function checkedEventCold(word: u32): u32 {
  if ((readInputs() & <u32>load<u8>(st + T.Check)) != 0) {
    // Stop here. The block is not "done": the main loop works out where it stopped.
    store<u16>(st + T.Left, 0);
    store<u8>(st + T.EndsBlock, 0);
    store<u8>(st + T.Aborted, 1);
    return idleWord();
  }
  countMoved(word & 0xff);
  return word;
}

/** `word` with the step bits of the Bresenham axes (bits 0-3 of `axes`) for this event. */
@inline
function bresenham(axes: u32, word: u32): u32 {
  const events = load<i32>(st + T.Events);
  if (axes & 1) {
    let c = load<i32>(st + T.Counter) + load<i32>(st + T.Steps);
    if (c >= 0) {
      c -= events;
      word |= load<u8>(st + T.StepBit);
    }
    store<i32>(st + T.Counter, c);
  }
  if (axes & 2) {
    let c = load<i32>(st + T.Counter + 4) + load<i32>(st + T.Steps + 4);
    if (c >= 0) {
      c -= events;
      word |= load<u8>(st + T.StepBit + 1);
    }
    store<i32>(st + T.Counter + 4, c);
  }
  if (axes & 4) {
    let c = load<i32>(st + T.Counter + 8) + load<i32>(st + T.Steps + 8);
    if (c >= 0) {
      c -= events;
      word |= load<u8>(st + T.StepBit + 2);
    }
    store<i32>(st + T.Counter + 8, c);
  }
  if (axes & 8) {
    let c = load<i32>(st + T.Counter + 12) + load<i32>(st + T.Steps + 12);
    if (c >= 0) {
      c -= events;
      word |= load<u8>(st + T.StepBit + 3);
    }
    store<i32>(st + T.Counter + 12, c);
  }
  return word;
}

function countMoved(mask: u32): void {
  for (let a: usize = 0; a < <usize>AXES; a++) {
    if (mask & load<u8>(st + T.StepBit + a)) store<u32>(st + T.Moved + (a << 2), load<u32>(st + T.Moved + (a << 2)) + 1);
  }
}

function nextSegmentCold(): u32 {
  store<u8>(st + T.Repeats, 0);
  if (load<u8>(st + T.EndsBlock) != 0) {
    store<u8>(st + T.EndsBlock, 0);
    store<u8>(st + T.BlocksDone, load<u8>(st + T.BlocksDone) + 1);
  }
  if ((load<u8>(st + T.Aborted) | load<u8>(st + T.Stop)) != 0) return idleWord();
  const tail = <u32>load<u8>(st + T.SegTail);
  if (tail == <u32>load<u8>(st + T.SegHead)) {
    if (load<u8>(st + T.BabyAsked) != load<u8>(st + T.BabyDone)) return babystepWhileIdle();
    return idleWord();
  }
  const seg = segments + tail * SEG_BYTES;
  const flags = <u32>load<u8>(seg + G.Flags);
  if (flags & FIRST_OF_BLOCK) startBlock(planner.blockAddress(load<u8>(seg + G.Block)));
  const events = <u32>load<u16>(seg + G.Steps); // at least 1
  store<u16>(st + T.Interval, load<u16>(seg + G.Interval));
  store<u8>(st + T.GroupMask, <u8>(load<u8>(seg + G.Group) - 1));
  store<u8>(st + T.GroupLeft, 0);
  store<u8>(st + T.EndsBlock, <u8>(flags & LAST_OF_BLOCK));
  store<u8>(st + T.SegTail, <u8>((tail + 1) % SEGMENTS));
  store<u8>(st + T.Idle, 0);
  const word = event(events - 1); // this call makes the segment's first event
  // A babystep rides on the segment's first event when the block leaves Z alone, is not a
  // homing or probing move, and the event is not repeated (its copies would step Z again).
  if (
    load<u8>(st + T.BabyAsked) != load<u8>(st + T.BabyDone) &&
    load<u32>(st + T.Steps + (<usize>Z << 2)) == 0 &&
    (<u32>load<u8>(st + T.Slow) & CHECKED) == 0 &&
    load<u8>(st + T.Repeats) == 0
  ) {
    return withBabystep(word);
  }
  return word;
}

// ---------------------------------------------------------------------------------------------
// Babysteps (motion/babystep.ts, M290 and the panel's Live adjust Z): single Z steps that move the
// nozzle without the planner knowing, so that the position G-code sees stays where it was. One
// rides on the first event of a segment (one per SEGMENT_SECONDS, 400 a second: 1 mm/s at the
// MK2's 400 steps/mm), or, with nothing to step, one every BABYSTEP_IDLE_TICKS. The direction is
// written with the word and the step comes at the next event, at least the HAL's minimum gap
// later, past the drivers' direction setup time (A4982: 200 ns).

/** With no segment: one babystep every 1 ms (2000 ticks of 0.5 us), 2.5 mm/s at 400 steps/mm. */
const BABYSTEP_IDLE_TICKS: u32 = 2000;

/** `word` with a Z step added and Z's direction bit replaced by the babystep's. */
function withBabystep(word: u32): u32 {
  store<u8>(st + T.BabyDone, load<u8>(st + T.BabyDone) + 1);
  const dirMask = dirBit(Z) << 8;
  return (word & ~dirMask) | (<u32>load<u8>(st + T.BabyDir) << 8) | <u32>load<u8>(st + T.StepBit + 2);
}

function babystepWhileIdle(): u32 {
  store<u8>(st + T.Idle, 0);
  return withBabystep((BABYSTEP_IDLE_TICKS << 16) | (<u32>load<u8>(st + T.Dir) << 8));
}

/** The interrupt has made every babystep handed over. */
export function babystepsDone(): bool {
  stepperBarrier();
  return load<u8>(st + T.BabyAsked) == load<u8>(st + T.BabyDone);
}

/**
 * Hands `count` (1-255) babysteps to the interrupt, all one way: `zDirBits` is Z's bit of the
 * direction port for them (the board's inversion applied). Only when babystepsDone().
 */
export function queueBabysteps(count: u32, zDirBits: u32): void {
  store<u8>(st + T.BabyDir, <u8>zDirBits);
  stepperBarrier(); // the direction is in memory before the interrupt can see the count
  store<u8>(st + T.BabyAsked, <u8>(<u32>load<u8>(st + T.BabyAsked) + count));
  stepperBarrier();
  stepperWake();
}

function startBlock(b: usize): void {
  const events = load<u32>(b + B.Events);
  store<u32>(st + T.Events, events);
  const start = -<i32>((events + 1) >> 1);
  for (let a: usize = 0; a < <usize>AXES; a++) {
    store<u32>(st + T.Steps + (a << 2), load<u32>(b + B.Steps + (a << 2)));
    store<i32>(st + T.Counter + (a << 2), start);
    store<u32>(st + T.Moved + (a << 2), 0);
  }
  store<u8>(st + T.Dir, load<u8>(b + B.DirBits));
  store<u8>(st + T.Always, load<u8>(b + B.AlwaysBits));
  store<u16>(st + T.Word, <u16>((<u32>load<u8>(b + B.DirBits) << 8) | <u32>load<u8>(b + B.AlwaysBits)));
  store<u8>(st + T.Bresenham, load<u8>(b + B.BresenhamAxes));
  store<u8>(st + T.Check, load<u8>(b + B.CheckInputs));
  store<u8>(st + T.Slow, <u8>(<u32>load<u8>(b + B.BresenhamAxes) | (load<u8>(b + B.CheckInputs) != 0 ? CHECKED : 0)));
}

// ---------------------------------------------------------------------------------------------
// The main loop's side.

let prepActive = false;
let prepBlock: usize = 0;
let prepRing: u32 = 0;
let prepIssued: u32 = 0;
let prepFirst = false;
/** Speed at the end of the last segment generated, mm/s. */
let prepSpeed: f32 = 0;
let blocksDoneSeen: u32 = 0;

function segmentsFree(): u32 {
  const used = (<u32>load<u8>(st + T.SegHead) + SEGMENTS - <u32>load<u8>(st + T.SegTail)) % SEGMENTS;
  return SEGMENTS - 1 - used;
}

/** Blocks the interrupt finished since the last call; the caller retires them. */
export function takeFinishedBlocks(): u32 {
  stepperBarrier(); // read what the interrupt wrote now, and before the caller reuses the blocks
  const done = <u32>load<u8>(st + T.BlocksDone);
  stepperBarrier();
  const n = (done - blocksDoneSeen) & 0xff;
  blocksDoneSeen = done;
  return n;
}

export function isIdle(): bool {
  stepperBarrier(); // callers poll this in loops: read it from memory every time
  return load<u8>(st + T.Idle) != 0;
}

export function wasAborted(): bool {
  stepperBarrier();
  return load<u8>(st + T.Aborted) != 0;
}

/** Steps axis `a` made in the checked block that was stopped. */
export function movedInAbortedBlock(a: i32): u32 {
  return load<u32>(st + T.Moved + (<u32>a << 2));
}

/** The block the interrupt was executing when it stopped. */
export function abortedBlock(): usize {
  return planner.blockAt(0);
}

/** After an abort, with the interrupt idle: drop every segment and let it run again. */
export function clearAfterAbort(): void {
  store<u8>(st + T.SegHead, load<u8>(st + T.SegTail));
  store<u8>(st + T.EndsBlock, 0);
  prepActive = false;
  prepSpeed = 0;
  blocksDoneSeen = load<u8>(st + T.BlocksDone);
  stepperBarrier(); // the ring is empty before the interrupt's next poll may run again
  store<u8>(st + T.Aborted, 0);
}

// ---------------------------------------------------------------------------------------------
// Stopping at once (M410, M112): the interrupt finishes the segment it is in (SEGMENT_SECONDS,
// 2.5 ms, at any speed above one step per 2.5 ms) and takes no other; the main loop then
// works out where the axes are from what was handed over and what is still in the ring, and
// drops the rest. The interrupt's hot path is untouched: the flag is read between segments.

/** Ask the interrupt to stop at the end of its current segment. */
export function requestStop(): void {
  store<u8>(st + T.Stop, 1);
}

/** After requestStop(): the interrupt has stopped (or was idle) and will take no segment. */
export function stoppedForRequest(): bool {
  return load<u8>(st + T.Stop) != 0 && load<u8>(st + T.Idle) != 0;
}

/**
 * With the interrupt stopped: step events it made of the block at ring index `ring` (the oldest
 * one not finished, address `b`): what the segment generator issued for it minus what is still
 * waiting in the segment ring.
 */
export function eventsMadeInBlock(ring: u32, b: usize): u32 {
  let issued: u32 = 0;
  if (planner.startedBlocks() > 0) issued = prepActive && prepRing == ring ? prepIssued : load<u32>(b + B.Events);
  let waiting: u32 = 0;
  const head = <u32>load<u8>(st + T.SegHead);
  for (let i = <u32>load<u8>(st + T.SegTail); i != head; i = (i + 1) % SEGMENTS) {
    const seg = segments + i * SEG_BYTES;
    if (<u32>load<u8>(seg + G.Block) == ring) waiting += <u32>load<u16>(seg + G.Steps);
  }
  return issued > waiting ? issued - waiting : 0;
}

/** The stop is done: every segment dropped (the planner is cleared by the caller); stepping may resume. */
export function finishStop(): void {
  clearAfterAbort();
  store<u8>(st + T.Stop, 0);
}

/** Fills the segment ring from the planner. Cheap when there is nothing to do. */
export function prepare(): void {
  stepperBarrier(); // SegTail, Aborted and Stop as the interrupt left them
  if ((load<u8>(st + T.Aborted) | load<u8>(st + T.Stop)) != 0) return;
  let made = false;
  while (segmentsFree() > 0) {
    if (!prepActive) {
      if (planner.startedBlocks() >= planner.blocksQueued()) break;
      prepRing = (planner.tailIndex() + planner.startedBlocks()) % BLOCKS;
      prepBlock = planner.blockAddress(prepRing);
      planner.markStarted();
      prepActive = true;
      prepIssued = 0;
      prepFirst = true;
      const entry = Mathf.sqrt(load<f32>(prepBlock + B.EntrySpeedSqr));
      if (prepSpeed > entry) prepSpeed = entry;
    }
    // The newest block's segments are made only a few ahead of the interrupt: its end brakes to
    // a stop until a next block arrives, and segments made early would commit to that stop.
    if (planner.startedBlocks() == planner.blocksQueued() && SEGMENTS - 1 - segmentsFree() >= NEWEST_BLOCK_SEGMENTS_AHEAD) break;
    makeSegment();
    // Start an idle interrupt on the first segment, not after the whole ring is full: filling
    // 16 segments takes ~8 ms of soft-float on the AVR, which every move from rest waited for.
    if (!made && isIdle()) stepperWake();
    made = true;
  }
  if (made) stepperWake();
}

function makeSegment(): void {
  const b = prepBlock;
  const events = load<u32>(b + B.Events);
  const mmPerStep = load<f32>(b + B.Millimeters) / <f32>events;
  const accel = load<f32>(b + B.Accel);
  const nominal = load<f32>(b + B.NominalSpeed);
  const stepsLeft = events - prepIssued;
  const remaining = <f32>stepsLeft * mmPerStep;
  const exitSqr = planner.exitSpeedSqrAt(planner.startedBlocks() - 1);
  // The fastest we may go here and still slow down to the exit speed by the block's end.
  const limitSqr = exitSqr + <f32>2 * accel * remaining;
  const v0 = prepSpeed;

  let n: u32;
  let v1: f32;
  let seconds: f32;
  // Steps of cruise left before braking must start (when at the nominal speed).
  const cruiseSteps = Mathf.floor((remaining - (nominal * nominal - exitSqr) / (<f32>2 * accel)) / mmPerStep);
  const braking = v0 * v0 >= limitSqr * <f32>0.9999 || (v0 >= nominal && cruiseSteps < 1);
  if (braking) {
    // Decelerate, ending each segment on the curve that arrives at the exit speed.
    n = stepsFor((v0 - <f32>0.5 * accel * SEGMENT_SECONDS) * SEGMENT_SECONDS, mmPerStep, stepsLeft);
    const d = <f32>n * mmPerStep;
    v1 = Mathf.min(v0, Mathf.sqrt(Mathf.max(exitSqr + <f32>2 * accel * (remaining - d), 0)));
    seconds = travelTime(d, v0, v1, accel);
  } else if (v0 < nominal) {
    // Accelerate, until the nominal speed or the point where deceleration must begin.
    const toNominal = (nominal * nominal - v0 * v0) / (<f32>2 * accel);
    const toDecel = (limitSqr - v0 * v0) / (<f32>4 * accel);
    const phase = Mathf.min(toNominal, toDecel);
    const guess = stepsFor((v0 + <f32>0.5 * accel * SEGMENT_SECONDS) * SEGMENT_SECONDS, mmPerStep, stepsLeft);
    const phaseSteps = <u32>Mathf.max(<f32>1, Mathf.ceil(phase / mmPerStep));
    n = guess < phaseSteps ? guess : phaseSteps;
    if (n > stepsLeft) n = stepsLeft;
    const d = <f32>n * mmPerStep;
    v1 = Mathf.min(Mathf.sqrt(v0 * v0 + <f32>2 * accel * d), nominal);
    seconds = travelTime(d, v0, v1, accel);
  } else {
    // Cruise until deceleration must begin.
    n = stepsFor(nominal * SEGMENT_SECONDS, mmPerStep, stepsLeft);
    if (<f32>n > cruiseSteps) n = <u32>cruiseSteps;
    v1 = nominal;
    seconds = (<f32>n * mmPerStep) / nominal;
  }

  // A segment runs at one rate, its average speed. At a block's ends that average would
  // overshoot the junction speed by up to a*dt/2, so the first and last segments run no faster
  // than their slower end: a little slow, never faster than the planned corner speed.
  if (prepFirst || n == stepsLeft) {
    const slower = Mathf.min(v0, v1);
    if (slower > 0) seconds = Mathf.max(seconds, (<f32>n * mmPerStep) / slower);
  }
  const rate = <f32>n / seconds;
  let group: u32 = 1;
  if (rate > 10000) group = rate > 20000 ? (rate > 40000 ? (rate > 80000 ? StepSchedule.MaxBurst : 8) : 4) : 2;
  // The segment's time spread over its groups; a last, partial group waits as long as a full
  // one, so the count of groups (not n / group) sets the interval.
  let interval = (seconds * TIMER_HZ) / <f32>((n + group - 1) / group);
  if (interval > MAX_INTERVAL) interval = MAX_INTERVAL;
  if (interval < 1) interval = 1;

  const head = <u32>load<u8>(st + T.SegHead);
  const seg = segments + head * SEG_BYTES;
  store<u16>(seg + G.Steps, <u16>n);
  store<u16>(seg + G.Interval, <u16>(<u32>(interval + <f32>0.5)));
  store<u8>(seg + G.Group, <u8>group);
  store<u8>(seg + G.Block, <u8>prepRing);
  prepIssued += n;
  let flags: u32 = prepFirst ? FIRST_OF_BLOCK : 0;
  prepFirst = false;
  prepSpeed = v1;
  if (prepIssued >= events) {
    flags |= LAST_OF_BLOCK;
    prepActive = false;
  }
  store<u8>(seg + G.Flags, <u8>flags);
  // Publish: the segment (and the planner block it starts) is complete in memory before the
  // interrupt can see the new head.
  stepperBarrier();
  store<u8>(st + T.SegHead, <u8>((head + 1) % SEGMENTS));
}

/** Steps covering about `distance` mm: at least 1, at most `left`, and at most 65535. */
function stepsFor(distance: f32, mmPerStep: f32, left: u32): u32 {
  let n: u32 = distance > 0 ? <u32>(distance / mmPerStep + <f32>0.5) : 1;
  if (n < 1) n = 1;
  if (n > left) n = left;
  if (n > 65535) n = 65535;
  return n;
}

/** Time to cover d mm going from v0 to v1 under constant acceleration (or at constant speed). */
function travelTime(d: f32, v0: f32, v1: f32, accel: f32): f32 {
  const sum = v0 + v1;
  if (sum > <f32>0.000001) return (<f32>2 * d) / sum;
  return Mathf.sqrt((<f32>2 * d) / accel);
}
