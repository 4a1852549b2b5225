// A serial host as printcore (Pronterface), OctoPrint and PrusaSlicer drive Marlin-style firmware in
// "one line in flight" mode: number each line, append its checksum, send it, wait for its "ok";
// on "Resend: k" go back to line k and continue from there. Can damage chosen lines on their
// first transmission, as a noisy cable would, while always resending the original text.

import type { SimSession } from "../../tools/sim/session.ts";
import { mulberry32 } from "../../tools/sim/generate.ts";

/** XOR of every byte: the checksum Marlin hosts append after '*'. */
export function checksum(text: string): number {
  let cs = 0;
  for (let i = 0; i < text.length; i++) cs ^= text.charCodeAt(i) & 0xff;
  return cs;
}

/** `N<n> <payload>*<checksum>`, the form hosts send while printing. */
export function numbered(n: number, payload: string): string {
  const body = `N${n} ${payload}`;
  return `${body}*${checksum(body)}`;
}

export { mulberry32 };

export function randomInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

/**
 * Whether the harness expects an "ok" for this line (mirror of track_sent_byte in
 * tools/sim/harness.c): anything but blanks once `;` comments and `(...)` comments are removed.
 */
export function expectsOk(line: string): boolean {
  const HARNESS_LINE_MAX = 512; // the harness looks at this many kept bytes per line
  let kept = 0;
  let paren = false;
  for (const c of line) {
    if (c === ";") break;
    if (c === "(") paren = true;
    else if (c === ")" && paren) {
      paren = false;
      continue;
    }
    if (paren || kept >= HARNESS_LINE_MAX) continue;
    kept++;
    if (c !== " " && c !== "\t") return true;
  }
  return false;
}

export const isOk = (line: string): boolean => line.startsWith("ok");

/** printcore's resend parsing accepts "Resend: 5", "Resend:5", "rs N5"; so does this host. */
export function resendLine(line: string): number | undefined {
  const m = /^(?:resend|rs)\b\s*:?\s*N?:?\s*(\d+)/i.exec(line);
  return m ? Number(m[1]) : undefined;
}

/**
 * How a line is damaged on its first transmission:
 * - payload: one character of the command changed (checksum mismatch)
 * - checksum: the checksum digits changed
 * - noChecksum: "*<checksum>" lost
 * - lineNumber: a wrong line number, with a checksum that matches it
 * - lineNumberDigits: the digits after N lost ("N M118 ...*<checksum>")
 */
export type Corruption = "payload" | "checksum" | "noChecksum" | "lineNumber" | "lineNumberDigits";
export const CORRUPTIONS: readonly Corruption[] = ["payload", "checksum", "noChecksum", "lineNumber", "lineNumberDigits"];

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function corrupt(n: number, payload: string, kind: Corruption, rand: () => number): string {
  const good = numbered(n, payload);
  switch (kind) {
    case "payload": {
      const at = randomInt(rand, payload.length);
      // Alphanumeric and different: the line keeps its shape but its XOR changes.
      const choices = ALNUM.replace(payload[at], "");
      const bad = payload.slice(0, at) + choices[randomInt(rand, choices.length)] + payload.slice(at + 1);
      return `N${n} ${bad}*${checksum(`N${n} ${payload}`)}`;
    }
    case "checksum": {
      const cs = checksum(`N${n} ${payload}`);
      return `N${n} ${payload}*${(cs + 1 + randomInt(rand, 255)) % 256}`;
    }
    case "noChecksum":
      return `N${n} ${payload}`;
    case "lineNumber":
      return numbered(n + 1 + randomInt(rand, 9), payload);
    case "lineNumberDigits":
      return good.replace(/^N\d+/, "N");
  }
}

export interface HostStats {
  /** Lines written to the port, first transmissions and resends. */
  transmissions: number;
  /** "Resend:" requests received. */
  resends: number;
  /** "Error:" lines received. */
  errors: string[];
}

export interface StreamOptions {
  /** Damage these payloads (index into the payload array) on their first transmission. */
  corrupt?: ReadonlyMap<number, Corruption>;
  seed?: number;
  /** Real-time limit for one line's "ok". */
  lineTimeoutMs?: number;
  /** Give up when one line has been sent this many times. */
  maxTransmissionsPerLine?: number;
}

export class Host {
  /** The number of the last line sent with a number; the next is lastLine + 1. */
  lastLine = 0;
  readonly stats: HostStats = { transmissions: 0, resends: 0, errors: [] };

  constructor(readonly session: SimSession) {}

  /** Sends one line as it is and returns every reply line up to and including its "ok". */
  async transact(line: string, timeoutMs = 10_000): Promise<string[]> {
    await this.session.write(`${line}\n`);
    return this.repliesUntilOk(timeoutMs, line);
  }

  /** `M110 N<n>` without number or checksum, as hosts send on connect: the next line is n + 1. */
  async resetLineNumbers(n = 0): Promise<void> {
    await this.transact(`M110 N${n}`);
    this.lastLine = n;
  }

  /**
   * Sends the payloads numbered from lastLine + 1, one line in flight, following resend
   * requests, until every line has had its "ok" without one.
   */
  async stream(payloads: readonly string[], opts: StreamOptions = {}): Promise<HostStats> {
    const rand = mulberry32(opts.seed ?? 1);
    const first = this.lastLine + 1;
    const timeoutMs = opts.lineTimeoutMs ?? 10_000;
    const maxTries = opts.maxTransmissionsPerLine ?? 5;
    const damaged = new Set<number>();
    const tries = new Map<number, number>();
    let i = 0;
    while (i < payloads.length) {
      const n = first + i;
      const count = (tries.get(i) ?? 0) + 1;
      if (count > maxTries) throw new Error(`line N${n} (${payloads[i]}) sent ${maxTries} times without being accepted\n${this.session.tail()}`);
      tries.set(i, count);
      const kind = opts.corrupt?.get(i);
      let text = numbered(n, payloads[i]);
      if (kind && !damaged.has(i)) {
        damaged.add(i);
        text = corrupt(n, payloads[i], kind, rand);
      }
      await this.session.write(`${text}\n`);
      this.stats.transmissions++;
      this.lastLine = n;
      // The "ok" after an error and its Resend is the go-ahead, not this line's acknowledgement:
      // with one line in flight every line sent gets exactly one "ok", so count oks per send.
      let resendFrom: number | undefined;
      for (const reply of await this.repliesUntilOk(timeoutMs, text)) {
        if (reply.startsWith("Error")) this.stats.errors.push(reply);
        const k = resendLine(reply);
        if (k !== undefined) {
          this.stats.resends++;
          resendFrom = k;
        }
      }
      if (resendFrom === undefined) {
        i++;
        continue;
      }
      if (resendFrom < first || resendFrom > n) {
        throw new Error(`firmware asked to resend N${resendFrom}, but this host sent N${first}..N${n}\n${this.session.tail()}`);
      }
      i = resendFrom - first;
      this.lastLine = resendFrom - 1;
    }
    return this.stats;
  }

  private async repliesUntilOk(timeoutMs: number, sent: string): Promise<string[]> {
    const replies: string[] = [];
    for (;;) {
      let line: string;
      try {
        line = await this.session.nextLine(timeoutMs);
      } catch (e) {
        throw new Error(`no "ok" for ${JSON.stringify(sent)}: ${(e as Error).message}`);
      }
      replies.push(line);
      if (isOk(line)) return replies;
    }
  }
}
