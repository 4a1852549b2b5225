/*
 * ADC: one conversion at a time, started by the firmware and polled, never waited for. The
 * reference is AVCC (5 V on the MiniRambo, the supply of the thermistor pull-ups, so readings are
 * ratios and the supply's tolerance cancels out). The ADC clock is F_CPU/128 = 125 kHz, inside
 * the 50-200 kHz the datasheet asks for full 10-bit resolution: a conversion takes 13 ADC
 * clocks, 104 us (25 for the first after enabling, 200 us).
 */
#include <avr/io.h>
#include "hal.h"

#define ADC_IDLE 0xff
static uint8_t converting = ADC_IDLE; /* channel of the conversion under way or finished */

void adc_init(void) {
  ADMUX = _BV(REFS0); /* AVCC with the capacitor on AREF */
  ADCSRB = 0;
  ADCSRA = _BV(ADEN) | _BV(ADPS2) | _BV(ADPS1) | _BV(ADPS0);
}

void hal_adcStart(u32 channel) {
  if (channel > 15 || (ADCSRA & _BV(ADSC))) return;
  uint8_t ch = (uint8_t)channel;
  /* An analog input needs no digital input buffer: turning it off saves power and noise. */
  if (ch < 8) DIDR0 |= (uint8_t)(1 << ch);
  else DIDR2 |= (uint8_t)(1 << (ch - 8));
  ADMUX = (uint8_t)(_BV(REFS0) | (ch & 7));
  ADCSRB = ch >= 8 ? _BV(MUX5) : 0;
  converting = ch;
  ADCSRA |= _BV(ADSC);
}

u32 hal_adcResult(void) {
  if (converting == ADC_IDLE || (ADCSRA & _BV(ADSC))) return 0xffffffffu;
  converting = ADC_IDLE;
  return ADC;
}
