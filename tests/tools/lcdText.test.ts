// Display texts are checked against the display's columns when the firmware is compiled.
import { test } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { compileModule } from "../../tools/build/module.ts";
import { ROOT } from "../../tools/build/paths.ts";

test("a menu label longer than 18 characters fails the build, naming the text and where it is", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-lcdtext-"));
  try {
    await assert.rejects(compileModule(path.join(ROOT, "tests/fixtures/longLabel.ts"), dir), (e: unknown) => {
      const message = String((e as Error).message ?? e);
      assert.match(message, /longLabel\.ts:10: menuLabel\("nineteen characters"\) is 19 characters; it must fit 18 columns of the display/);
      // The texts that fit (20 for a row, 18 for a label) are not named.
      assert.doesNotMatch(message, /exactly twenty chars|eighteen character"/);
      return true;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
