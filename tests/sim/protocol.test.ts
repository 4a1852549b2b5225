// The Marlin serial protocol as hosts use it (line numbers, checksums, resends, one "ok" per
// command), against the real image in simavr.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SimSession } from "../../tools/sim/session.ts";
import { runSim } from "../../tools/sim/run.ts";
import { CORRUPTIONS, Host, checksum, expectsOk, isOk, mulberry32, numbered, randomInt, type Corruption } from "./hostEmulator.ts";

/** Simulated seconds the harness waits for a missing "ok" after stdin closed: fail fast. */
const SIM_TIMEOUT_S = 5;

/** Boots the image and syncs line numbers like a host that has just connected. */
async function connect(): Promise<{ session: SimSession; host: Host }> {
  const session = await SimSession.start({ timeoutSeconds: SIM_TIMEOUT_S });
  try {
    await session.waitForLine(/^start$/);
    const host = new Host(session);
    // The firmware prints its banner before it reads input, so this also skips the banner.
    await host.resetLineNumbers(0);
    return { session, host };
  } catch (e) {
    await session.dispose();
    throw e;
  }
}

/** Runs body on a connected printer, then checks the harness saw one "ok" per command and ended cleanly. */
async function withPrinter(body: (host: Host, session: SimSession) => Promise<void>): Promise<void> {
  const { session, host } = await connect();
  try {
    await body(host, session);
    const { report } = await session.close();
    assert.equal(report.exit, "done", `harness exit: ${report.exit}\n${session.tail()}`);
    assert.equal(report.serial.oks, report.serial.oksExpected, "one ok per command line");
  } finally {
    await session.dispose();
  }
}

test("a stream of 1,000 numbered lines with 5% of them corrupted completes with every line executed exactly once, in order", { timeout: 240_000 }, async () => {
  const payloads = Array.from({ length: 1000 }, (_, i) => `M118 E1 line ${i + 1}`);
  // One damaged line in each block of 20, so errors are spread over the whole stream.
  const rand = mulberry32(0x5eed);
  const corrupt = new Map<number, Corruption>();
  for (let block = 0; block < 50; block++) corrupt.set(block * 20 + randomInt(rand, 20), CORRUPTIONS[block % CORRUPTIONS.length]);

  await withPrinter(async (host, session) => {
    const stats = await host.stream(payloads, { corrupt, seed: 42, lineTimeoutMs: 20_000 });
    const executed = session.lines.filter((l) => l.startsWith("echo:line"));
    const expected = payloads.map((_, i) => `echo:line ${i + 1}`);
    // A 1,000-entry diff says less than where the order first breaks.
    let at = expected.findIndex((e, i) => executed[i] !== e);
    if (at < 0 && executed.length !== expected.length) at = expected.length;
    assert.ok(
      at < 0,
      `${executed.length} "echo:line" outputs for ${expected.length} lines; first wrong: #${at + 1} is ${JSON.stringify(executed[at] ?? null)}, expected ${JSON.stringify(expected[at] ?? null)}`,
    );
    assert.ok(stats.resends >= 50, `${stats.resends} resend requests for 50 damaged lines`);
  });
});

test("random binary garbage never hangs or resets the firmware; it answers M115 afterwards", { timeout: 180_000 }, async () => {
  const rand = mulberry32(0xbadbeef);
  const garbage = Buffer.from(Array.from({ length: 4096 }, () => randomInt(rand, 256))).toString("latin1");
  // Lines as the harness counts them: ended by \n or \r; the last one is ended before M115.
  const lines = garbage.match(/[^\r\n]*[\r\n]|[^\r\n]+$/g) ?? [];
  // A line that starts like a real command (G28, M112, ...) would move or halt the printer;
  // this seed makes none.
  const commandLike = /^[ \t]*(?:N-?\d+[ \t]*)?[GMTD][ \t]*\d/i;
  assert.deepEqual(lines.filter((l) => commandLike.test(l)), []);
  const answered = lines.filter((l) => expectsOk(l.replace(/[\r\n]$/, "")));
  assert.ok(answered.length >= 20, `${answered.length} garbage lines that need an ok`);

  await withPrinter(async (_host, session) => {
    // Streamed at line speed like noise on the wire, not paced by oks. That every line still gets
    // its one ok relies on the replies being shorter than the garbage (errors do not echo the
    // line): replies longer than their lines would back up into the 256-byte receive buffer,
    // which then drops bytes and merges lines.
    await session.write(garbage);
    await session.write("\nM115\n");
    await session.waitForLine((l) => l.startsWith("FIRMWARE_NAME:Plumb "), 20_000);
    await session.waitForLine(isOk);
    assert.equal(session.lines.filter((l) => l === "start").length, 1, "no reset: start printed once");
  });
});

