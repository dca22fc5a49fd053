/* The simulated board shared by the host simulator: a relay, a temperature sensor, a motor and a counter. */
#ifndef BOARD_H
#define BOARD_H
#include "../src/bridge.h"

typedef struct {
  int relay_on;
  int32_t motor_rpm;
  uint32_t counter;
  float temperature_c;
} board_state;

extern const bridge_prop_def board_props[];
extern const uint8_t board_prop_count;
extern const bridge_cmd_def board_cmds[];
extern const uint8_t board_cmd_count;
extern const char *const board_capabilities[];
extern const uint8_t board_capability_count;

uint8_t board_command(board_state *b, const char *name, const uint8_t *params, uint16_t len, bridge_tlv_writer *out);
/* Writes telemetry field `index` (0-based); returns 0 when there is no such field. */
int board_telemetry_field(const board_state *b, bridge_tlv_writer *w, int index);
void board_step(board_state *b, uint32_t now_ms);
#endif
