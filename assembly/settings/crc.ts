// CRC-16/CCITT-FALSE (poly 0x1021, init 0xffff) over `length` bytes of linear memory.
export function crc16(data: usize, length: u32): u32 {
  let crc: u32 = 0xffff;
  for (let i: u32 = 0; i < length; i++) crc = crc16Update(crc, <u32>load<u8>(data + i));
  return crc;
}

/** The CRC after one more byte (start from 0xffff): for data read a byte at a time (the EEPROM). */
export function crc16Update(crc: u32, byte: u32): u32 {
  crc ^= byte << 8;
  for (let bit = 0; bit < 8; bit++) {
    crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