test("a line with a wrong checksum is refused with checksum mismatch and a resend request, and not executed", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    assert.deepEqual(await host.transact(numbered(1, "M118 E1 one")), ["echo:one", "ok"]);
    const good = numbered(2, "M118 E1 two");
    const cs = Number(good.split("*")[1]);
    assert.deepEqual(await host.transact(`N2 M118 E1 two*${cs ^ 1}`), ["Error:checksum mismatch, Last Line: 1", "Resend: 2", "ok"]);
    assert.deepEqual(await host.transact(good), ["echo:two", "ok"]);
  });
});

test("a numbered line without checksum is refused with a resend request, and not executed", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    assert.deepEqual(await host.transact(numbered(1, "M118 E1 one")), ["echo:one", "ok"]);
    assert.deepEqual(await host.transact("N2 M118 E1 two"), ["Error:No Checksum with line number, Last Line: 1", "Resend: 2", "ok"]);
    assert.deepEqual(await host.transact(numbered(2, "M118 E1 two")), ["echo:two", "ok"]);
  });
});

test("a skipped line number is refused with a resend request for the missing line, and not executed", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    assert.deepEqual(await host.transact(numbered(1, "M118 E1 one")), ["echo:one", "ok"]);
    assert.deepEqual(await host.transact(numbered(3, "M118 E1 three")), ["Error:Line Number is not Last Line Number+1, Last Line: 1", "Resend: 2", "ok"]);
    assert.deepEqual(await host.transact(numbered(2, "M118 E1 two")), ["echo:two", "ok"]);
    assert.deepEqual(await host.transact(numbered(3, "M118 E1 three")), ["echo:three", "ok"]);
  });
});

test("M110 N100 sets the line number, so N101 is the next line accepted", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    assert.deepEqual(await host.transact("M110 N100"), ["ok"]);
    assert.deepEqual(await host.transact(numbered(101, "M118 E1 hundred and one")), ["echo:hundred and one", "ok"]);
    assert.deepEqual(await host.transact(numbered(102, "M118 E1 hundred and two")), ["echo:hundred and two", "ok"]);
  });
});

// Beyond the bare "M110 N<n>": what real hosts send. printcore starts every print with
// "N-1 M110*15" (M110 without N takes the line's own number); OctoPrint resets with
// "N0 M110 N0*125" whatever the last line was. Marlin accepts both because a line holding M110
// is exempt from the last+1 check.
test("a numbered M110 as printcore sends it (N-1 M110*15) restarts the numbering at N0", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    await host.stream(["M118 E1 one", "M118 E1 two"]);
    assert.deepEqual(await host.transact("N-1 M110*15"), ["ok"]);
    assert.deepEqual(await host.transact(numbered(0, "M118 E1 zero")), ["echo:zero", "ok"]);
    assert.deepEqual(await host.transact(numbered(1, "M118 E1 one again")), ["echo:one again", "ok"]);
  });
});

test("a numbered M110 as OctoPrint sends it (N0 M110 N0*125) is accepted after any line number", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    await host.stream(["M118 E1 one", "M118 E1 two", "M118 E1 three"]);
    assert.deepEqual(await host.transact("N0 M110 N0*125"), ["ok"]);
    assert.deepEqual(await host.transact(numbered(1, "M118 E1 one again")), ["echo:one again", "ok"]);
  });
});

test("an unknown command is reported with its text and still gets its ok", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    assert.deepEqual(await host.transact("M9999"), ['echo:Unknown command: "M9999"', "ok"]);
    // Numbered lines are reported without their number and checksum.
    assert.deepEqual(await host.transact(numbered(1, "G9999")), ['echo:Unknown command: "G9999"', "ok"]);
  });
});

test("M118 prints its text, behind echo: with E1", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    assert.deepEqual(await host.transact("M118 E1 hello printer"), ["echo:hello printer", "ok"]);
    assert.deepEqual(await host.transact("M118 hello host"), ["hello host", "ok"]);
  });
});

test("blank and comment-only lines get no reply at all; a command with a comment gets one ok", { timeout: 60_000 }, async () => {
  await withPrinter(async (host, session) => {
    const before = session.lines.length;
    await session.write("\n   \n; a comment\n(a paren comment)\n\t(x) ; both\n");
    assert.deepEqual(await host.transact("M118 E1 after comments ; trailing comment"), ["echo:after comments", "ok"]);
    assert.deepEqual(session.lines.slice(before), ["echo:after comments", "ok"]);
  });
});

