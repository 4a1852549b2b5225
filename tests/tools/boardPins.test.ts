// The step interrupt's pin writes, generated from the board file (tools/build/board.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadBoard, boardHeader, stepperBits, flashTables, readBoardKeys, readStepSchedule } from "../../tools/build/board.ts";

const define = (header: string, name: string) => new RegExp(`^#define ${name}\\b(.*)$`, "m").exec(header)?.[1]?.trim();
const noTexts = { texts: [], offsets: [], size: 0 };

test("the MiniRambo's step word goes to PORTC and its direction bits to PORTL as they are, one write each", () => {
  const h = boardHeader(loadBoard("minirambo"));
  assert.equal(define(h, "BOARD_STEP_HIGH"), "(s) do { PORTC |= (uint8_t)((s) & 0x0f); } while (0)");
  assert.equal(define(h, "BOARD_STEP_LOW"), "(s) do { PORTC &= (uint8_t)~((s) & 0x0f); } while (0)");
  assert.equal(define(h, "BOARD_DIR_WRITE"), "(d) do { PORTL = (uint8_t)((PORTL & (uint8_t)~0x47) | ((d) & 0x47)); } while (0)");
});

test("the board table gives the module the same step and direction bits the C HAL writes", () => {
  const board = loadBoard("minirambo");
  const keys = readBoardKeys().map((k) => k.name);
  const words = flashTables(board, noTexts).words;
  const word = (name: string) => words[keys.indexOf(name)];
  const bits = stepperBits(board);
  assert.deepEqual(["StepBitX", "StepBitY", "StepBitZ", "StepBitE"].map(word), bits.step);
  assert.deepEqual(["DirBitX", "DirBitY", "DirBitZ", "DirBitE"].map(word), bits.dir);
  // PC0..PC3 and PL1, PL0, PL2, PL6: the pins' own bits.
  assert.deepEqual(bits.step, [0x01, 0x02, 0x04, 0x08]);
  assert.deepEqual(bits.dir, [0x02, 0x01, 0x04, 0x40]);
  // Only E is inverted (Prusa's INVERT_E0_DIR): its direction bit, PL6.
  assert.equal(word("DirInvertMask"), 0x40);
});

test("step pins on two ports get one write per port, shifted where two pins share a bit number", () => {
  const board = structuredClone(loadBoard("minirambo"));
  board.steppers.e.step = "PA2"; // bit 2, as Z's PC2: the word uses axis numbers instead
  board.steppers.e.dir = "PA3"; // bit 3, free among the direction pins: the word keeps pin bits
  const bits = stepperBits(board);
  assert.deepEqual(bits.step, [0x01, 0x02, 0x04, 0x08]);
  assert.deepEqual(bits.dir, [0x02, 0x01, 0x04, 0x08]);
  const h = boardHeader(board);
  assert.equal(define(h, "BOARD_STEP_HIGH"), "(s) do { PORTC |= (uint8_t)((s) & 0x07); PORTA |= (uint8_t)(((s) & 0x08) >> 1); } while (0)");
  assert.equal(
    define(h, "BOARD_DIR_WRITE"),
    "(d) do { PORTL = (uint8_t)((PORTL & (uint8_t)~0x07) | ((d) & 0x07)); PORTA = (uint8_t)((PORTA & (uint8_t)~0x08) | ((d) & 0x08)); } while (0)",
  );
});

test("the C HAL's scheduling constants are the module's StepSchedule", () => {
  const s = readStepSchedule();
  const h = boardHeader(loadBoard("minirambo"));
  assert.equal(define(h, "STEP_MIN_GAP"), String(s.MinGapTicks));
  assert.equal(define(h, "STEP_MAX_BURST"), String(s.MaxBurst));
  assert.equal(define(h, "STEP_IDLE"), `0x${s.IdleInterval.toString(16)}u`);
  assert.equal(define(h, "STEP_TIMER_HZ"), `${s.TimerHz}UL`);
});
