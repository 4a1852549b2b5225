/*
 * plumbsim: the simulated printer. Runs the real firmware.hex in simavr (ATmega2560, 16 MHz),
 * connects its serial port to stdin/stdout or a pty, follows the step/dir/enable pins into the
 * virtual printer model (tools/sim/model/printer.ts, linked in through wasm2c), drives the
 * endstop and probe inputs from the model, keeps EEPROM in a file, counts CPU cycles. The board's
 * HD44780 display is simavr's own part (libsimavrparts), wired to the LCD pins; the report holds
 * its rows and checks the firmware gave the controller its execution time after every byte.
 *
 * With --pty the port behaves like a MiniRambo's USB serial: opening it resets the board (DTR),
 * so every host that connects reads "start" and the banner; while no host has it open the
 * firmware keeps running and what it prints is lost. See "The pty" below.
 *
 * Usually started through tools/sim/cli.ts (npm run sim), which writes the --config file from
 * boards/<name>/board.json and a scenario. Exit codes: 0 done, 2 firmware halted, 3 firmware
 * stopped answering, 4 time limit, 1 usage or set-up error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sim_avr.h>
#include <sim_hex.h>
#include <sim_io.h>
#include <sim_irq.h>
#include <sim_cycle_timers.h>
#include <avr_adc.h>
#include <avr_eeprom.h>
#include <avr_extint.h>
#include <avr_ioport.h>
#include <avr_uart.h>
#include <parts/hd44780.h>

#include "wasm-rt.h"
#include "printer_model.h"

#define AXES 4
#define INPUTS 3
#define SENSORS 2 /* thermistors: 0 hotend, 1 bed */
#define MAX_PARAMS 2048 /* model parameters and grid nodes (3 grids of up to 256) */
#define OUTPUTS 4 /* heaters and fans, as the model numbers them: hotend, bed, print fan, hotend fan */
#define FAULTS 7  /* the model's Fault kinds (tools/sim/model/thermal.ts) */
#define ADC_REFERENCE_MV 5000
#define EEPROM_BYTES 4096
#define GPIOR0_ADDR 0x3e
#define TIMER1_COMPA_VECTOR_BYTE (17 * 4)
#define OPCODE_RETI 0x9518
#define MAX_MARKER_IDS 256
#define MAX_MARKER_STAMPS 4096

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "plumbsim: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

/* ------------------------------------------------------------------------------------------ */
/* Configuration */

typedef struct {
  char port;
  int bit;
} pin_t;

static struct {
  uint32_t fcpu;
  uint32_t baud;
  struct {
    char name[8];
    pin_t step, dir, enable;
    int invert_dir, enable_active_low;
    double steps_per_mm, start_mm, endstop_mm, frame_min, frame_max;
  } axis[AXES];
  struct {
    char name[16];
    pin_t pin;
    int triggered_high;
  } input[INPUTS];
  double pulse_high_ns, pulse_low_ns, dir_setup_ns;
  double probe_x, probe_y, probe_trigger;
  double bed_z0, bed_sx, bed_sy;
  struct {
    int cols, rows; /* 0: no display */
    pin_t rs, e, d[4];
  } lcd;
  double pullup_ohms;
  struct {
    int fitted;
    pin_t pin[3]; /* encoder A, encoder B, button */
    pin_t beeper;
  } panel;
  struct {
    int channel; /* -1: not fitted */
    double r25, beta, celsius;
    int curve; /* the model's Curve (thermal.ts); 2 is the beta model */
  } thermistor[SENSORS];
  /* Model parameters (tools/sim/model/params.ts), applied in order after the rest. */
  int params;
  struct {
    int id;
    double value;
  } param[MAX_PARAMS];
  pin_t output[OUTPUTS]; /* port 0: not fitted */
  double fault_at_s[FAULTS]; /* < 0: never */
  double ambient_c;
} cfg = {
    .fcpu = 16000000,
    .baud = 115200,
    .pulse_high_ns = 1000,
    .pulse_low_ns = 1000,
    .dir_setup_ns = 200,
    .probe_x = 23,
    .probe_y = 9,
    .probe_trigger = 0.4,
    .pullup_ohms = 4700,
    .thermistor = {[0 ... SENSORS - 1] = {.channel = -1, .celsius = 22, .curve = 2}},
    .fault_at_s = {[0 ... FAULTS - 1] = -1},
    .ambient_c = 22,
};

static void read_config(const char *file) {
  FILE *f = fopen(file, "r");
  if (!f) die("cannot read config %s: %s", file, strerror(errno));
  char line[512];
  int n = 0;
  while (fgets(line, sizeof line, f)) {
    n++;
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '#' || *p == '\n' || !*p) continue;
    int i, ok = 0;
    char key[32];
    if (sscanf(p, "%31s", key) != 1) continue;
    if (!strcmp(key, "fcpu")) ok = sscanf(p, "fcpu %u", &cfg.fcpu) == 1;
    else if (!strcmp(key, "baud")) ok = sscanf(p, "baud %u", &cfg.baud) == 1;
    else if (!strcmp(key, "axis")) {
      char name[8];
      pin_t s, d, e;
      int inv, act;
      ok = sscanf(p, "axis %d %7s step %c %d dir %c %d %d enable %c %d %d", &i, name, &s.port, &s.bit, &d.port, &d.bit, &inv, &e.port, &e.bit, &act) == 10 && i >= 0 && i < AXES;
      if (ok) {
        strcpy(cfg.axis[i].name, name);
        cfg.axis[i].step = s;
        cfg.axis[i].dir = d;
        cfg.axis[i].enable = e;
        cfg.axis[i].invert_dir = inv;
        cfg.axis[i].enable_active_low = act;
      }
    } else if (!strcmp(key, "input")) {
      char name[16];
      pin_t pin;
      int high;
      ok = sscanf(p, "input %d %15s %c %d %d", &i, name, &pin.port, &pin.bit, &high) == 5 && i >= 0 && i < INPUTS;
      if (ok) {
        strcpy(cfg.input[i].name, name);
        cfg.input[i].pin = pin;
        cfg.input[i].triggered_high = high;
      }
    } else if (!strcmp(key, "mech")) {
      double spm, start, endstop, fmin, fmax;
      ok = sscanf(p, "mech %d %lf %lf %lf %lf %lf", &i, &spm, &start, &endstop, &fmin, &fmax) == 6 && i >= 0 && i < AXES;
      if (ok) {
        cfg.axis[i].steps_per_mm = spm;
        cfg.axis[i].start_mm = start;
        cfg.axis[i].endstop_mm = endstop;
        cfg.axis[i].frame_min = fmin;
        cfg.axis[i].frame_max = fmax;
      }
    } else if (!strcmp(key, "pulse")) ok = sscanf(p, "pulse %lf %lf %lf", &cfg.pulse_high_ns, &cfg.pulse_low_ns, &cfg.dir_setup_ns) == 3;
    else if (!strcmp(key, "probe")) ok = sscanf(p, "probe %lf %lf %lf", &cfg.probe_x, &cfg.probe_y, &cfg.probe_trigger) == 3;
    else if (!strcmp(key, "bedplane")) ok = sscanf(p, "bedplane %lf %lf %lf", &cfg.bed_z0, &cfg.bed_sx, &cfg.bed_sy) == 3;
    else if (!strcmp(key, "lcd")) {
      ok = sscanf(p, "lcd %d %d rs %c %d e %c %d d4 %c %d d5 %c %d d6 %c %d d7 %c %d", &cfg.lcd.cols, &cfg.lcd.rows, &cfg.lcd.rs.port, &cfg.lcd.rs.bit,
                  &cfg.lcd.e.port, &cfg.lcd.e.bit, &cfg.lcd.d[0].port, &cfg.lcd.d[0].bit, &cfg.lcd.d[1].port, &cfg.lcd.d[1].bit, &cfg.lcd.d[2].port,
                  &cfg.lcd.d[2].bit, &cfg.lcd.d[3].port, &cfg.lcd.d[3].bit) == 14 &&
           cfg.lcd.cols > 0 && cfg.lcd.cols <= 20 && cfg.lcd.rows > 0 && cfg.lcd.rows <= 4;
    } else if (!strcmp(key, "panel")) {
      ok = sscanf(p, "panel %c %d %c %d %c %d %c %d", &cfg.panel.pin[0].port, &cfg.panel.pin[0].bit, &cfg.panel.pin[1].port, &cfg.panel.pin[1].bit,
                  &cfg.panel.pin[2].port, &cfg.panel.pin[2].bit, &cfg.panel.beeper.port, &cfg.panel.beeper.bit) == 8;
      cfg.panel.fitted = ok;
    } else if (!strcmp(key, "heater") || !strcmp(key, "fan")) {
      /* "heater hotend E 5", "fan print H 3": outputs the model's heat follows */
      char name[16];
      pin_t pin;
      ok = sscanf(p, "%*s %15s %c %d", name, &pin.port, &pin.bit) == 3;
      int index = !strcmp(key, "heater") ? (!strcmp(name, "hotend") ? 0 : !strcmp(name, "bed") ? 1 : -1)
                                         : (!strcmp(name, "print") ? 2 : !strcmp(name, "hotend") ? 3 : -1);
      if (ok && index >= 0) cfg.output[index] = pin;
      else ok = 0;
    } else if (!strcmp(key, "curve")) {
      int curve;
      ok = sscanf(p, "curve %d %d", &i, &curve) == 2 && i >= 0 && i < SENSORS && curve >= 0 && curve <= 2;
      if (ok) cfg.thermistor[i].curve = curve;
    } else if (!strcmp(key, "fault")) {
      double at;
      ok = sscanf(p, "fault %d %lf", &i, &at) == 2 && i >= 0 && i < FAULTS;
      if (ok) cfg.fault_at_s[i] = at;
    } else if (!strcmp(key, "ambient")) ok = sscanf(p, "ambient %lf", &cfg.ambient_c) == 1;
    else if (!strcmp(key, "pullup")) ok = sscanf(p, "pullup %lf", &cfg.pullup_ohms) == 1 && cfg.pullup_ohms > 0;
    else if (!strcmp(key, "thermistor")) {
      int ch;
      double r25, beta;
      ok = sscanf(p, "thermistor %d %d %lf %lf", &i, &ch, &r25, &beta) == 4 && i >= 0 && i < SENSORS && ch >= 0 && ch < 16 && r25 > 0 && beta > 0;
      if (ok) cfg.thermistor[i].channel = ch, cfg.thermistor[i].r25 = r25, cfg.thermistor[i].beta = beta;
    } else if (!strcmp(key, "temperature")) {
      double c;
      ok = sscanf(p, "temperature %d %lf", &i, &c) == 2 && i >= 0 && i < SENSORS && c > -273.15;
      if (ok) cfg.thermistor[i].celsius = c;
    }
    else if (!strcmp(key, "param")) {
      double v;
      ok = cfg.params < MAX_PARAMS && sscanf(p, "param %d %lf", &i, &v) == 2 && i >= 0;
      if (ok) cfg.param[cfg.params].id = i, cfg.param[cfg.params].value = v, cfg.params++;
    }
    else die("%s:%d: unknown key '%s'", file, n, key);
    if (!ok) die("%s:%d: cannot parse: %s", file, n, p);
  }
  fclose(f);
}

