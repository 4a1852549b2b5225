// asc --transform entry for tools that load transforms by path (as-pect's unit-test build).
// The collected texts are published on globalThis so the test HAL can serve hal.romByte.
import { RomTextTransform } from "./romText.ts";

export default class PublishedRomTextTransform extends RomTextTransform {
  constructor() {
    super();
    (globalThis as { plumbRomTexts?: unknown }).plumbRomTexts = this.collected;
  }
}
