// AgentOS firmware bridge on a board with a relay, a temperature sensor (TMP36) and a DC motor (PWM + direction).
// Install firmware-bridge/c as an Arduino library (copy or symlink the folder into ~/Arduino/libraries/), open this
// sketch, upload, and list the port in the gateway's config under serial.ports.
// Same properties and commands as the host simulator (firmware-bridge/c/host/board.c), on real pins.
#include <bridge.h>
#if defined(ESP32)
#include <Update.h>
#endif

static const uint8_t RELAY_PIN = 7;
static const uint8_t MOTOR_PWM_PIN = 9;  // to the PWM input of a motor driver (L298N, DRV8871...)
static const uint8_t MOTOR_DIR_PIN = 8;
static const uint8_t TEMP_PIN = A0;      // TMP36: 10 mV per degree C, 500 mV at 0 C
static const int32_t MOTOR_RPM_MAX = 3000;
static const uint32_t TELEMETRY_PERIOD_MS = 1000;

static bridge_device dev;
static bool relayOn = false;
static int32_t motorRpm = 0;
static uint32_t counter = 0;
static uint32_t nextTelemetryMs = 0;

static const bridge_prop_def props[] = {
    {"relay", BRIDGE_V_BOOL, BRIDGE_READ_WRITE, ""},
    {"temperature", BRIDGE_V_F32, BRIDGE_READ, "C"},
    {"motor_rpm", BRIDGE_V_I32, BRIDGE_READ_WRITE, "rpm"},
    {"counter", BRIDGE_V_U32, BRIDGE_READ, ""},
};
static const bridge_param_def relayParams[] = {{"on", BRIDGE_V_BOOL, ""}};
static const bridge_param_def motorParams[] = {{"rpm", BRIDGE_V_I32, "rpm"}};
static const bridge_cmd_def cmds[] = {
    {"relay.set", relayParams, 1},
    {"motor.set_speed", motorParams, 1},
    {"counter.increment", NULL, 0},
};
static const char *const caps[] = {"relay", "thermometer", "motor"};

static float readTemperatureC() {
  float mv = analogRead(TEMP_PIN) * (5000.0f / 1024.0f);
  return (mv - 500.0f) / 10.0f;
}

static void applyMotor() {
  int32_t mag = motorRpm < 0 ? -motorRpm : motorRpm;
  digitalWrite(MOTOR_DIR_PIN, motorRpm < 0 ? HIGH : LOW);
  analogWrite(MOTOR_PWM_PIN, (int)(mag * 255 / MOTOR_RPM_MAX));  // open loop: duty proportional to the target
}

static void linkWrite(void *, const uint8_t *data, size_t len) { Serial.write(data, len); }

static uint8_t onCommand(void *, const char *name, const uint8_t *params, uint16_t len, bridge_tlv_writer *out) {
  if (strcmp(name, "relay.set") == 0) {
    int on;
    if (!bridge_field_get_bool(params, len, "on", &on)) return BRIDGE_E_BAD_PARAM;
    relayOn = on != 0;
    digitalWrite(RELAY_PIN, relayOn ? HIGH : LOW);
    bridge_tlv_put_field_bool(out, "relay", relayOn);
    return BRIDGE_OK;
  }
  if (strcmp(name, "motor.set_speed") == 0) {
    int32_t rpm;
    if (!bridge_field_get_i32(params, len, "rpm", &rpm) || rpm > MOTOR_RPM_MAX || rpm < -MOTOR_RPM_MAX) {
      return BRIDGE_E_BAD_PARAM;
    }
    motorRpm = rpm;
    applyMotor();
    bridge_tlv_put_field_i32(out, "motor_rpm", rpm);
    return BRIDGE_OK;
  }
  if (strcmp(name, "counter.increment") == 0) {
    bridge_tlv_put_field_u32(out, "counter", ++counter);
    return BRIDGE_OK;
  }
  return BRIDGE_E_UNKNOWN_COMMAND;
}

#if defined(ESP32)
// OTA into the inactive app partition; the bridge verifies the CRC-32 before otaFinish(verified = 1).
static uint8_t otaBegin(void *, uint32_t size, const char *) { return Update.begin(size) ? BRIDGE_OK : BRIDGE_E_TOO_LARGE; }
static uint8_t otaWrite(void *, uint32_t, const uint8_t *data, uint8_t len) {
  return Update.write(const_cast<uint8_t *>(data), len) == len ? BRIDGE_OK : BRIDGE_E_FAILED;
}
static uint8_t otaFinish(void *, int verified) {
  if (!verified) {
    Update.abort();
    return BRIDGE_OK;
  }
  return Update.end(true) ? BRIDGE_OK : BRIDGE_E_FAILED;
}
#endif

static void onReset(void *) {
#if defined(ESP32)
  ESP.restart();
#else
  relayOn = false;
  motorRpm = 0;
  digitalWrite(RELAY_PIN, LOW);
  applyMotor();
#endif
}

static bridge_device_config makeConfig() {
  bridge_device_config c;
  memset(&c, 0, sizeof(c));
  c.name = "agentos-relay-motor-board";
  c.fw_version = "1.0.0";
  c.uid = "board-0001";  // use a chip id where the MCU has one (ESP.getEfuseMac(), SAMD serial number)
  c.capabilities = caps;
  c.capability_count = 3;
  c.props = props;
  c.prop_count = 4;
  c.cmds = cmds;
  c.cmd_count = 3;
  c.write = linkWrite;
  c.on_command = onCommand;
  c.on_reset = onReset;
#if defined(ESP32)
  c.ota_begin = otaBegin;
  c.ota_write = otaWrite;
  c.ota_finish = otaFinish;
#endif
  return c;
}
static const bridge_device_config config = makeConfig();

static bool putField(bridge_tlv_writer *w, int index) {
  switch (index) {
    case 0:
      bridge_tlv_put_field_bool(w, "relay", relayOn);
      return true;
    case 1:
      bridge_tlv_put_field_f32(w, "temperature", readTemperatureC());
      return true;
    case 2:
      bridge_tlv_put_field_i32(w, "motor_rpm", motorRpm);
      return true;
    case 3:
      bridge_tlv_put_field_u32(w, "counter", counter);
      return true;
    default:
      return false;
  }
}

// One frame with every field; when the negotiated payload is too small (a 64-byte AVR build), one frame per field.
static void sendTelemetry() {
  bridge_tlv_writer *w = bridge_device_telemetry_begin(&dev);
  if (!w) return;  // not greeted yet, or asleep
  for (int i = 0; putField(w, i); i++) {
  }
  if (bridge_device_telemetry_send(&dev)) return;
  for (int i = 0;; i++) {
    w = bridge_device_telemetry_begin(&dev);
    if (!w || !putField(w, i)) return;
    bridge_device_telemetry_send(&dev);
  }
}

void setup() {
  pinMode(RELAY_PIN, OUTPUT);
  pinMode(MOTOR_PWM_PIN, OUTPUT);
  pinMode(MOTOR_DIR_PIN, OUTPUT);
  Serial.begin(115200);
  bridge_device_init(&dev, &config);
}

void loop() {
  uint32_t now = millis();
  while (Serial.available() > 0) {
    uint8_t b = (uint8_t)Serial.read();
    bridge_device_feed(&dev, &b, 1, now);
  }
  bridge_device_tick(&dev, now);
  if ((int32_t)(now - nextTelemetryMs) >= 0) {
    nextTelemetryMs = now + TELEMETRY_PERIOD_MS;
    sendTelemetry();
  }
}