/* ------------------------------------------------------------------------------------------ */
/* State */

static avr_t *avr;
static Z_printer_instance_t model; /* the virtual printer, wasm2c output of printer.ts */
static const char *eeprom_file;
static const char *report_file;
static int dump_start, dump_len; /* --dump-sram: data-space bytes copied into the report */
static const char *profile_file;  /* --profile: where the program counter spends its cycles */
static uint32_t *profile;         /* samples per flash word address */
static int profile_marker = -1;   /* --profile-marker N: only while the last marker written was N */
static int last_marker = -1;
#define PROFILE_EVERY 64
static FILE *trace;
static FILE *isr_trace; /* --trace-isr: "start-cycle cycles" per step interrupt */
static FILE *input_trace; /* --trace-input: the cycle at which each line end reached the UART */
static int realtime;
static volatile sig_atomic_t stop_requested;
static double wall0; /* --realtime: wall-clock time of simulated cycle 0 */

/* serial */
static int in_fd = 0, out_fd = 1;
static int stdin_flags = -1; /* restored at exit: a terminal's flags are shared with the shell */
static int pty_mode;
static uint8_t in_buf[1 << 16];
static size_t in_head, in_tail; /* bytes read from the host, waiting to be sent at baud rate */
static int in_eof;
static int uart_xoff;
static avr_irq_t *uart_in_irq;
static uint64_t bytes_in, bytes_out;
static avr_cycle_count_t byte_cycles;

/* "every command has had its ok" */
static char in_line[512];
static size_t in_line_len;
static int in_line_comment, in_line_paren;
static uint64_t oks_expected, oks_seen;
static int host_may_send;
static int pace_by_ok;       /* --pace-by-ok: one command line in flight, like printcore */
static int at_line_start = 1;
static char out_line[512];
static size_t out_line_len;
static avr_cycle_count_t last_output_cycle, last_ok_cycle;
static uint8_t out_pending[1 << 16];
static size_t out_pending_len;

/* pty mode: the host side */
static int pty_master = -1;
static char pty_name[256];     /* the slave, /dev/pts/N */
static struct termios pty_tio; /* raw: what every host finds when it opens the port */
static int host_connected;     /* a host has the slave open (the master does not report POLLHUP) */
static int port_watch = -1;    /* inotify on the slave: opens and closes between two polls */
static double reset_hold_s = 0.1;
static double hold_until;      /* > 0: the board is held in reset until this wall-clock time */
static uint64_t host_connects;

/* pins */
static int enable_level[AXES];
static uint8_t inputs_now = 0xff;

/* the display */
static hd44780_t lcd;
static uint64_t lcd_bytes, lcd_early;
static avr_cycle_count_t lcd_free_at; /* the controller has executed the last byte */
static uint32_t lcd_e_level;

/* markers and the step interrupt */
static struct {
  uint32_t count;
  uint32_t stamps;
  uint64_t cycle[MAX_MARKER_STAMPS];
  uint64_t isr_cycles[MAX_MARKER_STAMPS];
} *markers[MAX_MARKER_IDS];
static int in_step_isr;
static avr_cycle_count_t isr_start;
static uint64_t isr_calls, isr_cycles_total, isr_cycles_max, isr_cycles_min = UINT64_MAX;

static double ns_of(avr_cycle_count_t c) { return (double)c * 1e9 / cfg.fcpu; }

/* ------------------------------------------------------------------------------------------ */
/* Model glue */

static void drive_inputs(uint8_t v) {
  for (int i = 0; i < INPUTS; i++) {
    if (!cfg.input[i].pin.port) continue;
    int triggered = (v >> i) & 1;
    int level = cfg.input[i].triggered_high ? triggered : !triggered;
    avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.input[i].pin.port), cfg.input[i].pin.bit), level);
  }
  inputs_now = v;
}

static void update_inputs(void) {
  uint8_t v = (uint8_t)Z_printerZ_inputs(&model);
  if (v != inputs_now) drive_inputs(v);
}

/* simavr lets a PORT write (the firmware enabling a pull-up) change an input pin's level; a
   real switch or sensor keeps driving it. Drive the inputs again (unchanged levels cost nothing). */
static void resync_inputs(void) {
  drive_inputs((uint8_t)Z_printerZ_inputs(&model));
}

static void on_step(struct avr_irq_t *irq, uint32_t value, void *param) {
  int axis = (int)(intptr_t)param;
  Z_printerZ_stepEdge(&model, axis, value ? 1 : 0, ns_of(avr->cycle));
  if (value) {
    if (trace) fprintf(trace, "%llu %d %d\n", (unsigned long long)avr->cycle, axis, (int)(Z_printerZ_stepsMoved(&model, axis)));
    update_inputs();
  }
}

static void on_dir(struct avr_irq_t *irq, uint32_t value, void *param) {
  int axis = (int)(intptr_t)param;
  int positive = (value ? 1 : 0) ^ cfg.axis[axis].invert_dir;
  Z_printerZ_dirEdge(&model, axis, positive, ns_of(avr->cycle));
}

static void on_enable(struct avr_irq_t *irq, uint32_t value, void *param) {
  int axis = (int)(intptr_t)param;
  enable_level[axis] = value ? 1 : 0;
  int mask = 0;
  for (int a = 0; a < AXES; a++) {
    int on = cfg.axis[a].enable_active_low ? !enable_level[a] : enable_level[a];
    if (on) mask |= 1 << a;
  }
  Z_printerZ_setEnabled(&model, mask);
}

/* ------------------------------------------------------------------------------------------ */
/* The display
 *
 * simavr's HD44780 part takes the pins (RW is tied low on the board: never connected, so always
 * "write") and keeps the DDRAM. It latches a nibble one cycle after E rises, and raises its BUSY
 * output after each whole byte. The harness watches both: each byte sets when the controller will
 * have executed it (datasheet: 1.52 ms for clear and home, 37 us for everything else, at the
 * typical 270 kHz), and an E pulse before then is counted as early; on a real display that byte
 * could be lost.
 *
 * Where simavr 1.6's part differs from an HD44780 (fixed in later simavr): its address counter
 * runs on linearly instead of folding 0x27 -> 0x40 and 0x67 -> 0x00 in 2-line mode, its clear
 * blanks only 80 bytes of DDRAM and leaves the address, hd44780_print() takes rows 2 and 3 to
 * start at 0x20 and 0x60 (a 20x4's are at 0x14 and 0x54), and it printf()s every byte to stdout
 * (main() sends stdout to /dev/null). The rows are read here at the real addresses; the firmware
 * sets the address at the start of every row it writes, which a real display needs no less.
 */

