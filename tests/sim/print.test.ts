// A real print on the real image: PrusaSlicer's MK2S G-code for a small box (the fixture made by
// tests/fixtures/print/slice.sh) streamed by printcore (printrun, the Debian package) over the
// simulator's pty from the first line to the last, as a user would print from Pronterface.
//
// printcore -v logs every line it sends ("SENT: N12 G1 X…*87") and every line it receives
// ("RECV: ok") on stderr; that transcript and the harness' report (the model's heat and
// extruder) are what is checked. It waits 2 s (real time) after opening the port before it
// starts, by when the board has reset and said "start".
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SimSession } from "../../tools/sim/session.ts";
import { PRINT_FIXTURE, readPrintFile } from "../fixtures/print/fixture.ts";

const PRINTCORE = "printcore";

test("printcore prints the PrusaSlicer MK2S box over the pty: every line acknowledged once, hot before extruding, the file's filament, no alarm", { timeout: 900_000 }, async (t) => {
  const found = spawnSync(PRINTCORE, ["--version"], { encoding: "utf8" });
  assert.ok(!found.error && found.status === 0, `${PRINTCORE} does not run (Debian package printrun): ${found.error?.message ?? found.stderr}`);
  const file = readPrintFile();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-print-"));
  const pty = path.join(dir, "ttyPlumb");
  const session = await SimSession.start({ pty });
  try {
    const wallStart = Date.now();
    const child = spawn(PRINTCORE, ["-v", pty, PRINT_FIXTURE], { env: { ...process.env, HOME: dir, PYTHONUNBUFFERED: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (b: Buffer) => (log += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => (log += b.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const lines = log.split("\n");
    const sent = lines.filter((l) => /SENT: /.test(l));
    const received = lines.filter((l) => /RECV: /.test(l)).map((l) => l.replace(/^.*RECV: /, ""));
    assert.equal(code, 0, log.slice(-3000));
    if (process.env.PLUMB_PRINT_LOG) fs.writeFileSync(process.env.PLUMB_PRINT_LOG, log);
    // printcore numbers the file's command lines (comments stripped) and sends each once; it also
    // sends M105 until the printer is online. Each line sent is answered by exactly one ok.
    const numbered = sent.filter((l) => /SENT: N\d+ /.test(l));
    assert.equal(numbered.length, file.commands.length, "the file's command lines, each once");
    assert.equal(received.filter((l) => l.startsWith("ok")).length, sent.length, "one ok per line sent");
    assert.deepEqual(received.filter((l) => /^(Resend:|rs )/.test(l)), [], "no resend requests");
    assert.deepEqual(received.filter((l) => l.startsWith("Error:")), [], "no errors (no protection tripped)");

    const { report } = await session.close();
    const th = report.thermal;
    assert.ok(th.firstExtrusion.ns > 0, "the printer extruded");
    assert.ok(th.firstExtrusion.hotendCelsius >= 214 && th.firstExtrusion.hotendCelsius <= 216, `hotend at the first extrusion ${th.firstExtrusion.hotendCelsius}`);
    assert.ok(th.firstExtrusion.bedCelsius >= 59 && th.firstExtrusion.bedCelsius <= 61, `bed at the first extrusion ${th.firstExtrusion.bedCelsius}`);
    const extruded = report.axes.e.mm;
    assert.ok(Math.abs(extruded - file.filamentMm) <= 0.001 * file.filamentMm, `extruded ${extruded} mm, the file ${file.filamentMm} mm`);
    assert.ok(th.hotend.maxSensorCelsius <= 218, `hotend peak ${th.hotend.maxSensorCelsius}`);
    assert.equal(th.hotendFanOffWhileHotSeconds < 1, true, `heatsink fan off while hot for ${th.hotendFanOffWhileHotSeconds} s`);
    t.diagnostic(
      `${numbered.length} numbered lines, ${received.length} lines received; ${(report.cycles / report.fcpu).toFixed(1)} s simulated in ${((Date.now() - wallStart) / 1000).toFixed(1)} s; ` +
        `first extrusion at ${(th.firstExtrusion.ns / 1e9).toFixed(1)} s with the hotend at ${th.firstExtrusion.hotendCelsius.toFixed(2)} C and the bed at ${th.firstExtrusion.bedCelsius.toFixed(2)} C; ` +
        `extruded ${extruded.toFixed(3)} of ${file.filamentMm.toFixed(3)} mm`,
    );
  } finally {
    await session.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
