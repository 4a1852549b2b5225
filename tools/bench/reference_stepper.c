/*
 * Benchmark only: the step interrupt of assembly/motion/stepper.ts written by hand in C, for the
 * wasm2c-to-C ratio (npm run bench). It runs on the very same data the firmware's segment
 * generator fills (the state block, the segment ring, the planner's blocks in linear memory), so
 * both images step identically and only the code differs. hal/avr/main.c includes this file in
 * place of the module's fw_stepperIsr() when built with -DPLUMB_REFERENCE_STEPPER.
 *
 * Keep it in step with stepper.ts: same fields, same decisions, same results. The bench checks
 * that both images produce the same steps.
 */
#include <stddef.h>
#include <stdint.h>

struct ref_state {
  uint16_t left;
  uint16_t interval;
  uint8_t group_mask;
  uint8_t slow;
  uint8_t dir;
  uint8_t always;
  uint8_t bresenham;
  uint8_t check;
  uint8_t ends_block;
  uint8_t seg_tail;
  uint8_t seg_head;
  uint8_t blocks_done;
  uint8_t idle;
  uint8_t aborted;
  uint32_t events;
  uint32_t steps[4];
  int32_t counter[4];
  uint8_t step_bit[4];
  uint32_t moved[4];
  uint16_t word;
  uint8_t group_left;
  uint8_t repeats;
} __attribute__((packed));

struct ref_segment {
  uint16_t steps;
  uint16_t interval;
  uint8_t group;
  uint8_t block;
  uint8_t flags;
  uint8_t spare;
} __attribute__((packed));

struct ref_block {
  uint32_t steps[4];
  int32_t target[4];
  uint32_t events;
  float millimeters, nominal_speed, entry_speed_sqr, max_entry_speed_sqr, accel;
  uint8_t dir_bits, always_bits, bresenham_axes, check_inputs, axis_bits, spare[3];
  float speed_sqr_change;
} __attribute__((packed));

_Static_assert(offsetof(struct ref_state, events) == 16, "stepper.ts T.Events");
_Static_assert(offsetof(struct ref_state, steps) == 20, "stepper.ts T.Steps");
_Static_assert(offsetof(struct ref_state, counter) == 36, "stepper.ts T.Counter");
_Static_assert(offsetof(struct ref_state, step_bit) == 52, "stepper.ts T.StepBit");
_Static_assert(offsetof(struct ref_state, moved) == 56, "stepper.ts T.Moved");
_Static_assert(offsetof(struct ref_state, word) == 72, "stepper.ts T.Word");
_Static_assert(offsetof(struct ref_state, group_left) == 74, "stepper.ts T.GroupLeft");
_Static_assert(offsetof(struct ref_state, repeats) == 75, "stepper.ts T.Repeats");
_Static_assert(sizeof(struct ref_segment) == 8, "stepper.ts SEG_BYTES");
_Static_assert(offsetof(struct ref_block, events) == 32, "planner.ts B.Events");
_Static_assert(offsetof(struct ref_block, dir_bits) == 56, "planner.ts B.DirBits");
_Static_assert(sizeof(struct ref_block) == 68, "planner.ts BLOCK_BYTES");

#define REF_SEGMENTS 16
#define REF_BLOCKS 16
#define REF_FIRST_OF_BLOCK 1
#define REF_LAST_OF_BLOCK 2
#define REF_STEP_IDLE 0xffffUL

/* Constant addresses: the module's exports fold to constants. */
#define ST ((struct ref_state *)(plumb_memory + (fw_stepperStateAddress() - PLUMB_MEM_BASE)))
#define SEGMENTS ((struct ref_segment *)(plumb_memory + (fw_stepperSegmentsAddress() - PLUMB_MEM_BASE)))
#define BLOCKS ((struct ref_block *)(plumb_memory + (fw_plannerBlocksAddress() - PLUMB_MEM_BASE)))