static void on_lcd_busy(struct avr_irq_t *irq, uint32_t value, void *param) {
  if (!value) return;
  lcd_bytes++;
  uint8_t byte = lcd.datapins;
  int data = (lcd.pinstate >> IRQ_HD44780_RS) & 1;
  double us = !data && byte >= 1 && byte <= 3 ? 1520 : 37;
  lcd_free_at = avr->cycle + (avr_cycle_count_t)(us * 1e-6 * cfg.fcpu);
}

static void on_lcd_e(struct avr_irq_t *irq, uint32_t value, void *param) {
  if (value && !lcd_e_level && avr->cycle < lcd_free_at) lcd_early++;
  lcd_e_level = value;
}

static void connect_lcd_pin(pin_t pin, int lcd_irq) {
  avr_connect_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(pin.port), pin.bit), lcd.irq + lcd_irq);
}

static void attach_lcd(void) {
  if (!cfg.lcd.cols) return;
  hd44780_init(avr, &lcd, cfg.lcd.cols, cfg.lcd.rows);
  connect_lcd_pin(cfg.lcd.rs, IRQ_HD44780_RS);
  connect_lcd_pin(cfg.lcd.e, IRQ_HD44780_E);
  for (int i = 0; i < 4; i++) connect_lcd_pin(cfg.lcd.d[i], IRQ_HD44780_D4 + i);
  avr_irq_register_notify(lcd.irq + IRQ_HD44780_BUSY, on_lcd_busy, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.lcd.e.port), cfg.lcd.e.bit), on_lcd_e, NULL);
}

/* Row r of a display: DDRAM from 0x00, 0x40, then (4-row displays) 0x00 + cols, 0x40 + cols. */
static const uint8_t *lcd_row(int r) {
  return lcd.vram + (r & 1 ? 0x40 : 0x00) + (r >> 1) * cfg.lcd.cols;
}

/* ------------------------------------------------------------------------------------------ */
/* The front panel
 *
 * The encoder and its button are driven from the script: lines of the serial input that start
 * with '@' are the harness's, never sent to the firmware (and typed in the console they work the
 * same; over a pty every line is the host's). Each runs once every earlier command has had its "ok" and the previous '@' line is
 * over, and the serial input waits until it is over itself:
 *
 *   @turn N [RATE]   N detents (negative: the other way) at RATE detents/s (default 20)
 *   @r [N], @l [N]   N detents (default 1) clockwise / counter-clockwise
 *   @click, @c       a short press (100 ms)
 *   @long, @p        a long press (1.5 s)
 *   @press MS        the button held MS milliseconds
 *   @wait MS         nothing for MS milliseconds
 *   @lcd             the display's rows on stderr ("plumbsim: lcd |...|")
 *
 * A detent is a whole quadrature cycle (4 edges) from the resting state, both phases high
 * (contacts open, pull-ups). Clockwise, A falls first. A hand does not turn evenly: the edges
 * of a detent come at 15%, 50%, 65% and 100% of its period (phases 1:2.3). The button's
 * contact bounces (3 extra edges within 1.5 ms on closing, 2 within 0.8 ms on opening). Turns
 * and presses are followed by 150 ms of nothing, a screen refresh, before the script goes on.
 * The beeper's tones are counted for the report.
 */

static void read_input(void);

#define PANEL_EVENTS 8200
#define PANEL_MAX_DETENTS 2000
enum { PANEL_A, PANEL_B, PANEL_BUTTON, PANEL_PINS };
static uint8_t panel_level[PANEL_PINS] = {1, 1, 1};
static struct {
  avr_cycle_count_t at;
  uint8_t pin, level;
} panel_events[PANEL_EVENTS];
static int panel_count, panel_next;
static avr_cycle_count_t panel_busy_until;
static int64_t panel_detents, panel_presses;
static avr_cycle_count_t panel_turn_first, panel_turn_last; /* cycles of the first and last encoder edge */
static uint64_t beeps, beep_cycles;
static avr_cycle_count_t beep_on_at;
static int beep_level;
static int show_lcd;                       /* --show-lcd: the console prints the display when it changes */
static uint8_t lcd_shown[4][20];

static avr_cycle_count_t ms_cycles(double ms) { return (avr_cycle_count_t)(ms * 1e-3 * cfg.fcpu); }

static void panel_drive(int pin, int level) {
  panel_level[pin] = (uint8_t)level;
  /* What the contacts drive, also as the port's external state, which simavr 1.6 applies when it
     recomputes the pins on a write to PORTx (without it a write to PORTH, 1000 times a second by
     the heater and fan interrupt, made the button on PH6 read released until the next resync,
     and a press never looked steady for the firmware's debounce). */
  avr_ioport_external_t ext = {.name = (unsigned long)cfg.panel.pin[pin].port, .mask = 0, .value = 0};
  for (int i = 0; i < PANEL_PINS; i++) {
    if (cfg.panel.pin[i].port != cfg.panel.pin[pin].port) continue;
    ext.mask |= 1u << cfg.panel.pin[i].bit;
    if (panel_level[i]) ext.value |= 1u << cfg.panel.pin[i].bit;
  }
  avr_ioctl(avr, AVR_IOCTL_IOPORT_SET_EXTERNAL(cfg.panel.pin[pin].port), &ext);
  avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.panel.pin[pin].port), cfg.panel.pin[pin].bit), level);
}

/* As resync_inputs: the firmware enabling its pull-ups must not change what the contacts drive. */
static void panel_resync(void) {
  if (!cfg.panel.fitted) return;
  for (int i = 0; i < PANEL_PINS; i++) panel_drive(i, panel_level[i]);
}

static avr_cycle_count_t panel_tick(avr_t *a, avr_cycle_count_t when, void *param) {
  while (panel_next < panel_count && panel_events[panel_next].at <= a->cycle) {
    panel_drive(panel_events[panel_next].pin, panel_events[panel_next].level);
    panel_next++;
  }
  return panel_next < panel_count ? panel_events[panel_next].at : 0;
}

static void panel_event(avr_cycle_count_t at, int pin, int level) {
  if (panel_count == PANEL_EVENTS) die("panel script: too many edges at once");
  panel_events[panel_count].at = at;
  panel_events[panel_count].pin = (uint8_t)pin;
  panel_events[panel_count].level = (uint8_t)level;
  panel_count++;
}

static void panel_turn(int detents, double rate) {
  /* Phases (A, B) in quadrature order: clockwise walks it forwards, 11 -> 01 -> 00 -> 10 -> 11
     (A falls first), counter-clockwise backwards. Each step changes one phase. */
  static const uint8_t GRAY[4][2] = {{1, 1}, {0, 1}, {0, 0}, {1, 0}};
  static const double AT[4] = {0.15, 0.5, 0.65, 1.0};
  double period = (double)cfg.fcpu / rate;
  avr_cycle_count_t t0 = avr->cycle;
  int n = detents < 0 ? -detents : detents;
  int state = 0; /* a detent: both phases high */
  for (int d = 0; d < n; d++) {
    for (int e = 0; e < 4; e++) {
      int next = (state + (detents > 0 ? 1 : 3)) % 4;
      int pin = GRAY[next][0] != GRAY[state][0] ? PANEL_A : PANEL_B;
      panel_event(t0 + (avr_cycle_count_t)((d + AT[e]) * period), pin, GRAY[next][pin == PANEL_A ? 0 : 1]);
      state = next;
    }
  }
  panel_detents += detents;
  if (n && !panel_turn_first) panel_turn_first = panel_events[0].at;
  if (n) panel_turn_last = panel_events[panel_count - 1].at;
  panel_busy_until = t0 + (avr_cycle_count_t)(n * period) + ms_cycles(150);
}

static void panel_press(double ms) {
  static const double CLOSE[] = {0, 0.3, 0.6, 1.0, 1.5}; /* ms: low, high, low, high, low */
  static const double OPEN[] = {0, 0.4, 0.8};             /* ms: high, low, high */
  avr_cycle_count_t t0 = avr->cycle;
  for (int i = 0; i < 5; i++) panel_event(t0 + ms_cycles(CLOSE[i]), PANEL_BUTTON, i & 1);
  avr_cycle_count_t t1 = t0 + ms_cycles(ms);
  for (int i = 0; i < 3; i++) panel_event(t1 + ms_cycles(OPEN[i]), PANEL_BUTTON, !(i & 1));
  panel_presses++;
  panel_busy_until = t1 + ms_cycles(150);
}

static void print_lcd(FILE *f) {
  for (int r = 0; r < cfg.lcd.rows; r++) {
    const uint8_t *row = lcd_row(r);
    fputs("plumbsim: lcd |", f);
    for (int c = 0; c < cfg.lcd.cols; c++) fputc(row[c] == 0x7e ? '>' : row[c] >= 0x20 && row[c] < 0x7f ? row[c] : '?', f);
    fputs("|\n", f);
  }
  fflush(f);
}

