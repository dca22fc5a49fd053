/* Simulated board behaviour. The Arduino sketch implements the same properties and commands on real pins. */
#include "board.h"

#include <string.h>

const bridge_prop_def board_props[] = {
    {"relay", BRIDGE_V_BOOL, BRIDGE_READ_WRITE, ""},
    {"temperature", BRIDGE_V_F32, BRIDGE_READ, "C"},
    {"motor_rpm", BRIDGE_V_I32, BRIDGE_READ_WRITE, "rpm"},
    {"counter", BRIDGE_V_U32, BRIDGE_READ, ""},
};
const uint8_t board_prop_count = sizeof(board_props) / sizeof(board_props[0]);

static const bridge_param_def relay_params[] = {{"on", BRIDGE_V_BOOL, ""}};
static const bridge_param_def motor_params[] = {{"rpm", BRIDGE_V_I32, "rpm"}};
const bridge_cmd_def board_cmds[] = {
    {"relay.set", relay_params, 1},
    {"motor.set_speed", motor_params, 1},
    {"counter.increment", NULL, 0},
    {"selftest.fail", NULL, 0},
};
const uint8_t board_cmd_count = sizeof(board_cmds) / sizeof(board_cmds[0]);

const char *const board_capabilities[] = {"relay", "thermometer", "motor"};
const uint8_t board_capability_count = 3;

#define MOTOR_RPM_MAX 3000

uint8_t board_command(board_state *b, const char *name, const uint8_t *params, uint16_t len, bridge_tlv_writer *out) {
  if (strcmp(name, "relay.set") == 0) {
    int on;
    if (!bridge_field_get_bool(params, len, "on", &on)) return BRIDGE_E_BAD_PARAM;
    b->relay_on = on;
    bridge_tlv_put_field_bool(out, "relay", on);
    return BRIDGE_OK;
  }
  if (strcmp(name, "motor.set_speed") == 0) {
    int32_t rpm;
    if (!bridge_field_get_i32(params, len, "rpm", &rpm) || rpm > MOTOR_RPM_MAX || rpm < -MOTOR_RPM_MAX) {
      return BRIDGE_E_BAD_PARAM;
    }
    b->motor_rpm = rpm;
    bridge_tlv_put_field_i32(out, "motor_rpm", rpm);
    return BRIDGE_OK;
  }
  if (strcmp(name, "counter.increment") == 0) {
    b->counter++;
    bridge_tlv_put_field_u32(out, "counter", b->counter);
    return BRIDGE_OK;
  }
  if (strcmp(name, "selftest.fail") == 0) return BRIDGE_E_FAILED;
  return BRIDGE_E_UNKNOWN_COMMAND;
}

int board_telemetry_field(const board_state *b, bridge_tlv_writer *w, int index) {
  switch (index) {
    case 0:
      bridge_tlv_put_field_bool(w, "relay", b->relay_on);
      return 1;
    case 1:
      bridge_tlv_put_field_f32(w, "temperature", b->temperature_c);
      return 1;
    case 2:
      bridge_tlv_put_field_i32(w, "motor_rpm", b->motor_rpm);
      return 1;
    case 3:
      bridge_tlv_put_field_u32(w, "counter", b->counter);
      return 1;
    /* resource use: names starting with "res." map onto the gateway's resource fields */
    case 4:
      bridge_tlv_put_field_f32(w, "res.cpu", b->motor_rpm != 0 ? 0.4f : 0.05f);
      return 1;
    case 5:
      bridge_tlv_put_field_f32(w, "res.memoryMb", 0.002f);
      return 1;
    default: return 0;
  }
}

void board_step(board_state *b, uint32_t now_ms) {
  /* a slow triangle wave between 20.0 and 23.0 C, warmer while the motor runs */
  uint32_t phase = (now_ms / 100u) % 60u;
  float base = 20.0f + (phase < 30u ? (float)phase : (float)(60u - phase)) * 0.1f;
  b->temperature_c = base + (b->motor_rpm != 0 ? 1.5f : 0.0f);
}
