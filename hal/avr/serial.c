/*
 * USART0 with interrupt-driven ring buffers.
 *
 * RX: 128 bytes (Marlin's and Prusa's RX_BUFFER_SIZE on the AVR), filled by the receive
 * interrupt and emptied on every pass of the firmware's loop into the module's own 256-byte ring
 * (serial/receiver.ts), where the lines are assembled: 128 bytes are 11 ms at 115200 baud, longer
 * than any pass. When full, further bytes are dropped and counted (the line protocol's checksums
 * then ask for a resend).
 * TX: 128 bytes, drained by the data-register-empty interrupt. hal_serialWrite never waits: it
 * returns 0 when the ring is full and the firmware retries while it services motion.
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include "hal.h"

#define RX_SIZE 128
#define RX_MASK (RX_SIZE - 1)
#define TX_SIZE 128
#define TX_MASK (TX_SIZE - 1)

static volatile uint8_t rx_buf[RX_SIZE];
static volatile uint8_t rx_head, rx_tail; /* head written by the ISR, tail by the main loop */
static volatile uint8_t tx_buf[TX_SIZE];
static volatile uint8_t tx_head, tx_tail; /* head written by the main loop, tail by the ISR */
volatile uint16_t serial_rx_dropped;

void serial_init(void) {
  /* U2X before UBRR: simavr 1.6 latches the baud rate when UBRR0L is written. */
  UCSR0A = _BV(U2X0);
  uint16_t ubrr = (uint16_t)((F_CPU / 8 / BOARD_BAUD) - 1); /* 115200 -> 16 (2.1% error, as Arduino) */
  UBRR0H = (uint8_t)(ubrr >> 8);
  UBRR0L = (uint8_t)ubrr;
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00); /* 8N1 */
  UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
}

ISR(USART0_RX_vect) {
  uint8_t status = UCSR0A;
  uint8_t byte = UDR0;
  if (status & (_BV(FE0) | _BV(DOR0))) {
    serial_rx_dropped++;
    return;
  }
  uint8_t next = (uint8_t)((rx_head + 1) & RX_MASK);
  if (next == rx_tail) {
    serial_rx_dropped++;
    return;
  }
  rx_buf[rx_head] = byte;
  rx_head = next;
}

ISR(USART0_UDRE_vect) {
  if (tx_head == tx_tail) {
    UCSR0B &= (uint8_t)~_BV(UDRIE0);
    return;
  }
  UDR0 = tx_buf[tx_tail];
  tx_tail = (uint8_t)((tx_tail + 1) & TX_MASK);
}

u32 hal_serialRead(void) {
  if (rx_head == rx_tail) return (u32)-1;
  uint8_t byte = rx_buf[rx_tail];
  rx_tail = (uint8_t)((rx_tail + 1) & RX_MASK);
  return byte;
}

u32 hal_serialAvailable(void) {
  return (uint8_t)((rx_head - rx_tail) & RX_MASK);
}

/* Non-blocking: the firmware keeps the step interrupt fed while it waits for room. */
u32 hal_serialWrite(u32 byte) {
  uint8_t next = (uint8_t)((tx_head + 1) & TX_MASK);
  if (next == tx_tail) return 0;
  tx_buf[tx_head] = (uint8_t)byte;
  tx_head = next;
  UCSR0B |= _BV(UDRIE0);
  return 1;
}

/* For the trap and halt paths, with interrupts off: empty the ring, then write directly. */
void serial_flush_polled(void) {
  UCSR0B &= (uint8_t)~_BV(UDRIE0);
  while (tx_head != tx_tail) {
    while (!(UCSR0A & _BV(UDRE0))) {
    }
    UDR0 = tx_buf[tx_tail];
    tx_tail = (uint8_t)((tx_tail + 1) & TX_MASK);
  }
}

void serial_write_polled(uint8_t byte) {
  while (!(UCSR0A & _BV(UDRE0))) {
  }
  UDR0 = byte;
}
