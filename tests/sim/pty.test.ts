// The simulated printer's --pty port behaves like a MiniRambo on USB: opening the port resets the
// board (DTR), so every host reads "start" and the banner; settings in EEPROM survive the reset.
//
// The host here is a small serial client in Node: it opens the pty's path as a host opens
// /dev/ttyACM0 (O_NOCTTY, non-blocking), reads by polling, and does not touch the termios, so it
// sees whatever the harness leaves the port set to.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SimSession } from "../../tools/sim/session.ts";

const BANNER = "echo:Plumb 0.1.0 on MiniRambo 1.3a (Prusa i3 MK2)";
/** What the firmware says after its banner when a host's connect reset it (hal resetCause: EXTRF). */
const RESET_BY_HOST = "echo:reset by reset button or host";
const WAIT_MS = 10_000;

type LineMatch = RegExp | ((line: string) => boolean);

/** A serial host on a pty path: one open of the port, from open to close. */
class PortClient {
  /** Every complete line received (without "\r\n"). */
  readonly lines: string[] = [];
  /** Bytes of the line still being received. */
  private partial = "";
  private cursor = 0;
  private fd: number | undefined;

  private constructor(readonly port: string) {
    this.fd = fs.openSync(port, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
  }

  static open(port: string): PortClient {
    return new PortClient(port);
  }

  /** The open file descriptor, e.g. to run stty on it. */
  get descriptor(): number {
    if (this.fd === undefined) throw new Error("the port is closed");
    return this.fd;
  }

  write(text: string): void {
    if (this.fd === undefined) throw new Error("the port is closed");
    const bytes = Buffer.from(text, "latin1");
    let done = 0;
    const deadline = Date.now() + WAIT_MS;
    while (done < bytes.length) {
      try {
        done += fs.writeSync(this.fd, bytes, done);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN" || Date.now() > deadline) throw e;
      }
    }
  }

  /** Waits for the next line that matches; consumes it and every line before it. */
  async waitForLine(match: LineMatch, timeoutMs = WAIT_MS): Promise<string> {
    const test = typeof match === "function" ? match : (l: string) => match.test(l);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.pump();
      for (; this.cursor < this.lines.length; this.cursor++) {
        if (test(this.lines[this.cursor])) return this.lines[this.cursor++];
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof match === "function" ? "a matching line" : match} on ${this.port}\n${this.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Sends a command and returns the lines from the first unread one up to and including the
   * command's "ok" (boot messages not read yet come first).
   */
  async command(line: string, timeoutMs = WAIT_MS): Promise<string[]> {
    const from = this.cursor;
    this.write(`${line}\n`);
    await this.waitForLine(/^ok\b/, timeoutMs);
    return this.lines.slice(from, this.cursor);
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  tail(n = 15): string {
    const shown = [...this.lines.slice(-n), ...(this.partial ? [`${this.partial} (no newline yet)`] : [])];
    return `received (${this.lines.length} lines):\n${shown.map((l) => `  | ${JSON.stringify(l).slice(1, -1)}`).join("\n") || "  (nothing)"}`;
  }

  private pump(): void {
    if (this.fd === undefined) return;
    const buf = Buffer.alloc(4096);
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(this.fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") return;
        throw e;
      }
      if (n <= 0) return;
      const parts = (this.partial + buf.toString("latin1", 0, n)).split("\n");
      this.partial = parts.pop() ?? "";
      for (const p of parts) this.lines.push(p.endsWith("\r") ? p.slice(0, -1) : p);
    }
  }
}

/** Runs body with a harness on a pty in a temporary directory; cleans up whatever happens. */
async function withPty(
  opts: { eeprom?: boolean; realtime?: boolean },
  body: (ctx: { session: SimSession; port: string; eeprom: string; clients: PortClient[] }) => Promise<void>,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plumb-pty-"));
  const port = path.join(dir, "ttyPlumb");
  const eeprom = path.join(dir, "eeprom.bin");
  const clients: PortClient[] = [];
  const session = await SimSession.start({ pty: port, eeprom: opts.eeprom ? eeprom : undefined, realtime: opts.realtime });
  try {
    await body({ session, port, eeprom, clients });
  } catch (e) {
    if (e instanceof Error) e.message += `\nharness stderr:\n${session.stderr.trim().replace(/^/gm, "  | ")}`;
    throw e;
  } finally {
    for (const c of clients) c.close();
    await session.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens the port and reads the firmware's greeting; returns the client and the greeting's lines. */
async function connect(port: string, clients: PortClient[]): Promise<{ client: PortClient; greeting: string[] }> {
  const client = PortClient.open(port);
  clients.push(client);
  await client.waitForLine(/^echo:reset by /);
  return { client, greeting: [...client.lines] };
}

function hostConnects(report: { serial: object }): number | undefined {
  return (report.serial as { hostConnects?: number }).hostConnects;
}

/**
 * Waits until the harness has said on stderr that it saw hosts leave `count` times. A host that
 * reopens the port before the harness has noticed the close may still read the tail of the
 * previous session's output (see "The pty" in tools/sim/harness.c); real hosts flush on open.
 */
async function disconnects(session: SimSession, count: number, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((session.stderr.match(/^plumbsim: host disconnected$/gm) ?? []).length < count) {
    if (Date.now() > deadline) throw new Error(`the harness did not see the host leave (${count} times) within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("a host that opens the port reads \"start\" and the banner, then gets FIRMWARE_NAME and ok for M115", { timeout: 60_000 }, async () => {
  await withPty({ realtime: true }, async ({ session, port, clients }) => {
    const t0 = Date.now();
    const { client, greeting } = await connect(port, clients);
    // Nothing from before the connect (the power-on boot was printed to nobody): the reset's
    // "start" is the first line, the banner follows, and the firmware says the host reset it.
    assert.deepEqual(greeting.slice(0, 3), ["start", BANNER, RESET_BY_HOST]);

    const reply = await client.command("M115");
    assert.ok(reply.some((l) => /^FIRMWARE_NAME:Plumb 0\.1\.0 .*PROTOCOL_VERSION:1\.0/.test(l)), reply.join("\n"));
    assert.equal(reply[reply.length - 1], "ok");
    client.close();

    // --realtime still holds with a pty: unthrottled, this idle firmware runs several times faster
    // than real time, so a second of waiting would put the simulation far ahead of the clock.
    await new Promise((r) => setTimeout(r, 1000));
    const { report } = await session.close();
    const wallSeconds = (Date.now() - t0) / 1000;
    assert.equal(report.exit, "stopped");
    assert.equal(hostConnects(report), 1);
    const simSeconds = report.cycles / report.fcpu;
    // The harness started its clock just before it announced the port, which was before t0.
    assert.ok(simSeconds <= wallSeconds + 0.25, `${simSeconds.toFixed(3)} simulated seconds in ${wallSeconds.toFixed(3)} s of real time`);
  });
});

test("closing the port and opening it again resets the board: a fresh \"start\", and settings saved with M500 are still there", { timeout: 60_000 }, async () => {
  await withPty({ eeprom: true }, async ({ session, port, eeprom, clients }) => {
    const first = await connect(port, clients);
    assert.equal(first.greeting[0], "start");
    assert.match((await first.client.command("M503")).join("\n"), /M92 X100\.00 Y100\.00 Z400\.00 E161\.30/, "factory defaults");
    await first.client.command("M92 X123.45 E170");
    assert.match((await first.client.command("M500")).join("\n"), /^echo:Settings stored /m);
    // A command whose reply the host never reads: it must not reach the next host.
    first.client.write("M115\n");
    first.client.close();
    await disconnects(session, 1);

    const second = await connect(port, clients);
    assert.deepEqual(second.greeting.slice(0, 3), ["start", BANNER, RESET_BY_HOST], "the new host's first lines are the reset's greeting");
    const settings = (await second.client.command("M503")).join("\n");
    assert.match(settings, /M92 X123\.45 Y100\.00 Z400\.00 E170\.00/);
    // The firmware loaded them at boot: no word about EEPROM or factory defaults.
    assert.ok(!second.client.lines.some((l) => /EEPROM|factory/.test(l)), second.client.tail());
    second.client.close();

    // The harness writes the EEPROM file at exit (SIGINT here, as Ctrl-C in a terminal sends)...
    const { report } = await session.close(undefined, "SIGINT");
    assert.equal(report.exit, "stopped");
    assert.equal(hostConnects(report), 2);
    assert.equal(fs.statSync(eeprom).size, 4096);

    // ...and a new harness boots with it.
    const next = await SimSession.start({ eeprom });
    try {
      await next.waitForLine(/^start$/);
      await next.write("M503\n");
      await next.waitForLine(/M92 X123\.45 Y100\.00 Z400\.00 E170\.00/);
      const { report: nextReport } = await next.close();
      assert.equal(nextReport.exit, "done");
    } finally {
      await next.dispose();
    }
  });
});

test("a host that closes the port and opens it again at once gets a reset and a fresh \"start\" too", { timeout: 60_000 }, async () => {
  await withPty({}, async ({ session, port, clients }) => {
    const first = await connect(port, clients);
    await first.client.command("M115"); // read up to its ok: nothing left unread
    first.client.close();
    // Reopened at once, usually before the harness has polled the port in between: it learns of
    // the close and the open from its inotify watch.
    const second = await connect(port, clients);
    assert.deepEqual(second.greeting.slice(0, 3), ["start", BANNER, RESET_BY_HOST]);
    second.client.close();
    const { report } = await session.close();
    assert.equal(hostConnects(report), 2);
  });
});

/** Runs stty with its arguments (without -F: on stdin, which is fd). */
function stty(args: string[], stdin: number | "ignore" = "ignore"): void {
  const r = spawnSync("stty", args, { encoding: "utf8", stdio: [stdin, "pipe", "pipe"] });
  assert.ok(!r.error && r.status === 0, `stty ${args.join(" ")}: ${r.error?.message ?? r.stderr}`);
}

/** Opens the port, checks the greeting, and checks M115 is answered with nothing echoed back. */
async function assertRawPort(port: string, clients: PortClient[]): Promise<void> {
  const { client, greeting } = await connect(port, clients);
  assert.deepEqual(greeting.slice(0, 3), ["start", BANNER, RESET_BY_HOST]);
  const reply = await client.command("M115");
  assert.ok(reply.some((l) => l.startsWith("FIRMWARE_NAME:Plumb ")), reply.join("\n"));
  // With echo on, the firmware would read its own output as commands and say so.
  assert.ok(!client.lines.some((l) => /Unknown command|^Error/.test(l)), client.tail());
  client.close();
}

const COOKED = ["sane", "echo", "icanon", "icrnl", "opost", "onlcr"];

test("a host that leaves the port in cooked mode (echo, line editing) does not change what the next host sees", { timeout: 60_000 }, async () => {
  await withPty({}, async ({ session, port, clients }) => {
    // A host connects, turns echo and line editing on, and goes; the next one opens once the
    // harness has seen it go.
    const first = await connect(port, clients);
    stty(COOKED, first.client.descriptor);
    first.client.close();
    await disconnects(session, 1);
    await assertRawPort(port, clients);

    // `stty -F` opens the port, changes it and closes it again in a few microseconds.
    stty(["-F", port, ...COOKED]);
    await assertRawPort(port, clients);
  });
});
