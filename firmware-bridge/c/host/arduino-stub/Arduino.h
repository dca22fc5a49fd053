/* Declarations of the Arduino core API the sketch uses, so `make sketch-check` can syntax-check the sketch with the
 * host g++. Nothing here runs: it is a compile check, not an emulator. */
#ifndef ARDUINO_STUB_H
#define ARDUINO_STUB_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HIGH 1
#define LOW 0
#define OUTPUT 1
#define A0 14

struct HardwareSerialStub {
  void begin(unsigned long baud);
  size_t write(const uint8_t *data, size_t len);
  int available();
  int read();
};
extern HardwareSerialStub Serial;

unsigned long millis();
void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t value);
void analogWrite(uint8_t pin, int value);
int analogRead(uint8_t pin);
#endif