static uint32_t ref_idle_word(void) {
  ST->idle = 1;
  return (REF_STEP_IDLE << 16) | ((uint32_t)ST->dir << 8);
}

/* One axis' Bresenham step, unrolled per axis as in stepper.ts. */
#define REF_AXIS(a)                                     \
  if (axes & (1 << a)) {                                \
    int32_t c = ST->counter[a] + (int32_t)ST->steps[a]; \
    if (c >= 0) {                                       \
      c -= events;                                      \
      word |= ST->step_bit[a];                          \
    }                                                   \
    ST->counter[a] = c;                                 \
  }

#define REF_CHECKED 0x80

static inline uint32_t ref_bresenham(uint8_t axes, uint32_t word) {
  int32_t events = (int32_t)ST->events;
  REF_AXIS(0)
  REF_AXIS(1)
  REF_AXIS(2)
  REF_AXIS(3)
  return word;
}

static inline uint32_t ref_group_wait(void) {
  uint8_t left = ST->group_left;
  if (left) {
    ST->group_left = left - 1;
    return 0;
  }
  ST->group_left = ST->group_mask;
  return (uint32_t)ST->interval << 16;
}

static __attribute__((noinline, cold)) uint32_t ref_checked_event(uint32_t word) {
  if (hal_readInputs() & ST->check) {
    ST->left = 0;
    ST->ends_block = 0;
    ST->aborted = 1;
    return ref_idle_word();
  }
  for (uint8_t a = 0; a < 4; a++)
    if (word & ST->step_bit[a]) ST->moved[a]++;
  return word;
}

static inline uint32_t ref_event(uint16_t left) {
  uint32_t word = ST->word;
  uint8_t slow = ST->slow;
  if (!slow) {
    uint8_t more = ST->group_mask;
    if (more > left) more = (uint8_t)left;
    ST->left = left - more;
    ST->repeats = more;
    return word | ((uint32_t)ST->interval << 16);
  }
  ST->left = left;
  if (slow & REF_CHECKED) return ref_checked_event(ref_bresenham(slow, word | ref_group_wait()));
  return ref_bresenham(slow, word | ref_group_wait());
}

static void ref_start_block(const struct ref_block *b) {
  ST->events = b->events;
  int32_t start = -(int32_t)((b->events + 1) >> 1);
  for (uint8_t a = 0; a < 4; a++) {
    ST->steps[a] = b->steps[a];
    ST->counter[a] = start;
    ST->moved[a] = 0;
  }
  ST->dir = b->dir_bits;
  ST->always = b->always_bits;
  ST->word = ((uint16_t)b->dir_bits << 8) | b->always_bits;
  ST->bresenham = b->bresenham_axes;
  ST->check = b->check_inputs;
  ST->slow = b->bresenham_axes | (b->check_inputs ? REF_CHECKED : 0);
}

static __attribute__((noinline, cold)) uint32_t ref_next_segment(void) {
  ST->repeats = 0;
  if (ST->ends_block) {
    ST->ends_block = 0;
    ST->blocks_done++;
  }
  if (ST->aborted) return ref_idle_word();
  uint8_t tail = ST->seg_tail;
  if (tail == ST->seg_head) return ref_idle_word();
  const struct ref_segment *seg = &SEGMENTS[tail];
  if (seg->flags & REF_FIRST_OF_BLOCK) ref_start_block(&BLOCKS[seg->block % REF_BLOCKS]);
  ST->interval = seg->interval;
  ST->group_mask = seg->group - 1;
  ST->group_left = 0;
  ST->ends_block = seg->flags & REF_LAST_OF_BLOCK;
  ST->seg_tail = (tail + 1) % REF_SEGMENTS;
  ST->idle = 0;
  return ref_event(seg->steps - 1); /* this call makes the segment's first event */
}

static inline uint32_t ref_stepperIsr(void) {
  uint16_t left = ST->left;
  if (left == 0) return ref_next_segment();
  return ref_event(left - 1);
}

static inline uint32_t ref_stepperRepeats(void) {
  return ST->repeats;
}
