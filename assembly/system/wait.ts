// A wait the host or the owner may cut short: M108 (and the LCD's button, later) breaks the
// current heating wait or pause. The waiting code calls beginWait() before it starts and asks
// waitBroken() on every pass; the emergency parser calls breakWait() as soon as M108 arrives.

let broken = false;

export function beginWait(): void {
  broken = false;
}

export function breakWait(): void {
  broken = true;
}

export function waitBroken(): bool {
  return broken;
}
