// platformio.ini builds the same sources with the same flags as `npm run build` (PlatformIO
// itself cannot be installed here, so the file is checked against tools/build/avr.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../../tools/build/paths.ts";
import { C_FLAGS, LINK_FLAGS, HAL_SOURCES, GEN_SOURCES, includeDirs, MCU, F_CPU } from "../../tools/build/avr.ts";
import { boardGenDir } from "../../tools/build/paths.ts";
import { listBoards } from "../../tools/build/board.ts";

type Ini = Map<string, Map<string, string[]>>;

function parseIni(text: string): Ini {
  const sections: Ini = new Map();
  let section = new Map<string, string[]>();
  let key = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s;.*$/, "").replace(/^;.*$/, "");
    if (!line.trim()) continue;
    const head = /^\[(.+)\]\s*$/.exec(line);
    if (head) {
      section = new Map();
      sections.set(head[1], section);
      continue;
    }
    if (/^\s/.test(line) && key) {
      section.get(key)!.push(line.trim());
      continue;
    }
    const kv = /^([\w.]+)\s*=\s*(.*)$/.exec(line);
    assert.ok(kv, `platformio.ini: cannot parse "${line}"`);
    key = kv[1];
    section.set(key, kv[2].trim() ? [kv[2].trim()] : []);
  }
  return sections;
}

const ini = parseIni(fs.readFileSync(path.join(ROOT, "platformio.ini"), "utf8"));

test("every board has a PlatformIO environment", () => {
  for (const b of listBoards()) assert.ok(ini.has(`env:${b}`), `platformio.ini has no [env:${b}]`);
});

for (const board of listBoards()) {
  const env = () => ini.get(`env:${board}`)!;

  test(`[env:${board}] targets the same chip and clock`, () => {
    assert.deepEqual(env().get("board"), ["megaatmega2560"]);
    assert.deepEqual(env().get("board_build.mcu"), [MCU]);
    assert.deepEqual(env().get("board_build.f_cpu"), [`${F_CPU}UL`]);
    assert.deepEqual(env().get("custom_plumb_board"), [board]);
  });

  test(`[env:${board}] compiles exactly the build's sources`, () => {
    const gen = path.relative(ROOT, boardGenDir(board));
    const expected = ["-<*>", ...HAL_SOURCES.map((s) => `+<${s}>`), ...GEN_SOURCES.map((s) => `+<${gen}/${s}>`)];
    assert.deepEqual(env().get("build_src_filter"), expected);
  });

  test(`[env:${board}] uses the build's compiler and linker flags`, () => {
    // -mmcu and F_CPU come from board/board_build.* in PlatformIO.
    const compile = C_FLAGS.filter((f) => !f.startsWith("-mmcu=") && !f.startsWith("-DF_CPU="));
    const link = LINK_FLAGS.filter((f) => !f.startsWith("-mmcu="));
    const incs = includeDirs(boardGenDir(board)).map((d) => `-I${d}`);
    assert.deepEqual(env().get("build_flags"), [...compile, ...link, ...incs]);
    assert.deepEqual(env().get("build_unflags"), ["-Os"]);
  });
}

test("the pre-script generates the sources with the project's own build", () => {
  const script = fs.readFileSync(path.join(ROOT, "tools/platformio/generate.py"), "utf8");
  assert.match(script, /"npm", "run", "--silent", "build", "--", "--board", board, "--no-sim"/);
  for (const board of listBoards()) assert.deepEqual(ini.get(`env:${board}`)!.get("extra_scripts"), ["pre:tools/platformio/generate.py"]);
});
