// The firmware's whole view of the board.
//
// Every function here is provided twice: in C by hal/avr/ for real boards (and simavr), and in
// TypeScript by hal/host/ for runs in Node. Values cross as i32/u32/f32, the wasm ABI. The
// build refuses a module that imports anything not listed in hal/hal.h, naming the caller.

// Serial (USART0, interrupt-driven ring buffers in C).
/** Next received byte, or -1 when the receive ring is empty. */
@external("hal", "serialRead") export declare function serialRead(): i32;
/** Queue one byte for transmission: 1, or 0 when the transmit ring is full (nothing written). */
@external("hal", "serialWrite") export declare function serialWrite(byte: u32): u32;
/** Bytes the receive ring holds (used to keep reading whole lines while busy). */
@external("hal", "serialAvailable") export declare function serialAvailable(): u32;

// Time.
/** Milliseconds since reset; wraps after 49 days. */
@external("hal", "millis") export declare function millis(): u32;

// Read-only data in flash: the text table built from rom("...") literals, and the board table.
/** Byte `addr` of the text table. */
@external("hal", "romByte") export declare function romByte(addr: u32): u32;
/** Word `key` of the board table (see board.ts): an i32, the bits of an f32, or a text handle. */
@external("hal", "boardWord") export declare function boardWord(key: u32): u32;

// EEPROM (4 KiB on the ATmega2560).
@external("hal", "eepromRead") export declare function eepromRead(addr: u32): u32;
/** Writes only when the byte differs (saves wear); blocks ~3.4 ms per byte written on the chip. */
@external("hal", "eepromWrite") export declare function eepromWrite(addr: u32, value: u32): void;
@external("hal", "eepromSize") export declare function eepromSize(): u32;

// Steppers.
/** Enable (bit set) or disable the drivers of logical axes X=1, Y=2, Z=4, E=8. */
@external("hal", "stepperEnable") export declare function stepperEnable(axisMask: u32): void;
/** Ask for a step interrupt soon: new work was queued while the interrupt idled. */
@external("hal", "stepperWake") export declare function stepperWake(): void;
/** A compiler barrier at each hand-over of data to or from the step interrupt: stores before it
 * are made before it, loads after it read memory again (hal/avr/hal_inline.h says why that is
 * enough on the AVR). */
@external("hal", "stepperBarrier") export declare function stepperBarrier(): void;
/** Endstops and probe as logical bits (see motion/inputs.ts), already corrected for polarity. */
@external("hal", "readInputs") export declare function readInputs(): u32;

// Display: an HD44780 character LCD (the MiniRambo's 20x4), write-only (its RW pin is tied low).
/**
 * 1 when the controller takes the next byte: the HAL's power-on initialisation is done (it runs
 * while this is polled, from about 50 ms after reset) and the last write's execution time has
 * passed (60 us; 2.2 ms after clear or home). Never waits.
 */
@external("hal", "lcdReady") export declare function lcdReady(): u32;
/**
 * One byte to the controller: an instruction (isData 0; 0x80 | address moves to a DDRAM address)
 * or a character at the current address, which then advances (isData 1). Returns after the
 * pulses (about 20 us in all). Call only after lcdReady() said 1.
 */
@external("hal", "lcdWrite") export declare function lcdWrite(isData: u32, byte: u32): void;

// Analog inputs (the thermistors): 10-bit conversions against the 5 V supply, one at a time.
/** Start converting `channel` (0-15). The first conversion takes 200 us, the next 104 us. */
@external("hal", "adcStart") export declare function adcStart(channel: u32): void;
/** The started conversion's result, 0-1023, or -1 while it is still converting (or none was started). */
@external("hal", "adcResult") export declare function adcResult(): i32;

// Heaters and fans (hal/avr/outputs.c): the module computes the duty, the HAL switches the pins.
/**
 * Output 0 hotend heater, 1 bed heater, 2 print fan, 3 hotend (heatsink) fan: on for duty/255 of
 * the time (0 is off at once). A heater's duty falls to 0 by itself when not set again within 1 s.
 */
@external("hal", "outputDuty") export declare function outputDuty(output: u32, duty: u32): void;
// The front panel: rotary encoder with push button, and beeper (hal/avr/panel.c).
/** Whole encoder detents turned since the last call: positive clockwise, negative the other way. */
@external("hal", "encoderTake") export declare function encoderTake(): i32;
/** The encoder's button as it is now, not debounced: 1 pressed, 0 released. */
@external("hal", "buttonDown") export declare function buttonDown(): u32;
/** The beeper on for `ms` milliseconds (0: off); a new call replaces a tone under way. */
@external("hal", "beep") export declare function beep(ms: u32): void;

// Math the firmware would otherwise get from AssemblyScript's f64 library.
/** Natural logarithm, single precision (avr-libc's logf). */
@external("hal", "logf") export declare function logf(x: f32): f32;

// Housekeeping.
@external("hal", "watchdogReset") export declare function watchdogReset(): void;
/** Why the chip last reset: bits of MCUSR (1 power-on, 2 external, 4 brown-out, 8 watchdog). */
@external("hal", "resetCause") export declare function resetCause(): u32;
/** A zero-cost marker the simulator timestamps (a write to GPIOR0); used by benchmarks. */
@external("hal", "marker") export declare function marker(id: u32): void;
/** Heaters off, steppers off, message already printed: stop for good. */
@external("hal", "halt") export declare function halt(code: u32): void;
