// Logical input bits of hal.readInputs() (the HALs map pins and polarity; 1 = triggered).
export const INPUT_X_MIN: u32 = 1;
export const INPUT_Y_MIN: u32 = 2;
export const INPUT_PROBE: u32 = 4;
