// Unit tests of assembly/ (as-pect). Specs run against a scripted HAL (tests/unit/testHal.ts) that
// records serial output and serves the rom() text table and a board table.
import { createTestHal } from "./tests/unit/testHal.ts";

export default {
  entries: ["tests/unit/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    const hal = createTestHal();
    const instance = instantiate(binary, createImports({ env: { memory }, hal: hal.imports, testHal: hal.testImports }));
    return instance;
  },
  outputBinary: false,
};