/* The console: the display again whenever it changed (checked every 100 ms of simulated time). */
static void show_lcd_if_changed(void) {
  int changed = 0;
  for (int r = 0; r < cfg.lcd.rows && r < 4; r++) {
    if (memcmp(lcd_shown[r], lcd_row(r), (size_t)cfg.lcd.cols)) changed = 1;
    memcpy(lcd_shown[r], lcd_row(r), (size_t)cfg.lcd.cols);
  }
  if (changed) print_lcd(stderr);
}

/* Runs one '@' line of the script. */
static void panel_directive(char *line) {
  char word[16] = "";
  double a = 0, b = 0;
  int n = sscanf(line + 1, "%15s %lf %lf", word, &a, &b);
  panel_count = panel_next = 0;
  panel_busy_until = avr->cycle;
  if (n < 1) return;
  if (!cfg.panel.fitted && strcmp(word, "wait") && strcmp(word, "lcd")) {
    fprintf(stderr, "plumbsim: %s: this board has no front panel\n", line);
    return;
  }
  if (!strcmp(word, "turn") && n >= 2) {
    if (n < 3) b = 20;
    if (a != (int)a || (a < 0 ? -a : a) > PANEL_MAX_DETENTS || !(b > 0 && b <= 5000)) {
      fprintf(stderr, "plumbsim: %s: @turn takes whole detents (at most %d) and a rate of up to 5000 detents/s\n", line, PANEL_MAX_DETENTS);
      return;
    }
    panel_turn((int)a, b);
  } else if (!strcmp(word, "r") || !strcmp(word, "l")) {
    int d = n >= 2 && a >= 1 && a <= PANEL_MAX_DETENTS ? (int)a : 1;
    panel_turn(word[0] == 'r' ? d : -d, 20);
  } else if (!strcmp(word, "click") || !strcmp(word, "c")) {
    panel_press(100);
  } else if (!strcmp(word, "long") || !strcmp(word, "p")) {
    panel_press(1500);
  } else if (!strcmp(word, "press") && n >= 2 && a > 2 && a < 60000) {
    panel_press(a);
  } else if (!strcmp(word, "wait") && n >= 2 && a >= 0) {
    panel_busy_until = avr->cycle + ms_cycles(a);
  } else if (!strcmp(word, "lcd")) {
    print_lcd(stderr);
  } else {
    fprintf(stderr, "plumbsim: %s: not a panel command (@turn N [RATE], @r [N], @l [N], @click, @long, @press MS, @wait MS, @lcd)\n", line);
    return;
  }
  if (panel_count) avr_cycle_timer_register(avr, panel_events[0].at > avr->cycle ? panel_events[0].at - avr->cycle : 1, panel_tick, NULL);
}

/* At the start of a serial line: an '@' line is the harness's. 1 when the serial input must wait. */
static int panel_script(void) {
  if (avr->cycle < panel_busy_until) return 1;
  /* Over a pty the serial input is a real host's: its lines all go to the firmware. */
  if (pty_mode || !at_line_start || in_tail == in_head || in_buf[in_tail] != '@') return 0;
  if (oks_seen < oks_expected) return 1; /* after every earlier command's reply */
  size_t end = in_tail;
  while (end < in_head && in_buf[end] != '\n') end++;
  if (end == in_head && !in_eof) {
    read_input();
    return 1;
  }
  char line[128];
  size_t len = end - in_tail < sizeof line - 1 ? end - in_tail : sizeof line - 1;
  memcpy(line, in_buf + in_tail, len);
  line[len] = 0;
  if (len && line[len - 1] == '\r') line[len - 1] = 0;
  in_tail = end < in_head ? end + 1 : end;
  panel_directive(line);
  return 1;
}

static void on_beeper(struct avr_irq_t *irq, uint32_t value, void *param) {
  int on = value ? 1 : 0;
  if (on && !beep_level) beeps++, beep_on_at = avr->cycle;
  if (!on && beep_level) beep_cycles += avr->cycle - beep_on_at;
  beep_level = on;
}

/* ------------------------------------------------------------------------------------------ */
/* Serial */

static void flush_output(void) {
  size_t done = 0;
  while (done < out_pending_len) {
    ssize_t w = write(out_fd, out_pending + done, out_pending_len - done);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        if (pty_mode) break; /* nobody reading the pty: keep it for later */
        continue;
      }
      if (errno == EIO && pty_mode) { /* host not connected yet: drop */
        done = out_pending_len;
        break;
      }
      die("write: %s", strerror(errno));
    }
    done += (size_t)w;
  }
  memmove(out_pending, out_pending + done, out_pending_len - done);
  out_pending_len -= done;
}

static void on_uart_output(struct avr_irq_t *irq, uint32_t value, void *param) {
  uint8_t c = (uint8_t)value;
  bytes_out++;
  last_output_cycle = avr->cycle;
  if (pty_mode && !host_connected) {
    /* nobody has the port open: the byte is lost, as on a USB serial nobody listens to */
  } else {
    if (out_pending_len == sizeof out_pending) flush_output();
    if (out_pending_len < sizeof out_pending) out_pending[out_pending_len++] = c;
  }
  if (c == '\n') {
    host_may_send = 1;
    out_line[out_line_len] = 0;
    if (out_line_len >= 2 && out_line[0] == 'o' && out_line[1] == 'k') {
      oks_seen++;
      last_ok_cycle = avr->cycle;
    }
    out_line_len = 0;
    if (!pty_mode) flush_output();
  } else if (c != '\r' && out_line_len < sizeof out_line - 1) {
    out_line[out_line_len++] = (char)c;
  }
}

static void on_xon(struct avr_irq_t *irq, uint32_t value, void *param) { uart_xoff = 0; }
static void on_xoff(struct avr_irq_t *irq, uint32_t value, void *param) { uart_xoff = 1; }

/* Hosts get one "ok" per line that holds a command once comments and blanks are removed. */
static void track_sent_byte(uint8_t c) {
  if (c == '\n' || c == '\r') {
    int has_command = 0;
    for (size_t i = 0; i < in_line_len; i++)
      if (in_line[i] != ' ' && in_line[i] != '\t') has_command = 1;
    if (has_command) oks_expected++;
    in_line_len = 0;
    in_line_comment = in_line_paren = 0;
    return;
  }
  if (in_line_comment) return;
  if (c == ';') {
    in_line_comment = 1;
    return;
  }
  if (c == '(') in_line_paren = 1;
  else if (c == ')' && in_line_paren) {
    in_line_paren = 0;
    return;
  }
  if (in_line_paren) return;
  if (in_line_len < sizeof in_line) in_line[in_line_len++] = (char)c;
}

static void read_input(void) {
  if (in_eof) return;
  size_t room = sizeof in_buf - in_head;
  if (in_tail > 0 && in_tail == in_head) in_head = in_tail = 0, room = sizeof in_buf;
  if (room < 4096 && in_tail > 0) {
    memmove(in_buf, in_buf + in_tail, in_head - in_tail);
    in_head -= in_tail;
    in_tail = 0;
    room = sizeof in_buf - in_head;
  }
  if (room == 0) return;
  ssize_t r = read(in_fd, in_buf + in_head, room);
  if (r > 0) in_head += (size_t)r;
  else if (r == 0 && !pty_mode) in_eof = 1;
  else if (r < 0 && errno != EAGAIN && errno != EINTR && errno != EIO) die("read: %s", strerror(errno));
}

/* One byte per byte-time, like a real 115200 baud line. */
static avr_cycle_count_t send_next_byte(avr_t *a, avr_cycle_count_t when, void *param) {
  if (!host_may_send) return when + byte_cycles; /* like a host, wait for the firmware's first line */
  if (in_tail == in_head) read_input();
  if (panel_script()) return when + byte_cycles;
  /* A host in "one line in flight" mode sends the next line once the last one had its ok. */
  if (pace_by_ok && at_line_start && oks_seen < oks_expected) return when + byte_cycles;
  if (in_tail < in_head && !uart_xoff) {
    uint8_t c = in_buf[in_tail++];
    at_line_start = c == '\n';
    bytes_in++;
    track_sent_byte(c);
    avr_raise_irq(uart_in_irq, c);
    if (input_trace && c == '\n') fprintf(input_trace, "%llu\n", (unsigned long long)a->cycle);
  }
  return when + byte_cycles;
}

/* ------------------------------------------------------------------------------------------ */
/* Markers: writes to GPIOR0 */

static void on_marker(struct avr_t *a, avr_io_addr_t addr, uint8_t v, void *param) {
  a->data[addr] = v;
  /* 42/43 bracket the heater interrupt (hal/avr/outputs.c): they interrupt a profiled window
     (--profile-marker) without ending it. */
  if (v != 42 && v != 43) last_marker = v;
  if (!markers[v]) {
    markers[v] = calloc(1, sizeof *markers[v]);
    if (!markers[v]) die("out of memory");
  }
  if (markers[v]->stamps < MAX_MARKER_STAMPS) {
    markers[v]->cycle[markers[v]->stamps] = a->cycle;
    markers[v]->isr_cycles[markers[v]->stamps] = isr_cycles_total;
    markers[v]->stamps++;
  }
  markers[v]->count++;
}

