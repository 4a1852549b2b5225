// AssemblyScript transform: turns every rom("literal") call in the firmware into a RomText handle
// (offset << 8 | length) into one flash text table, so no message text occupies SRAM.
// See assembly/rom.ts for the firmware side.

import { Transform } from "assemblyscript/transform";
import { Node, NodeKind } from "assemblyscript";
import type { Parser } from "assemblyscript";
import { checkText, handleOf, type RomTexts } from "./romTable.ts";

export type { RomTexts } from "./romTable.ts";

interface AnyNode {
  kind: NodeKind;
  [key: string]: unknown;
}

function isNode(v: unknown): v is AnyNode {
  return typeof v === "object" && v !== null && typeof (v as AnyNode).kind === "number" && "range" in (v as object);
}

function describe(node: AnyNode): string {
  const range = node.range as { source: { normalizedPath: string; text: string }; start: number };
  const line = range.source.text.slice(0, range.start).split("\n").length;
  return `${range.source.normalizedPath}:${line}`;
}

/**
 * The calls replaced by a flash text, and how long their text may be. Display texts are checked
 * here, at build time, as Prusa's language files are: lcdText() is a whole row of the 20x4
 * display, menuLabel() a menu line between the cursor column and the submenu mark (see
 * assembly/ui/text.ts).
 */
export const TEXT_FUNCTIONS: Record<string, number> = { rom: Infinity, lcdText: 20, menuLabel: 18 };

export class RomTextTransform extends Transform {
  readonly collected: RomTexts = { texts: [], offsets: [], size: 0 };
  private readonly index = new Map<string, number>();

  afterParse(parser: Parser): void {
    for (const source of parser.sources) {
      if (source.internalPath.startsWith("~lib/")) continue;
      this.visit(source as unknown as AnyNode);
    }
  }

  private handleFor(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.collected.texts.length;
      this.index.set(text, i);
      this.collected.texts.push(text);
      this.collected.offsets.push(this.collected.size);
      this.collected.size += text.length;
    }
    return handleOf(this.collected.offsets[i], text.length);
  }

  /** The replacement for a rom("...") call, or null when `node` is not one. */
  private replacement(node: AnyNode): AnyNode | null {
    if (node.kind !== NodeKind.Call) return null;
    const callee = node.expression as AnyNode;
    if (callee.kind !== NodeKind.Identifier || !Object.hasOwn(TEXT_FUNCTIONS, callee.text as string)) return null;
    const args = node.args as AnyNode[];
    const literal = args.length === 1 ? args[0] : null;
    if (!literal || literal.kind !== NodeKind.Literal || typeof literal.value !== "string") {
      throw new Error(`${describe(node)}: ${callee.text}() takes exactly one string literal`);
    }
    const text = literal.value as string;
    checkText(text, describe(node));
    const columns = TEXT_FUNCTIONS[callee.text as string];
    if (text.length > columns) {
      throw new Error(`${describe(node)}: ${callee.text}(${JSON.stringify(text)}) is ${text.length} characters; it must fit ${columns} columns of the display`);
    }
    const handle = this.handleFor(text);
    const i64 = (globalThis as unknown as { i64_new(lo: number, hi: number): unknown }).i64_new;
    return Node.createIntegerLiteralExpression(i64(handle | 0, 0) as never, node.range as never) as unknown as AnyNode;
  }

  private visit(node: AnyNode): void {
    for (const key of Object.keys(node)) {
      if (key === "range" || key === "parent") continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const child = value[i];
          if (!isNode(child)) continue;
          const r = this.replacement(child);
          if (r) value[i] = r;
          else this.visit(child);
        }
      } else if (isNode(value)) {
        const r = this.replacement(value);
        if (r) node[key] = r;
        else this.visit(value);
      }
    }
  }
}
