/*
 * HD44780 character LCD in 4-bit mode: the MiniRambo's 20x4 on RS, E and D4..D7 (board_pins.h).
 *
 * RW is tied low, so the controller is write-only: its busy flag cannot be read, and after each
 * write the controller is given the execution time the datasheet states, stretched from its
 * typical 270 kHz oscillator to the slowest it allows (190 kHz): 37 us becomes 60 us for an
 * instruction or a character, 1.52 ms becomes 2.2 ms for clear and home.
 *
 * Nothing here waits beyond one byte's pulses (a call takes about 20 us): hal_lcdWrite() sends
 * a byte and notes when the controller will be free again, hal_lcdReady() says whether it is.
 * The power-on initialisation runs the same way, one step per hal_lcdReady() call once the wait
 * after the previous step has passed; the firmware polls it from its main loop.
 */
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <util/atomic.h>
#include <util/delay.h>
#include "hal.h"
#include "pins.h"

#define WRITE_US 60u
#define CLEAR_US 2200u
/* The controller needs 40 ms after its supply reaches 2.7 V; time since reset stands for that. */
#define POWER_ON_MS 50u
#define INIT_STEPS 9

static uint16_t written_at; /* clock_us16() after the last write */
static uint16_t busy_us;    /* how long the controller executes it; 0 once that has passed */
static uint8_t init_step;

void lcd_pins_init(void) {
  PIN_SET_LOW(BOARD_PIN_LCD_EN);
  PIN_MAKE_OUTPUT(BOARD_PIN_LCD_EN);
  PIN_SET_LOW(BOARD_PIN_LCD_RS);
  PIN_MAKE_OUTPUT(BOARD_PIN_LCD_RS);
  PIN_SET_LOW(BOARD_PIN_LCD_D4);
  PIN_MAKE_OUTPUT(BOARD_PIN_LCD_D4);
  PIN_SET_LOW(BOARD_PIN_LCD_D5);
  PIN_MAKE_OUTPUT(BOARD_PIN_LCD_D5);
  PIN_SET_LOW(BOARD_PIN_LCD_D6);
  PIN_MAKE_OUTPUT(BOARD_PIN_LCD_D6);
  PIN_SET_LOW(BOARD_PIN_LCD_D7);
  PIN_MAKE_OUTPUT(BOARD_PIN_LCD_D7);
}

/*
 * One nibble: RS and the data first (set up >= 60 ns before E rises, >= 195 ns before it falls),
 * then E high >= 450 ns; the next nibble no sooner than 1 us after the last. The pins change with
 * interrupts off, since they share ports with outputs an interrupt may write and some ports
 * (PORTH) are not bit-addressable: a few cycles each time.
 */
static void pulse(uint8_t rs, uint8_t nibble) {
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
    PIN_WRITE(rs, BOARD_PIN_LCD_RS);
    PIN_WRITE(nibble & 1, BOARD_PIN_LCD_D4);
    PIN_WRITE(nibble & 2, BOARD_PIN_LCD_D5);
    PIN_WRITE(nibble & 4, BOARD_PIN_LCD_D6);
    PIN_WRITE(nibble & 8, BOARD_PIN_LCD_D7);
  }
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { PIN_SET_HIGH(BOARD_PIN_LCD_EN); }
  _delay_us(1);
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { PIN_SET_LOW(BOARD_PIN_LCD_EN); }
  _delay_us(1);
}

static void written(uint16_t us) {
  written_at = clock_us16();
  busy_us = us;
}

static void write_byte(uint8_t rs, uint8_t byte) {
  pulse(rs, byte >> 4);
  pulse(rs, byte & 0x0f);
  /* Clear (0x01) and home (0x02, 0x03) take long; everything else 37 us. */
  written(!rs && byte != 0 && byte <= 3 ? CLEAR_US : WRITE_US);
}

/* (Forgetting the wait once it has passed keeps the 16-bit clock's wrap from bringing it back.) */
static uint8_t busy(void) {
  if (busy_us && (uint16_t)(clock_us16() - written_at) >= busy_us) busy_us = 0;
  return busy_us != 0;
}

/*
 * Initialising by instruction (datasheet figure 24, 4-bit interface): three function sets in their
 * 8-bit form bring the interface to 8 bits whatever state it was in (after a reset of the board
 * alone the controller may even wait for the second half of a byte), then 4-bit mode, then the
 * display's mode.
 */
static void init_next(void) {
  switch (init_step++) {
    case 0:
      pulse(0, 0x3);
      written(4500); /* > 4.1 ms */
      break;
    case 1:
      pulse(0, 0x3);
      written(150); /* > 100 us */
      break;
    case 2:
      pulse(0, 0x3);
      written(WRITE_US);
      break;
    case 3:
      pulse(0, 0x2); /* 4-bit interface from here on */
      written(WRITE_US);
      break;
    case 4:
      write_byte(0, 0x28); /* function set: 4-bit, 2 lines (a 20x4 is two 40-character lines, folded), 5x8 dots */
      break;
    case 5:
      write_byte(0, 0x08); /* display off */
      break;
    case 6:
      write_byte(0, 0x01); /* clear: spaces everywhere, address 0 */
      break;
    case 7:
      write_byte(0, 0x06); /* entry mode: the address increments after each character, no shift */
      break;
    default:
      write_byte(0, 0x0c); /* display on, no cursor, no blinking */
      break;
  }
}

u32 hal_lcdReady(void) {
  if (busy()) return 0;
  if (init_step == INIT_STEPS) return 1;
  if (init_step == 0 && hal_millis() < POWER_ON_MS) return 0;
  init_next();
  return 0;
}

void hal_lcdWrite(u32 isData, u32 byte) {
  if (init_step != INIT_STEPS) return; /* not initialised yet: the firmware waits for hal_lcdReady() */
  while (busy()) {
    /* only when called before hal_lcdReady() said so: at most 2.2 ms */
  }
  write_byte(isData != 0, (uint8_t)byte);
}

/*
 * The HAL's last words, when the firmware traps or halts: interrupts are off by then, so this
 * waits with busy loops (the clock no longer advances), finishes the controller's initialisation
 * if the firmware had not got that far, and writes `what` (at most 20 characters) on the
 * display's row 2 and that everything is off on row 3.
 */
void lcd_show_halt(const char *what) {
  if (init_step == 0) _delay_ms(POWER_ON_MS); /* it may have been too soon after power-on */
  _delay_ms(5);                                /* whatever the last write still needs (4.5 ms at most) */
  while (init_step != INIT_STEPS) {
    init_next();
    _delay_ms(5);
  }
  static const char off[] PROGMEM = "Motors, heaters off";
  for (uint8_t r = 0; r < 2; r++) {
    write_byte(0, (uint8_t)(0x80 | (r == 0 ? 0x14 : 0x54))); /* DDRAM addresses of rows 2 and 3 */
    _delay_us(WRITE_US);
    const char *s = r == 0 ? what : off;
    for (uint8_t col = 0; col < 20; col++) {
      char c = r == 0 ? *s : (char)pgm_read_byte(s);
      if (c) s++;
      write_byte(1, (uint8_t)(c ? c : ' '));
      _delay_us(WRITE_US);
    }
  }
}