/* ------------------------------------------------------------------------------------------ */
/* EEPROM */

static void eeprom_load(void) {
  uint8_t data[EEPROM_BYTES];
  memset(data, 0xff, sizeof data);
  FILE *f = fopen(eeprom_file, "rb");
  if (f) {
    size_t n = fread(data, 1, sizeof data, f);
    (void)n; /* a short file keeps the rest erased, like a fresh chip */
    fclose(f);
  }
  avr_eeprom_desc_t d = {.ee = data, .offset = 0, .size = EEPROM_BYTES};
  avr_ioctl(avr, AVR_IOCTL_EEPROM_SET, &d); /* returns -1 even on success in simavr 1.6 */
}

static void eeprom_save(void) {
  avr_eeprom_desc_t d = {.ee = NULL, .offset = 0, .size = EEPROM_BYTES};
  avr_ioctl(avr, AVR_IOCTL_EEPROM_GET, &d);
  if (!d.ee) return;
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", eeprom_file);
  FILE *f = fopen(tmp, "wb");
  if (!f) die("cannot write %s: %s", tmp, strerror(errno));
  fwrite(d.ee, 1, EEPROM_BYTES, f);
  fclose(f);
  rename(tmp, eeprom_file);
}

/* ------------------------------------------------------------------------------------------ */
/* The pty: a MiniRambo on USB
 *
 * A real MiniRambo resets when a host opens its port (DTR pulls RESET through a capacitor), its
 * bootloader waits a moment, then the firmware starts and prints "start" and the banner to the
 * host that has just connected. Before that host opened the port nobody read what the firmware
 * printed, and it is gone. The pty behaves the same:
 *
 * - The harness keeps only the master side open (it closes the slave once configured), so the
 *   master reports POLLHUP exactly while no host has the slave open. Polled every 0.1 ms of
 *   simulated time (every 1 ms of real time while the board is held in reset): POLLHUP going
 *   away is a host connecting, POLLHUP coming back a host leaving.
 * - A host that closes the port and opens it again between two polls (printcore does, and a host
 *   reconnecting) never shows POLLHUP, so an inotify watch on the slave reports the opens and
 *   closes: a close followed by an open is a new connection (a real board resets on each), and an
 *   open and close while nobody was connected is a connection that has already ended (`stty -F`
 *   resets a real board too). inotify merges identical consecutive events, so it cannot count open
 *   file descriptors; a second process opening the port while a host stays connected is told
 *   apart only by its open coming before its close (if it does that twice between two polls the
 *   board resets, which a real board would not). Without inotify, POLLHUP alone is used.
 * - Connect: the board is reset (avr_reset: flash and EEPROM are kept, registers cleared, MCUSR
 *   says external reset) and held in reset for --reset-hold-ms of real time, like the bootloader's
 *   wait, so the host has finished opening the port (pyserial sets its termios and flushes its
 *   input right after open) before the firmware speaks. Bytes the host sends meanwhile are lost,
 *   as the bootloader would drop them. The harness' serial state starts afresh.
 * - While no host is connected the firmware keeps running (simulated time goes on); its output is
 *   dropped, never queued in the pty. Bytes a host wrote just before closing still reach the
 *   firmware, as they had already crossed the USB cable.
 * - Disconnect: replies the host left unread are flushed from the pty (they would otherwise be
 *   read by the next host, before its "start"), and the raw termios are set again, because Linux
 *   keeps a pty's termios while the master is open and a host may have left them cooked (echo on
 *   would send the firmware's own output back to it). The EEPROM file is written, as a real
 *   EEPROM would have kept what the host saved even if the harness is killed later.
 *   A real tty drops its unread input when its last user closes it; a pty slave keeps it while
 *   the master is open, so a host that reopens the port before the harness has noticed the close
 *   (within one poll) and reads at once can still get the tail of the previous session's output
 *   before "start". Hosts flush their input after opening (pyserial does), which drops it.
 */

static double now_s(void);
static void sleep_ns(long ns);

/* simavr 1.6's avr_reset re-arms the level-triggered INTn polling (see main) and drops every
   cycle timer, the harness' serial pacing included. */
static void after_avr_reset(void) {
  for (int i = 0; i < EXTINT_COUNT; i++) avr_extint_set_strict_lvl_trig(avr, (uint8_t)i, 0);
  avr_cycle_timer_register(avr, byte_cycles, send_next_byte, NULL);
}

/* In reset every pin is an input again: the drivers' step and dir inputs fall low, their enable
   inputs are pulled to "off". avr_reset also cleared the PIN registers, so the endstop and probe
   levels are driven again (forced: simavr skips raising an IRQ to the value it already has). */
static void release_pins(void) {
  for (int a = 0; a < AXES; a++) {
    if (!cfg.axis[a].step.port) continue;
    avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.axis[a].step.port), cfg.axis[a].step.bit), 0);
    avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.axis[a].dir.port), cfg.axis[a].dir.bit), 0);
    avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.axis[a].enable.port), cfg.axis[a].enable.bit), cfg.axis[a].enable_active_low ? 1 : 0);
  }
  for (int i = 0; i < INPUTS; i++) {
    if (!cfg.input[i].pin.port) continue;
    avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.input[i].pin.port), cfg.input[i].pin.bit)->flags |= IRQ_FLAG_INIT;
  }
  drive_inputs((uint8_t)Z_printerZ_inputs(&model));
}

/* The reset a host's DTR gives the board: the chip restarts, flash and EEPROM stay. */
static void reset_board(void) {
  avr_reset(avr);
  avr_regbit_set(avr, avr->reset_flags.extrf);
  after_avr_reset();
  in_step_isr = 0;
  release_pins();
}

/* The serial line as a host that has just opened the port finds it. */
static void clear_serial_state(void) {
  in_head = in_tail = 0;
  out_pending_len = 0;
  in_line_len = 0;
  in_line_comment = in_line_paren = 0;
  out_line_len = 0;
  at_line_start = 1;
  host_may_send = 0;
  uart_xoff = 0;
  oks_expected = oks_seen; /* commands in flight died with the reset */
}

/* What the inotify watch reported since the last call, in order. */
typedef struct {
  int opened;            /* a host opened the port */
  int reopened;          /* an open came after a close */
  int closed_after_open; /* a close came after an open */
  int last_close;        /* the last event was a close */
} port_events_t;

static port_events_t read_port_events(void) {
  port_events_t ev = {0, 0, 0, 0};
  int closed = 0;
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  ssize_t n;
  while (port_watch >= 0 && (n = read(port_watch, buf, sizeof buf)) > 0) {
    for (char *p = buf; p < buf + n;) {
      const struct inotify_event *e = (const struct inotify_event *)p;
      if (e->mask & IN_OPEN) {
        ev.opened = 1;
        if (closed) ev.reopened = 1;
        ev.last_close = 0;
      }
      if (e->mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)) {
        if (ev.opened) ev.closed_after_open = 1;
        closed = ev.last_close = 1;
      }
      p += sizeof *e + e->len;
    }
  }
  return ev;
}

/* A session on the port ended: drop what the firmware wrote that that host did not read (the
   next host would read it before its "start") and set the raw termios again. If the next host
   has already opened the port (closed and reopened between two polls) and set its own termios,
   they are overwritten with raw ones: what a host talking to a printer wants anyway (pyserial
   reads with O_NONBLOCK, so VMIN/VTIME do not matter to it; a pty has no baud rate). */
