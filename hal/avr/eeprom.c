/* EEPROM: 4 KiB, byte access. Reads beyond the end give 0xff (erased), writes there are ignored. */
#include <avr/eeprom.h>
#include "hal.h"

#define EEPROM_BYTES (E2END + 1)

u32 hal_eepromRead(u32 addr) {
  if (addr >= EEPROM_BYTES) return 0xff;
  return eeprom_read_byte((const uint8_t *)(uint16_t)addr);
}

void hal_eepromWrite(u32 addr, u32 value) {
  if (addr >= EEPROM_BYTES) return;
  eeprom_update_byte((uint8_t *)(uint16_t)addr, (uint8_t)value);
}

u32 hal_eepromSize(void) {
  return EEPROM_BYTES;
}