test("M115 names the firmware, protocol version, machine and extruder count, then lists capabilities", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    const replies = await host.transact("M115");
    const [name, ...rest] = replies;
    assert.match(name, /^FIRMWARE_NAME:Plumb /);
    for (const field of ["PROTOCOL_VERSION:1.0", "MACHINE_TYPE:", "EXTRUDER_COUNT:1"]) assert.ok(name.includes(field), `${field} in ${name}`);
    assert.equal(rest.at(-1), "ok");
    const caps = rest.slice(0, -1);
    assert.ok(caps.length > 0, "at least one Cap: line");
    for (const c of caps) assert.match(c, /^Cap:[A-Z0-9_]+:[01]$/);
  });
});

test("M114 reports the position in mm and in steps", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    const replies = await host.transact("M114");
    assert.equal(replies.length, 2, replies.join("\n"));
    assert.match(replies[0], /^X:-?\d+\.\d\d Y:-?\d+\.\d\d Z:-?\d+\.\d\d E:-?\d+\.\d\d Count X:-?\d+ Y:-?\d+ Z:-?\d+$/);
    assert.equal(replies[1], "ok");
  });
});

test("a numbered line holding a NUL (which leaves the checksum unchanged) is refused with a resend request, and its number does not count", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    assert.deepEqual(await host.transact(numbered(1, "M118 E1 one")), ["echo:one", "ok"]);
    // XOR of "N2 M118 E1 two" and of the same with a NUL (or two equal bytes) inside are the same.
    const cs = checksum("N2 M118 E1 two");
    assert.equal(checksum("N2 M118 E1 t\x00wo"), cs);
    assert.deepEqual(await host.transact(`N2 M118 E1 t\x00wo*${cs}`), ["Error:Line holds bytes that are not printable ASCII, Last Line: 1", "Resend: 2", "ok"]);
    assert.deepEqual(await host.transact(`N2 M118 E1 t\x01\x01wo*${cs}`), ["Error:Line holds bytes that are not printable ASCII, Last Line: 1", "Resend: 2", "ok"]);
    assert.deepEqual(await host.transact(numbered(2, "M118 E1 two")), ["echo:two", "ok"]);
  });
});

test("an M110 answered as not executed changes no line number (M110.5 N7, M110 with a stray control byte, M110 N7 X)", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    assert.deepEqual(await host.transact("M110.5 N7"), ['echo:Unknown command: "M110.5 N7"', "ok"]);
    assert.deepEqual(await host.transact("M110 N7\x02"), ["Error:Line holds bytes that are not printable ASCII; not executed", "ok"]);
    assert.deepEqual(await host.transact("M110 N7 X"), ["Error:M110 takes only N<line number>; not executed", "ok"]);
    // Still numbered from 0: line 1 is next, line 8 is not.
    assert.deepEqual(await host.transact(numbered(8, "M118 E1 eight")), ["Error:Line Number is not Last Line Number+1, Last Line: 0", "Resend: 1", "ok"]);
    assert.deepEqual(await host.transact(numbered(1, "M118 E1 one")), ["echo:one", "ok"]);
  });
});

test("line numbers of ten or more digits are never cut short: a wrong one is refused, an M110 beyond 2147483647 changes nothing", { timeout: 60_000 }, async () => {
  await withPrinter(async (host) => {
    // 2147483640 would read as 214748364 if cut to nine digits.
    assert.deepEqual(await host.transact("M110 N214748363"), ["ok"]);
    assert.deepEqual(await host.transact(numbered(2147483640, "M118 E1 wrong")), ["Error:Line Number is not Last Line Number+1, Last Line: 214748363", "Resend: 214748364", "ok"]);
    assert.deepEqual(await host.transact("M110 N21474836470"), ["Error:M110 takes only N<line number>; not executed", "ok"]);
    assert.deepEqual(await host.transact("M110 N2147483645"), ["ok"]);
    assert.deepEqual(await host.transact(numbered(2147483646, "M118 E1 big")), ["echo:big", "ok"]);
    assert.deepEqual(await host.transact(numbered(21474836470, "M118 E1 too big")), ["Error:Line Number is not Last Line Number+1, Last Line: 2147483646", "Resend: 2147483647", "ok"]);
  });
});

test("200 numbered lines streamed without waiting overflow the receive ring, yet every line gets its answer and the overflow is reported", { timeout: 120_000 }, async () => {
  const lines = Array.from({ length: 200 }, (_, i) => numbered(i + 1, `G1 X${(i % 10) + 1} F6000`));
  const r = await runSim({ input: "M110 N0\n" + lines.join("\n") + "\n", timeoutSeconds: 5, maxSeconds: 120 });
  assert.equal(r.report.exit, "done", r.stdout.slice(-500));
  assert.equal(r.report.serial.oksExpected, 201);
  assert.equal(r.report.serial.oks, 201, "one answer per line");
  const overflows = r.stdout.split("\n").filter((l) => l.startsWith("Error:Receive buffer overflow"));
  assert.ok(overflows.length > 0, "the overflow is reported");
});