static void settle_pty(void) {
  int fd = open(pty_name, O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return;
  tcflush(fd, TCIFLUSH);
  tcsetattr(fd, TCSANOW, &pty_tio);
  close(fd);
  (void)read_port_events(); /* our own open and close */
}

static void on_host_connect(void) {
  host_connected = 1;
  host_connects++;
  clear_serial_state();
  reset_board();
  hold_until = now_s() + reset_hold_s;
  fprintf(stderr, "plumbsim: host connected: board reset\n");
}

static void on_host_disconnect(void) {
  host_connected = 0;
  out_pending_len = 0;
  settle_pty();
  if (eeprom_file) eeprom_save();
  fprintf(stderr, "plumbsim: host disconnected\n");
}

/* Linux: termios requests on the master act on the slave's settings. */
static int pty_termios_changed(void) {
  struct termios now;
  if (tcgetattr(pty_master, &now) < 0) return 0;
  return now.c_iflag != pty_tio.c_iflag || now.c_oflag != pty_tio.c_oflag || now.c_cflag != pty_tio.c_cflag || now.c_lflag != pty_tio.c_lflag ||
         now.c_cc[VMIN] != pty_tio.c_cc[VMIN] || now.c_cc[VTIME] != pty_tio.c_cc[VTIME];
}

static int host_present(void) {
  struct pollfd p = {.fd = pty_master, .events = POLLIN};
  if (poll(&p, 1, 0) < 0) return host_connected; /* EINTR: no news */
  return !(p.revents & POLLHUP);
}

/* Every 0.1 ms of simulated time: notice hosts coming and going, move bytes. */
static void service_pty(void) {
  int present = host_present(); /* first: the events read next are at least as recent */
  port_events_t ev = read_port_events();
  if (host_connected && (!present || ev.reopened)) {
    on_host_disconnect(); /* gone, or gone and another open since (then connected again below) */
  } else if (!host_connected && ev.closed_after_open) {
    on_host_connect(); /* a host came and went between two polls: it reset the board too */
    on_host_disconnect();
  }
  if (!host_connected && (present || (ev.opened && !ev.last_close))) on_host_connect();
  else if (!host_connected && !present && pty_termios_changed()) tcsetattr(pty_master, TCSANOW, &pty_tio); /* unseen (no inotify) */
  read_input();
  if (hold_until > 0) in_head = in_tail = 0; /* the board is in reset: nobody receives them */
  if (host_connected) flush_output();
}

/* The board in reset after a connect: the chip does not run; the pty is still watched (a host
   that closes and reopens the port meanwhile resets the board again and restarts the wait). */
static void hold_in_reset(void) {
  double t0 = now_s();
  while (!stop_requested) {
    double left = hold_until - now_s();
    if (left <= 0) break;
    sleep_ns(left < 1e-3 ? (long)(left * 1e9) : 1000000L);
    service_pty();
  }
  hold_until = 0;
  wall0 += now_s() - t0; /* --realtime: time held is not time the simulation fell behind */
}

/* ------------------------------------------------------------------------------------------ */
/* Report */

static const char *VIOLATION_NAMES[] = {"pulseHigh", "pulseLow", "dirSetup", "stepWhileDisabled", "frameCollision", "bedCrash"};

static const char *VIOLATION_TEXTS[] = {
    "step pulses shorter than the driver's minimum high time",
    "gaps between step pulses shorter than the driver's minimum low time",
    "steps too soon after a direction change",
    "step pulses while the axis' driver was off",
    "carriages driven into the frame",
    "nozzle driven into the bed",
};

/* On stderr, whatever the report says: a run that broke the printer's limits must not pass
   unnoticed by someone reading only the console. */
static void warn_violations(void) {
  for (int k = 0; k < (int)(sizeof VIOLATION_NAMES / sizeof *VIOLATION_NAMES); k++) {
    int n = (int)Z_printerZ_violations(&model, k);
    if (!n) continue;
    int axis = (int)Z_printerZ_violationFirstAxis(&model, k);
    fprintf(stderr, "plumbsim: warning: %d x %s (%s), the first at %.3f ms on axis %s\n", n, VIOLATION_TEXTS[k], VIOLATION_NAMES[k],
            Z_printerZ_violationFirstTimeNs(&model, k) / 1e6, axis >= 0 && axis < AXES && cfg.axis[axis].name[0] ? cfg.axis[axis].name : "?");
  }
}

static void write_report(const char *reason, int code) {
  if (!report_file) return;
  FILE *f = fopen(report_file, "w");
  if (!f) die("cannot write %s: %s", report_file, strerror(errno));
  fprintf(f, "{\n  \"exit\": \"%s\",\n  \"exitCode\": %d,\n  \"cycles\": %llu,\n  \"fcpu\": %u,\n", reason, code, (unsigned long long)avr->cycle, cfg.fcpu);
  fprintf(f, "  \"serial\": {\"bytesIn\": %llu, \"bytesOut\": %llu, \"oksExpected\": %llu, \"oks\": %llu, \"hostConnects\": %llu},\n",
          (unsigned long long)bytes_in, (unsigned long long)bytes_out, (unsigned long long)oks_expected, (unsigned long long)oks_seen,
          (unsigned long long)host_connects);
  fprintf(f, "  \"axes\": {");
  for (int a = 0; a < AXES; a++) {
    fprintf(f, "%s\"%s\": {\"steps\": %d, \"stepsTotal\": %d, \"mm\": %.6f}", a ? ", " : "", cfg.axis[a].name[0] ? cfg.axis[a].name : "?",
            (int)Z_printerZ_stepsMoved(&model, a), (int)Z_printerZ_stepsTotal(&model, a), Z_printerZ_position(&model, a));
  }
  fprintf(f, "},\n  \"violations\": {");
  for (int k = 0; k < 6; k++) {
    fprintf(f, "%s\"%s\": {\"count\": %d, \"firstNs\": %.0f, \"axis\": %d}", k ? ", " : "", VIOLATION_NAMES[k], (int)Z_printerZ_violations(&model, k),
            Z_printerZ_violationFirstTimeNs(&model, k), (int)Z_printerZ_violationFirstAxis(&model, k));
  }
  fprintf(f, "},\n  \"stepIsr\": {\"calls\": %llu, \"cycles\": %llu, \"min\": %llu, \"max\": %llu},\n", (unsigned long long)isr_calls,
          (unsigned long long)isr_cycles_total, (unsigned long long)(isr_calls ? isr_cycles_min : 0), (unsigned long long)isr_cycles_max);
  fprintf(f, "  \"sram\": {\"start\": %d, \"bytes\": [", dump_start);
  for (int i = 0; i < dump_len && dump_start + i <= avr->ramend; i++) fprintf(f, "%s%u", i ? "," : "", avr->data[dump_start + i]);
  fprintf(f, "]},\n");
  fprintf(f, "  \"lcd\": {\"rows\": [");
  for (int r = 0; r < cfg.lcd.rows; r++) {
    const uint8_t *row = lcd_row(r);
    fputs(r ? ", \"" : "\"", f);
    for (int c = 0; c < cfg.lcd.cols; c++) {
      uint8_t ch = row[c];
      if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
      else if (ch < 0x20 || ch >= 0x7f) fprintf(f, "\\u%04x", ch);
      else fputc(ch, f);
    }
    fputc('"', f);
  }
  fprintf(f, "], \"bytes\": %llu, \"early\": %llu},\n", (unsigned long long)lcd_bytes, (unsigned long long)lcd_early);
  /* The model's truth report, a flat list tools/sim/truth.ts names (NaN: nothing there). */
  fprintf(f, "  \"model\": [");
  for (int i = 0, n = (int)Z_printerZ_truthLength(&model); i < n; i++) {
    double v = Z_printerZ_truthValue(&model, i);
    if (v != v) fprintf(f, "%snull", i ? "," : "");
    else fprintf(f, "%s%.15g", i ? "," : "", v);
  }
  fprintf(f, "],\n");
  Z_printerZ_advanceTo(&model, ns_of(avr->cycle));
  fprintf(f, "  \"thermal\": {\"hotend\": {\"celsius\": %.3f, \"sensorCelsius\": %.3f, \"maxSensorCelsius\": %.3f}, ", Z_printerZ_heaterCelsius(&model, 0),
          Z_printerZ_sensorCelsiusOf(&model, 0), Z_printerZ_maxSensorCelsius(&model, 0));
  fprintf(f, "\"bed\": {\"celsius\": %.3f, \"sensorCelsius\": %.3f, \"maxSensorCelsius\": %.3f}, ", Z_printerZ_heaterCelsius(&model, 1),
          Z_printerZ_sensorCelsiusOf(&model, 1), Z_printerZ_maxSensorCelsius(&model, 1));
  fprintf(f, "\"outputOnSeconds\": [%.3f, %.3f, %.3f, %.3f], \"outputLevels\": [%.0f, %.0f, %.0f, %.0f], \"hotendFanOffWhileHotSeconds\": %.3f, "
          "\"lastOffNs\": [%.0f, %.0f, %.0f, %.0f], \"firstExtrusion\": {\"ns\": %.0f, \"hotendCelsius\": %.3f, \"bedCelsius\": %.3f}},\n",
          Z_printerZ_outputOnSeconds(&model, 0), Z_printerZ_outputOnSeconds(&model, 1), Z_printerZ_outputOnSeconds(&model, 2),
          Z_printerZ_outputOnSeconds(&model, 3), Z_printerZ_outputLevelOf(&model, 0), Z_printerZ_outputLevelOf(&model, 1),
          Z_printerZ_outputLevelOf(&model, 2), Z_printerZ_outputLevelOf(&model, 3), Z_printerZ_hotendFanOffWhileHotSeconds(&model),
          Z_printerZ_outputLastOffNs(&model, 0), Z_printerZ_outputLastOffNs(&model, 1), Z_printerZ_outputLastOffNs(&model, 2),
          Z_printerZ_outputLastOffNs(&model, 3), Z_printerZ_firstExtrusionTimeNs(&model), Z_printerZ_firstExtrusionCelsius(&model, 0),
          Z_printerZ_firstExtrusionCelsius(&model, 1));
  if (beep_level) beep_cycles += avr->cycle - beep_on_at, beep_on_at = avr->cycle;
  fprintf(f, "  \"panel\": {\"detentsTurned\": %lld, \"presses\": %lld, \"beeps\": %llu, \"beepMs\": %.1f, \"turnCycles\": [%llu, %llu]},\n",
          (long long)panel_detents, (long long)panel_presses, (unsigned long long)beeps, beep_cycles * 1e3 / cfg.fcpu,
          (unsigned long long)panel_turn_first, (unsigned long long)panel_turn_last);
  fprintf(f, "  \"inputs\": %u,\n  \"markers\": {", (unsigned)(inputs_now == 0xff ? 0 : inputs_now));
  int first = 1;
  for (int id = 0; id < MAX_MARKER_IDS; id++) {
    if (!markers[id]) continue;
    fprintf(f, "%s\n    \"%d\": {\"count\": %u, \"cycles\": [", first ? "" : ",", id, markers[id]->count);
    for (uint32_t i = 0; i < markers[id]->stamps; i++) fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)markers[id]->cycle[i]);
    fprintf(f, "], \"isrCycles\": [");
    for (uint32_t i = 0; i < markers[id]->stamps; i++) fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)markers[id]->isr_cycles[i]);
    fprintf(f, "]}");
    first = 0;
  }
  fprintf(f, "\n  }\n}\n");
  fclose(f);
}

