// A scripted HAL for the as-pect unit tests: the same import names as hal/hal.h, with state the
// specs can read and set through the "testHal" imports (tests/unit/helpers.ts).
import { flashTables, loadBoard } from "../../tools/build/board.ts";
import { DEFAULT_BOARD } from "../../tools/build/paths.ts";
import type { RomTexts } from "../../tools/build/romTable.ts";
import { Hd44780, ROW_ADDRESSES } from "../../hal/host/hd44780.ts";

export function createTestHal() {
  const texts = (globalThis as { plumbRomTexts?: RomTexts }).plumbRomTexts ?? { texts: [], offsets: [], size: 0 };
  const tables = flashTables(loadBoard(DEFAULT_BOARD), texts);
  const state = {
    output: [] as number[],
    input: [] as number[],
    millis: 0,
    inputs: 0,
    enabled: 0,
    wakes: 0,
    eeprom: new Uint8Array(4096).fill(0xff),
    markers: [] as number[],
    lcd: new Hd44780(),
    /** What each ADC channel reads (counts); conversions finish at once. */
    adc: new Array<number>(16).fill(1023),
    adcChannel: -1,
    adcStarts: 0,
    duties: [0, 0, 0, 0],
    encoder: 0,
    button: 0,
    beeps: [] as number[],
  };
  const imports = {
    serialRead: () => (state.input.length ? state.input.shift()! : -1),
    serialWrite: (b: number) => (state.output.push(b & 0xff), 1),
    serialAvailable: () => state.input.length,
    millis: () => state.millis >>> 0,
    romByte: (a: number) => (a >>> 0 < tables.rom.length ? tables.rom[a >>> 0] : 0),
    boardWord: (k: number) => (k >>> 0 < tables.words.length ? tables.words[k >>> 0] : 0),
    eepromRead: (a: number) => (a >>> 0 < 4096 ? state.eeprom[a >>> 0] : 0xff),
    eepromWrite: (a: number, v: number) => {
      if (a >>> 0 < 4096) state.eeprom[a >>> 0] = v & 0xff;
    },
    eepromSize: () => 4096,
    stepperEnable: (m: number) => void (state.enabled = m),
    stepperWake: () => void state.wakes++,
    stepperBarrier: () => {},
    readInputs: () => state.inputs,
    watchdogReset: () => {},
    resetCause: () => 1,
    marker: (id: number) => void state.markers.push(id),
    halt: (code: number) => {
      throw new Error(`firmware halted (${code})`);
    },
    lcdReady: () => 1,
    lcdWrite: (isData: number, byte: number) => state.lcd.write(isData, byte),
    adcStart: (channel: number) => {
      state.adcChannel = channel;
      state.adcStarts++;
    },
    adcResult: () => {
      if (state.adcChannel < 0) return -1;
      const counts = state.adc[state.adcChannel];
      state.adcChannel = -1;
      return counts;
    },
    logf: (x: number) => Math.fround(Math.log(x)),
    outputDuty: (output: number, duty: number) => void (state.duties[output >>> 0] = duty >>> 0),
    encoderTake: () => {
      const d = state.encoder;
      state.encoder = 0;
      return d;
    },
    buttonDown: () => state.button,
    beep: (ms: number) => void state.beeps.push(ms >>> 0),
  };
  const testImports = {
    outputLength: () => state.output.length,
    outputByte: (i: number) => state.output[i] ?? 0,
    clearOutput: () => void (state.output.length = 0),
    pushInput: (b: number) => void state.input.push(b & 0xff),
    setMillis: (ms: number) => void (state.millis = ms >>> 0),
    setInputs: (v: number) => void (state.inputs = v),
    eepromByte: (a: number) => state.eeprom[a >>> 0],
    setEepromByte: (a: number, v: number) => void (state.eeprom[a >>> 0] = v & 0xff),
    wakeCount: () => state.wakes,
    enabledMask: () => state.enabled,
    lcdWrites: () => state.lcd.writes,
    lcdChar: (row: number, col: number) => state.lcd.ddram[ROW_ADDRESSES[row] + col],
    setAdc: (channel: number, counts: number) => void (state.adc[channel] = counts),
    adcStarts: () => state.adcStarts,
    turnEncoder: (detents: number) => void (state.encoder += detents),
    setButton: (down: number) => void (state.button = down ? 1 : 0),
    beepCount: () => state.beeps.length,
  };
  return { imports, testImports, state };
}
