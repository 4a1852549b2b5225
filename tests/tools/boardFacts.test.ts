// The board file against the printer: boards/<name>/facts.json records, with its source, every pin,
// direction and polarity as Prusa's MK2 firmware (and Klipper's Mini-RAMBo config) has it. The
// simulator reads board.json itself, so a wrong fact there would be invisible to every other test.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { boardDir } from "../../tools/build/paths.ts";
import { listBoards, type Board } from "../../tools/build/board.ts";

type Kind = "arduinoPin" | "analogPin" | "analogPortPin" | "same" | "invertedFlag" | "zeroIsTrue";
type Raw = number | boolean;

interface Fact {
  kind: Kind;
  /** [source id, macro as the file spells it, its value there] */
  prusa: [string, string, Raw][];
  klipper?: string;
  klipperDiffers?: string;
}

interface Facts {
  /** Another board whose facts hold here too (the same MiniRambo in another printer). */
  extends?: string;
  sources: Record<string, { repository: string; ref: string; file: string }>;
  arduinoPins: { source: string; pins: Record<string, string> };
  facts: Record<string, Fact>;
}

const PORT_PIN = /^P[A-L][0-7]$/;

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

/** The value at a dotted path ("steppers.y.invertDir") of board.json. */
function at(board: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), board);
}

/** Every dotted path of board.json whose value is a port pin ("PC0"). */
function pinPaths(o: unknown, prefix = ""): string[] {
  if (typeof o === "string") return PORT_PIN.test(o) ? [prefix] : [];
  if (!o || typeof o !== "object" || Array.isArray(o)) return [];
  return Object.entries(o).flatMap(([k, v]) => (k.startsWith("$") ? [] : pinPaths(v, prefix ? `${prefix}.${k}` : k)));
}

/** A Prusa value in the board file's terms. */
function fromPrusa(facts: Facts, kind: Kind, raw: Raw): unknown {
  switch (kind) {
    case "arduinoPin": {
      const pin = facts.arduinoPins.pins[String(raw)];
      assert.ok(pin, `Arduino pin ${raw} is not in facts.arduinoPins`);
      return pin;
    }
    case "analogPortPin":
      // An analog input number as the port pin it is: A0-A7 are PF0-7, A8-A15 PK0-7.
      return Number(raw) < 8 ? `PF${raw}` : `PK${Number(raw) - 8}`;
    case "analogPin":
    case "same":
      return raw;
    case "invertedFlag":
      return !raw;
    case "zeroIsTrue":
      return raw === 0;
  }
}

/** The ATmega2560's ADC channel of an analog port pin: PF0..7 are 0..7, PK0..7 are 8..15. */
function adcChannelOf(pin: string): number {
  const bit = Number(pin[2]);
  if (pin[1] === "F") return bit;
  if (pin[1] === "K") return 8 + bit;
  throw new Error(`${pin} is not an analog input`);
}

/** A Klipper config line's value in the board file's terms ("!" inverts, "^" pulls up). */
function fromKlipper(dotted: string, kind: Kind, line: string): unknown {
  const value = line.slice(line.lastIndexOf(":") + 1).trim();
  const pin = value.replace(/^[!^~]+/, "");
  const last = dotted.split(".").pop()!;
  if (last === "microsteps") return Number(value);
  if (last === "invertDir" || last === "enableActiveLow") return value.startsWith("!");
  if (last === "pullup") return value.startsWith("^");
  if (last === "triggeredHigh") return !value.includes("!");
  if (kind === "analogPin") return adcChannelOf(pin);
  return pin;
}

for (const name of listBoards()) {
  const factsFile = path.join(boardDir(name), "facts.json");
  if (!fs.existsSync(factsFile)) continue;
  const own = readJson<Facts>(factsFile);
  const base = own.extends ? readJson<Facts>(path.join(boardDir(own.extends), "facts.json")) : undefined;
  const facts: Facts = base
    ? { sources: { ...base.sources, ...own.sources }, arduinoPins: base.arduinoPins, facts: { ...base.facts, ...own.facts } }
    : own;
  const board = readJson<Board>(path.join(boardDir(name), "board.json"));

  test(`${name}: every pin, direction and polarity of board.json is what Prusa's firmware says`, () => {
    let checked = 0;
    for (const [dotted, fact] of Object.entries(facts.facts)) {
      assert.ok(fact.prusa.length > 0, `${dotted}: no source recorded`);
      for (const [source, macro, raw] of fact.prusa) {
        assert.ok(facts.sources[source], `${dotted}: source "${source}" is not described in facts.sources`);
        assert.deepEqual(
          at(board, dotted),
          fromPrusa(facts, fact.kind, raw),
          `boards/${name}/board.json ${dotted} is ${JSON.stringify(at(board, dotted))}, but ${facts.sources[source].file} (${source}) has ${macro} = ${raw}`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 60, `only ${checked} recorded values checked`);
  });

  test(`${name}: Klipper's Mini-RAMBo config agrees with board.json, except where a recorded reason says why not`, () => {
    for (const [dotted, fact] of Object.entries(facts.facts)) {
      if (!fact.klipper) continue;
      const klipper = fromKlipper(dotted, fact.kind, fact.klipper);
      if (fact.klipperDiffers) {
        // A stale note would hide a later agreement or a different disagreement: it must still differ.
        assert.notDeepEqual(at(board, dotted), klipper, `${dotted}: "klipperDiffers" is recorded but Klipper's "${fact.klipper}" now agrees`);
      } else {
        assert.deepEqual(at(board, dotted), klipper, `${dotted}: board.json has ${JSON.stringify(at(board, dotted))}, Klipper's ${fact.klipper}`);
      }
    }
  });

  test(`${name}: no pin of board.json goes unchecked by a recorded fact`, () => {
    const pins = pinPaths(board);
    assert.ok(pins.length >= 30, `found only ${pins.length} pins in board.json`);
    const unchecked = pins.filter((p) => !(p in facts.facts));
    assert.deepEqual(unchecked, [], `pins in boards/${name}/board.json with no fact in facts.json`);
    for (const dotted of Object.keys(facts.facts)) assert.notEqual(at(board, dotted), undefined, `facts.json checks ${dotted}, which board.json does not have`);
  });

  test(`${name}: the Arduino pin table matches the ATmega2560's digital pins of Prusa's fastio.h`, () => {
    // Spot values that anchor the table's ranges: 0 (PE0), 13 (the LED, PB7), 22..29 (port A in
    // order), 37..30 (port C reversed), 54..61 (PF0..7 = A0..A7), 62..69 (PK0..7), 70..85 (the
    // RAMBo's extra pins).
    const t = facts.arduinoPins.pins;
    assert.equal(Object.keys(t).length, 86);
    assert.equal(t["0"], "PE0");
    assert.equal(t["13"], "PB7");
    for (let i = 0; i < 8; i++) assert.equal(t[String(22 + i)], `PA${i}`);
    for (let i = 0; i < 8; i++) assert.equal(t[String(37 - i)], `PC${i}`);
    for (let i = 0; i < 8; i++) assert.equal(t[String(54 + i)], `PF${i}`);
    for (let i = 0; i < 8; i++) assert.equal(t[String(62 + i)], `PK${i}`);
    assert.equal(new Set(Object.values(t)).size, 86, "two Arduino numbers name the same port pin");
  });
}

test("every board has its facts recorded", () => {
  for (const name of listBoards()) assert.ok(fs.existsSync(path.join(boardDir(name), "facts.json")), `boards/${name}/facts.json`);
});