/* ------------------------------------------------------------------------------------------ */

static void on_signal(int sig) { stop_requested = 1; }

static void usage(void) {
  fprintf(stderr,
          "usage: plumbsim --hex FILE --config FILE [--config FILE...] [--eeprom FILE] [--pty PATH]\n"
          "                [--realtime] [--report FILE] [--trace-steps FILE] [--trace-isr FILE] [--trace-input FILE] [--timeout SECONDS]\n"
          "                [--max-seconds SECONDS] [--settle-ms MS] [--keep-running] [--dump-sram START:LEN]\n"
          "                [--profile FILE] [--profile-marker ID] [--pace-by-ok] [--reset-hold-ms MS] [--trace-thermal FILE] [--show-lcd]\n");
  exit(1);
}

static void sleep_ns(long ns) {
  struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
  nanosleep(&ts, NULL);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void no_sleep(avr_t *a, avr_cycle_count_t how_long) { (void)a; (void)how_long; }

/* Heaters and fans: the model integrates each output's level between pin edges. */
static void on_output(struct avr_irq_t *irq, uint32_t value, void *param) {
  Z_printerZ_setOutput(&model, (int)(intptr_t)param, value ? 1.0 : 0.0, ns_of(avr->cycle));
}

static FILE *thermal_trace; /* --trace-thermal: every 100 ms, the model's temperatures and outputs */

/* The thermistor voltages, from the model, on their ADC inputs (simavr keeps the last value an
   input was given: the harness gives it again every millisecond, after the heat has moved on). */
static void feed_adc(void) {
  for (int i = 0; i < SENSORS; i++) {
    int ch = cfg.thermistor[i].channel;
    if (ch < 0) continue;
    avr_irq_t *irq = avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0 + ch);
    if (!irq) die("simavr's atmega2560 has no ADC input %d", ch);
    /* simavr 1.6 converts with 1023 * mV / Vref, the datasheet says 1024 * Vin / Vref: the
       voltage is scaled so that the firmware reads what the chip would. */
    avr_raise_irq(irq, (uint32_t)(Z_printerZ_adcMillivolts(&model, ch) * 1024.0 / 1023.0 + 0.5));
  }
}

