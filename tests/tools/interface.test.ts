// The pieces that must agree: HAL import lists, board keys, version.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { halImports } from "../../tools/build/gate.ts";
import { boardWordNames, readBoardKeys, listBoards, loadBoard, flashTables } from "../../tools/build/board.ts";
import { ROOT } from "../../tools/build/paths.ts";
import { HostPrinter } from "../../hal/host/hal.ts";

test("the host HAL implements exactly the imports hal/hal.h declares", async () => {
  const p = await HostPrinter.boot();
  assert.deepEqual(Object.keys(p.imports()).sort(), [...halImports()].sort());
});

test("every import assembly/hal.ts declares is one the C HAL provides", () => {
  const src = fs.readFileSync(path.join(ROOT, "assembly/hal.ts"), "utf8");
  const declared = [...src.matchAll(/@external\("hal", "(\w+)"\)/g)].map((m) => m[1]);
  assert.ok(declared.length > 5);
  const provided = halImports();
  for (const name of declared) assert.ok(provided.has(name), `hal.${name} is not in hal/hal.h`);
});

test("every board key has a value, and every board builds its tables", () => {
  const keys = readBoardKeys().map((k) => k.name);
  assert.deepEqual(keys.slice().sort(), boardWordNames().slice().sort());
  for (const b of listBoards()) {
    const t = flashTables(loadBoard(b), { texts: [], offsets: [], size: 0 });
    assert.equal(t.words.length, keys.length);
  }
});

test("the firmware's version is package.json's", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const src = fs.readFileSync(path.join(ROOT, "assembly/version.ts"), "utf8");
  assert.equal(/FIRMWARE_VERSION = rom\("([^"]+)"\)/.exec(src)?.[1], pkg.version);
});
