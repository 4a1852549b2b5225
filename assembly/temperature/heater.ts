// The heaters by number, as the controller (heaters.ts), the protections (protection.ts) and the
// reports index them. In a file of its own so that the protections need not import the
// controller that calls them.

export const enum Heater {
  Hotend = 0,
  Bed = 1,
  Count = 2,
}