int main(int argc, char **argv) {
  const char *hex = NULL, *pty_path = NULL;
  double timeout_s = 10, max_s = 0, settle_ms = 20;
  int keep_running = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--hex") && v) hex = v, i++;
    else if (!strcmp(a, "--config") && v) read_config(v), i++;
    else if (!strcmp(a, "--eeprom") && v) eeprom_file = v, i++;
    else if (!strcmp(a, "--pty") && v) pty_path = v, i++;
    else if (!strcmp(a, "--report") && v) report_file = v, i++;
    else if (!strcmp(a, "--trace-steps") && v) {
      trace = fopen(v, "w");
      if (!trace) die("cannot write %s", v);
      i++;
    } else if (!strcmp(a, "--trace-input") && v) {
      input_trace = fopen(v, "w");
      if (!input_trace) die("cannot write %s", v);
      i++;
    } else if (!strcmp(a, "--trace-thermal") && v) {
      thermal_trace = fopen(v, "w");
      if (!thermal_trace) die("cannot write %s", v);
      i++;
    } else if (!strcmp(a, "--trace-isr") && v) {
      isr_trace = fopen(v, "w");
      if (!isr_trace) die("cannot write %s", v);
      i++;
    } else if (!strcmp(a, "--timeout") && v) timeout_s = atof(v), i++;
    else if (!strcmp(a, "--max-seconds") && v) max_s = atof(v), i++;
    else if (!strcmp(a, "--settle-ms") && v) settle_ms = atof(v), i++;
    else if (!strcmp(a, "--reset-hold-ms") && v) reset_hold_s = atof(v) * 1e-3, i++;
    else if (!strcmp(a, "--dump-sram") && v) {
      if (sscanf(v, "%i:%i", &dump_start, &dump_len) != 2) die("--dump-sram takes START:LENGTH (data-space address)");
      i++;
    } else if (!strcmp(a, "--profile") && v) {
      profile_file = v;
      profile = calloc(0x20000, sizeof *profile);
      if (!profile) die("out of memory");
      i++;
    } else if (!strcmp(a, "--profile-marker") && v) profile_marker = atoi(v), i++;
    else if (!strcmp(a, "--realtime")) realtime = 1;
    else if (!strcmp(a, "--pace-by-ok")) pace_by_ok = 1;
    else if (!strcmp(a, "--keep-running")) keep_running = 1;
    else if (!strcmp(a, "--show-lcd")) show_lcd = 1;
    else usage();
  }
  if (!hex) usage();

  /* simavr 1.6's HD44780 part printf()s each byte it receives, and a greeting, to stdout, where
     the serial port's output goes: that output gets a descriptor of its own (unless it goes to a
     pty), stdio's stdout goes to /dev/null. */
  if (!pty_path && (out_fd = dup(1)) < 0) die("dup: %s", strerror(errno));
  int devnull = open("/dev/null", O_WRONLY);
  if (devnull < 0 || dup2(devnull, 1) < 0) die("cannot send stdout to /dev/null: %s", strerror(errno));
  close(devnull);

  wasm_rt_init();
  Z_printer_init_module();
  Z_printer_instantiate(&model);
  Z_printerZ_reset(&model);
  for (int a = 0; a < AXES; a++) {
    double spm = cfg.axis[a].steps_per_mm > 0 ? cfg.axis[a].steps_per_mm : 100;
    double fmin = cfg.axis[a].frame_min, fmax = cfg.axis[a].frame_max;
    if (fmin == 0 && fmax == 0) fmin = -1e9, fmax = 1e9;
    Z_printerZ_setAxis(&model, a, spm, cfg.axis[a].start_mm, cfg.axis[a].endstop_mm, fmin, fmax);
  }
  Z_printerZ_setPulseLimits(&model, cfg.pulse_high_ns, cfg.pulse_low_ns, cfg.dir_setup_ns);
  Z_printerZ_setProbe(&model, cfg.probe_x, cfg.probe_y, cfg.probe_trigger);
  Z_printerZ_setBedPlane(&model, cfg.bed_z0, cfg.bed_sx, cfg.bed_sy);
  Z_printerZ_thermalReset(&model, cfg.ambient_c);
  Z_printerZ_resetThermistors(&model, cfg.pullup_ohms);
  for (int i = 0; i < SENSORS; i++)
    if (cfg.thermistor[i].channel >= 0) {
      Z_printerZ_setThermistorCurve(&model, i, cfg.thermistor[i].channel, cfg.thermistor[i].curve, cfg.thermistor[i].r25, cfg.thermistor[i].beta);
      Z_printerZ_setHeaterTemperature(&model, i, cfg.thermistor[i].celsius);
    }
  for (int k = 0; k < FAULTS; k++)
    if (cfg.fault_at_s[k] >= 0) Z_printerZ_setFault(&model, k, cfg.fault_at_s[k] * 1e9);
  for (int i = 0; i < cfg.params; i++) Z_printerZ_setParam(&model, cfg.param[i].id, cfg.param[i].value);

  avr = avr_make_mcu_by_name("atmega2560");
  if (!avr) die("simavr has no atmega2560");
  avr_init(avr);
  avr->frequency = cfg.fcpu;
  avr->vcc = avr->avcc = avr->aref = ADC_REFERENCE_MV;
  /* simavr polls an INTn pin every cycle while it is low in level mode, interrupt enabled or
     not; the heater outputs on PE4/PE5 sit low for hours. The firmware uses no INTn. */
  for (int i = 0; i < EXTINT_COUNT; i++) avr_extint_set_strict_lvl_trig(avr, (uint8_t)i, 0);
  avr->sleep = no_sleep;
  avr->log = LOG_ERROR;

  ihex_chunk_p chunks = NULL;
  int nchunks = read_ihex_chunks(hex, &chunks);
  if (nchunks <= 0) die("cannot read %s", hex);
  for (int i = 0; i < nchunks; i++) {
    if (chunks[i].baseaddr < 0x800000) avr_loadcode(avr, chunks[i].data, chunks[i].size, chunks[i].baseaddr);
  }
  if (eeprom_file) eeprom_load();
  feed_adc();

  /* serial */
  uint32_t flags = 0;
  avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
  flags &= ~(AVR_UART_FLAG_POLL_SLEEP | AVR_UART_FLAG_STDIO);
  avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
  uart_in_irq = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), on_uart_output, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), on_xon, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), on_xoff, NULL);
  byte_cycles = (avr_cycle_count_t)((double)cfg.fcpu * 10.0 / cfg.baud + 0.5); /* 8N1: 10 bit times */

  if (pty_path) {
    int master, slave;
    if (openpty(&master, &slave, pty_name, NULL, NULL) < 0) die("openpty: %s", strerror(errno));
    if (tcgetattr(slave, &pty_tio) < 0) die("tcgetattr %s: %s", pty_name, strerror(errno));
    cfmakeraw(&pty_tio); /* no echo, no line editing, no CR/LF translation, no signals */
    if (tcsetattr(slave, TCSANOW, &pty_tio) < 0) die("tcsetattr %s: %s", pty_name, strerror(errno));
    /* Only hosts hold the slave open from now on: the master tells when one does (The pty). */
    close(slave);
    port_watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (port_watch >= 0 && inotify_add_watch(port_watch, pty_name, IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) < 0) {
      close(port_watch);
      port_watch = -1;
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    unlink(pty_path);
    if (symlink(pty_name, pty_path) < 0) die("symlink %s -> %s: %s", pty_path, pty_name, strerror(errno));
    in_fd = out_fd = pty_master = master;
    pty_mode = 1;
    keep_running = 1;
    fprintf(stderr, "plumbsim: serial port on %s (%s)\n", pty_path, pty_name);
  } else {
    stdin_flags = fcntl(0, F_GETFL);
    fcntl(0, F_SETFL, stdin_flags | O_NONBLOCK);
  }

  /* pins */
  for (int a = 0; a < AXES; a++) {
    if (!cfg.axis[a].step.port) continue;
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.axis[a].step.port), cfg.axis[a].step.bit), on_step, (void *)(intptr_t)a);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.axis[a].dir.port), cfg.axis[a].dir.bit), on_dir, (void *)(intptr_t)a);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.axis[a].enable.port), cfg.axis[a].enable.bit), on_enable, (void *)(intptr_t)a);
    enable_level[a] = cfg.axis[a].enable_active_low; /* pulled to "off" until the firmware drives it */
    /* dir pin low at reset: positive unless inverted */
    Z_printerZ_dirEdge(&model, a, 0 ^ cfg.axis[a].invert_dir, -1e12);
  }
  update_inputs();
  for (int o = 0; o < OUTPUTS; o++)
    if (cfg.output[o].port)
      avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.output[o].port), cfg.output[o].bit), on_output, (void *)(intptr_t)o);
  attach_lcd();
  if (cfg.panel.fitted) {
    panel_resync();
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(cfg.panel.beeper.port), cfg.panel.beeper.bit), on_beeper, NULL);
  }
  avr_register_io_write(avr, GPIOR0_ADDR, on_marker, NULL);
  avr_cycle_timer_register(avr, byte_cycles, send_next_byte, NULL);

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);

  const char *reason = "done";
  int code = 0;
  wall0 = now_s();
  avr_cycle_count_t timeout_cycles = (avr_cycle_count_t)(timeout_s * cfg.fcpu);
  avr_cycle_count_t settle_cycles = (avr_cycle_count_t)(settle_ms * 1e-3 * cfg.fcpu);
  avr_cycle_count_t max_cycles = max_s > 0 ? (avr_cycle_count_t)(max_s * cfg.fcpu) : 0;
  avr_cycle_count_t next_check = 0, next_sample = 0, next_heat = 0, next_trace = 0, next_lcd_show = 0;
  const avr_cycle_count_t heat_cycles = cfg.fcpu / 1000, trace_cycles = cfg.fcpu / 10;
  uint16_t reti_lo = OPCODE_RETI & 0xff, reti_hi = OPCODE_RETI >> 8;

  for (;;) {
    avr_flashaddr_t pc = avr->pc;
    int was_reti = in_step_isr && avr->flash[pc] == reti_lo && avr->flash[pc + 1] == reti_hi;
    int state = avr_run(avr);
    if (avr->pc == TIMER1_COMPA_VECTOR_BYTE && !in_step_isr) {
      in_step_isr = 1;
      isr_start = avr->cycle;
    } else if (was_reti) {
      uint64_t c = avr->cycle - isr_start;
      in_step_isr = 0;
      isr_calls++;
      isr_cycles_total += c;
      if (c > isr_cycles_max) isr_cycles_max = c;
      if (c < isr_cycles_min) isr_cycles_min = c;
      if (isr_trace) fprintf(isr_trace, "%llu %llu\n", (unsigned long long)isr_start, (unsigned long long)c);
    }
    if (state == cpu_Done || state == cpu_Crashed) {
      reason = state == cpu_Done ? "halted" : "crashed";
      code = 2;
      break;
    }
    if (profile && avr->cycle >= next_sample) {
      next_sample = avr->cycle + PROFILE_EVERY;
      if (profile_marker < 0 || last_marker == profile_marker) profile[(avr->pc >> 1) & 0x1ffff]++;
    }
    if (avr->cycle < next_check) continue;
    next_check = avr->cycle + 1600; /* 0.1 ms */
    resync_inputs();
    if (avr->cycle >= next_heat) {
      next_heat = avr->cycle + heat_cycles;
      Z_printerZ_advanceTo(&model, ns_of(avr->cycle));
      feed_adc();
      if (thermal_trace && avr->cycle >= next_trace) {
        next_trace += trace_cycles;
        fprintf(thermal_trace, "%.1f %.3f %.3f %.3f %.3f %.3f %.3f %.3f %.3f\n", (double)avr->cycle / cfg.fcpu, Z_printerZ_heaterCelsius(&model, 0),
                Z_printerZ_sensorCelsiusOf(&model, 0), Z_printerZ_heaterCelsius(&model, 1), Z_printerZ_sensorCelsiusOf(&model, 1),
                Z_printerZ_outputLevelOf(&model, 0), Z_printerZ_outputLevelOf(&model, 1), Z_printerZ_outputLevelOf(&model, 2),
                Z_printerZ_outputLevelOf(&model, 3));
      }
    }
    panel_resync();
    if (show_lcd && avr->cycle >= next_lcd_show) {
      next_lcd_show = avr->cycle + ms_cycles(100);
      show_lcd_if_changed();
    }
    if (pty_mode) {
      service_pty();
      if (hold_until > 0) hold_in_reset();
    }
    if (stop_requested) {
      reason = "stopped";
      break;
    }
    if (realtime) {
      double sim_s = (double)avr->cycle / cfg.fcpu;
      double ahead = sim_s - (now_s() - wall0);
      if (ahead > 0.002) sleep_ns((long)(ahead * 1e9));
    }
    if (max_cycles && avr->cycle >= max_cycles) {
      reason = "time limit";
      code = 4;
      break;
    }
    if (!keep_running && in_eof && in_tail == in_head && avr->cycle >= panel_busy_until && panel_next >= panel_count) {
      if (oks_seen >= oks_expected) {
        if (avr->cycle - (oks_expected ? last_ok_cycle : 0) >= settle_cycles && avr->cycle - last_output_cycle >= settle_cycles) break;
      } else if (avr->cycle - (last_output_cycle > panel_busy_until ? last_output_cycle : panel_busy_until) > timeout_cycles) {
        /* (A long '@wait' is the script's silence, not the firmware's.) */
        reason = "no answer";
        code = 3;
        fprintf(stderr, "plumbsim: the firmware stopped answering: %llu of %llu commands got their ok\n", (unsigned long long)oks_seen,
                (unsigned long long)oks_expected);
        break;
      }
    }
  }
  flush_output();
  if (code == 2) fprintf(stderr, "plumbsim: firmware %s at cycle %llu\n", reason, (unsigned long long)avr->cycle);
  if (stdin_flags >= 0) fcntl(0, F_SETFL, stdin_flags);
  if (eeprom_file) eeprom_save();
  if (trace) fclose(trace);
  if (isr_trace) fclose(isr_trace);
  if (input_trace) fclose(input_trace);
  if (thermal_trace) fclose(thermal_trace);
  write_report(reason, code);
  warn_violations();
  if (profile) {
    FILE *f = fopen(profile_file, "w");
    if (!f) die("cannot write %s", profile_file);
    fprintf(f, "# byte-address samples (one per %d cycles)\n", PROFILE_EVERY);
    for (uint32_t w = 0; w < 0x20000; w++)
      if (profile[w]) fprintf(f, "%u %u\n", w * 2, profile[w]);
    fclose(f);
  }
  if (pty_path) unlink(pty_path);
  return code;
}
