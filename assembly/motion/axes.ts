// Axis numbering and the board's pin bits, read once from the board table.

import { BoardKey, boardI32 } from "../board";

export const X = 0;
export const Y = 1;
export const Z = 2;
export const E = 3;
export const AXES = 4;

/** Letters of the axes, 'X' 'Y' 'Z' 'E'. */
const LETTERS = memory.data<u8>([88, 89, 90, 69]);

export function axisLetter(axis: i32): u32 {
  return load<u8>(LETTERS + <usize>axis);
}

const stepBits = memory.data(AXES);
const dirBits = memory.data(AXES);
let invertMask: u32 = 0;
let stepRateLimit: u32 = 40000;

export function initAxes(): void {
  for (let a = 0; a < AXES; a++) {
    store<u8>(stepBits + <usize>a, <u8>boardI32(BoardKey.StepBitX + a));
    store<u8>(dirBits + <usize>a, <u8>boardI32(BoardKey.DirBitX + a));
  }
  invertMask = <u32>boardI32(BoardKey.DirInvertMask);
  stepRateLimit = <u32>boardI32(BoardKey.MaxStepRate);
}

/** The axis' bit in the step port. */
export function stepBit(axis: i32): u32 {
  return load<u8>(stepBits + <usize>axis);
}

/** The axis' bit in the direction port (set = towards +, before the board's inversion). */
export function dirBit(axis: i32): u32 {
  return load<u8>(dirBits + <usize>axis);
}

export function dirInvertMask(): u32 {
  return invertMask;
}

/** Steps per second no axis may exceed (the drivers' and the interrupt's limit). */
export function maxStepRate(): u32 {
  return stepRateLimit;
}
