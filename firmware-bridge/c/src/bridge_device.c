/* Device protocol state machine: dispatch of incoming frames, handshake, CAPS pages, commands with ACK/NACK and a
 * response cache that answers retransmissions without running the command twice (PROTOCOL.md §6). */
#include "bridge_device.h"

#include <string.h>

static void send_frame(bridge_device *d, uint8_t type, uint8_t flags, uint16_t seq, const uint8_t *p, uint16_t len) {
  size_t n = bridge_frame_encode(type, flags, seq, p, len, d->tx, sizeof(d->tx));
  if (n == 0) {
    d->stats.tx_overflow++;
    return;
  }
  d->stats.frames_tx++;
  d->cfg->write(d->cfg->user, d->tx, n);
}

static void cache_response(bridge_device *d, uint16_t seq, uint8_t type, const uint8_t *p, uint16_t len) {
  bridge_dedup_entry *e = &d->dedup[d->dedup_next];
  if (len > BRIDGE_DEDUP_PAYLOAD_BYTES) return; /* large responses belong to idempotent queries */
  d->dedup_next = (uint8_t)((d->dedup_next + 1) % BRIDGE_DEDUP_ENTRIES);
  e->valid = 1;
  e->seq = seq;
  e->type = type;
  e->len = (uint8_t)len;
  if (len > 0) memcpy(e->payload, p, len);
}

void bridge_device_respond(bridge_device *d, const bridge_frame *req, uint8_t type, const uint8_t *p, uint16_t len) {
  if (req->flags & BRIDGE_F_ACK_REQUESTED) cache_response(d, req->seq, type, p, len);
  send_frame(d, type, BRIDGE_F_RESPONSE, req->seq, p, len);
}

static void respond_code(bridge_device *d, const bridge_frame *req, uint8_t type, uint8_t code, const char *msg) {
  bridge_tlv_writer w;
  bridge_tlv_writer_init(&w, d->payload, d->payload_bytes_max);
  bridge_tlv_put_u8(&w, BRIDGE_T_CODE, code);
  if (msg) bridge_tlv_put_str(&w, BRIDGE_T_MESSAGE, msg);
  bridge_device_respond(d, req, type, d->payload, w.len);
}

void bridge_device_init(bridge_device *d, const bridge_device_config *cfg) {
  uint16_t max = cfg->payload_bytes_max;
  memset(d, 0, sizeof(*d));
  d->cfg = cfg;
  if (max == 0 || max > BRIDGE_PAYLOAD_BYTES_MAX) max = BRIDGE_PAYLOAD_BYTES_MAX;
  d->payload_bytes_max = max;
  bridge_decoder_init(&d->dec, max);
}

static void handle_hello(bridge_device *d, const bridge_frame *f) {
  const uint8_t *v;
  uint8_t n, i;
  uint64_t host_max = BRIDGE_PAYLOAD_BYTES_MAX;
  uint16_t own = d->cfg->payload_bytes_max ? d->cfg->payload_bytes_max : BRIDGE_PAYLOAD_BYTES_MAX;
  bridge_tlv_writer w;
  if (own > BRIDGE_PAYLOAD_BYTES_MAX) own = BRIDGE_PAYLOAD_BYTES_MAX;
  if (bridge_tlv_find(f->payload, f->length, BRIDGE_T_MAX_PAYLOAD, &v, &n)) bridge_tlv_uint(v, n, &host_max);
  if (host_max < BRIDGE_PAYLOAD_BYTES_MIN) host_max = BRIDGE_PAYLOAD_BYTES_MIN;
  d->payload_bytes_max = host_max < own ? (uint16_t)host_max : own;
  d->dec.payload_bytes_max = d->payload_bytes_max;
  /* a new session: the host's sequence numbers start over, so cached responses no longer match */
  memset(d->dedup, 0, sizeof(d->dedup));
  d->connected = 1;
  bridge_tlv_writer_init(&w, d->payload, d->payload_bytes_max);
  bridge_tlv_put_u8(&w, BRIDGE_T_PROTO_VERSION, BRIDGE_PROTOCOL_VERSION);
  bridge_tlv_put_str(&w, BRIDGE_T_NAME, d->cfg->name);
  bridge_tlv_put_str(&w, BRIDGE_T_FW_VERSION, d->cfg->fw_version);
  bridge_tlv_put_str(&w, BRIDGE_T_UID, d->cfg->uid);
  bridge_tlv_put_u16(&w, BRIDGE_T_MAX_PAYLOAD, d->payload_bytes_max);
  for (i = 0; i < d->cfg->capability_count; i++) bridge_tlv_put_str(&w, BRIDGE_T_CAPABILITY, d->cfg->capabilities[i]);
  if (w.overflow) d->stats.tx_overflow++;
  bridge_device_respond(d, f, BRIDGE_HELLO_ACK, d->payload, w.len);
}

/* Appends a length-prefixed string at *at; returns 0 when it would pass cap. */
static int put_lp(uint8_t *buf, size_t *at, size_t cap, const char *s) {
  size_t n = strlen(s);
  if (n > 255 || *at + 1 + n > cap) return 0;
  buf[(*at)++] = (uint8_t)n;
  memcpy(buf + *at, s, n);
  *at += n;
  return 1;
}

static int put_byte(uint8_t *buf, size_t *at, size_t cap, uint8_t b) {
  if (*at + 1 > cap) return 0;
  buf[(*at)++] = b;
  return 1;
}

/* Encodes definition k (props first, then commands) as one TLV value into buf (BRIDGE_TLV_VALUE_BYTES_MAX);
 * returns its length, or 0 for a definition too long for this build (it is left out of CAPS). */
static uint8_t encode_def(const bridge_device *d, uint16_t k, uint8_t *buf, uint8_t *tag) {
  const size_t cap = BRIDGE_TLV_VALUE_BYTES_MAX;
  size_t at = 0, j;
  int ok;
  if (k < d->cfg->prop_count) {
    const bridge_prop_def *p = &d->cfg->props[k];
    ok = put_lp(buf, &at, cap, p->name) && put_byte(buf, &at, cap, p->type) && put_byte(buf, &at, cap, p->access) &&
         put_lp(buf, &at, cap, p->unit);
    *tag = BRIDGE_T_PROP_DEF;
  } else {
    const bridge_cmd_def *c = &d->cfg->cmds[k - d->cfg->prop_count];
    ok = put_lp(buf, &at, cap, c->name) && put_byte(buf, &at, cap, c->param_count);
    for (j = 0; ok && j < c->param_count; j++) {
      ok = put_lp(buf, &at, cap, c->params[j].name) && put_byte(buf, &at, cap, c->params[j].type) &&
           put_lp(buf, &at, cap, c->params[j].unit);
    }
    *tag = BRIDGE_T_CMD_DEF;
  }
  return ok ? (uint8_t)at : 0;
}

/* CAPS pages: definitions packed greedily in order into pages of at most payload_bytes_max bytes (6 bytes kept
 * for PAGE and PAGE_COUNT). Deterministic, so page k is the same on every query. */
static void handle_caps(bridge_device *d, const bridge_frame *f) {
  const uint8_t *v;
  uint8_t n, tag, len;
  uint8_t def[BRIDGE_TLV_VALUE_BYTES_MAX];
  uint64_t want = 0;
  uint16_t k, total = (uint16_t)(d->cfg->prop_count + d->cfg->cmd_count);
  uint16_t budget = (uint16_t)(d->payload_bytes_max - 6), used = 0;
  uint8_t page = 0, pages;
  bridge_tlv_writer w;
  if (bridge_tlv_find(f->payload, f->length, BRIDGE_T_PAGE, &v, &n)) bridge_tlv_uint(v, n, &want);
  for (k = 0; k < total; k++) { /* first pass: count pages */
    len = encode_def(d, k, def, &tag);
    if (len == 0) continue;
    if (used + 2u + len > budget) {
      page++;
      used = 0;
    }
    used = (uint16_t)(used + 2u + len);
  }
  pages = (uint8_t)(page + 1);
  if (want >= pages) {
    respond_code(d, f, BRIDGE_NACK, BRIDGE_E_BAD_PARAM, "page out of range");
    return;
  }
  bridge_tlv_writer_init(&w, d->payload, d->payload_bytes_max);
  bridge_tlv_put_u8(&w, BRIDGE_T_PAGE, (uint8_t)want);
  bridge_tlv_put_u8(&w, BRIDGE_T_PAGE_COUNT, pages);
  page = 0;
  used = 0;
  for (k = 0; k < total; k++) {
    len = encode_def(d, k, def, &tag);
    if (len == 0) continue;
    if (used + 2u + len > budget) {
      page++;
      used = 0;
    }
    used = (uint16_t)(used + 2u + len);
    if (page == want) bridge_tlv_put(&w, tag, def, len);
  }
  bridge_device_respond(d, f, BRIDGE_CAPS_RESPONSE, d->payload, w.len);
}

static void handle_command(bridge_device *d, const bridge_frame *f) {
  char name[48];
  const uint8_t *req_id;
  uint8_t req_len = 0, code;
  bridge_tlv_writer w;
  const uint8_t *cmd_name;
  uint8_t cmd_len = 0;
  if (bridge_tlv_count(f->payload, f->length) < 0 ||
      !bridge_tlv_find(f->payload, f->length, BRIDGE_T_CMD_NAME, &cmd_name, &cmd_len)) {
    respond_code(d, f, BRIDGE_NACK, BRIDGE_E_MALFORMED, "COMMAND needs CMD_NAME");
    return;
  }
  if (cmd_len >= sizeof(name)) { /* longer than any name this device defines: never truncate into a match */
    respond_code(d, f, BRIDGE_NACK, BRIDGE_E_UNKNOWN_COMMAND, "command name too long");
    return;
  }
  memcpy(name, cmd_name, cmd_len);
  name[cmd_len] = 0;
  bridge_tlv_writer_init(&w, d->payload, d->payload_bytes_max);
  if (bridge_tlv_find(f->payload, f->length, BRIDGE_T_REQ_ID, &req_id, &req_len)) {
    bridge_tlv_put(&w, BRIDGE_T_REQ_ID, req_id, req_len);
  }
  if (!d->cfg->on_command) {
    code = BRIDGE_E_UNKNOWN_COMMAND;
  } else {
    d->stats.commands_run++;
    code = d->cfg->on_command(d->cfg->user, name, f->payload, f->length, &w);
  }
  if (code == BRIDGE_OK && w.overflow) code = BRIDGE_E_TOO_LARGE;
  if (code != BRIDGE_OK) { /* drop any partial results, keep REQ_ID */
    w.len = req_len ? (uint16_t)(2u + req_len) : 0;
    w.overflow = 0;
  }
  bridge_tlv_put_u8(&w, BRIDGE_T_CODE, code);
  bridge_device_respond(d, f, code == BRIDGE_OK ? BRIDGE_ACK : BRIDGE_NACK, d->payload, w.len);
}

static void handle_ping(bridge_device *d, const bridge_frame *f) {
  const uint8_t *v;
  uint8_t n;
  bridge_tlv_writer w;
  bridge_tlv_writer_init(&w, d->payload, d->payload_bytes_max);
  if (bridge_tlv_find(f->payload, f->length, BRIDGE_T_TIME_MS, &v, &n)) bridge_tlv_put(&w, BRIDGE_T_TIME_MS, v, n);
  bridge_tlv_put_u32(&w, BRIDGE_T_UPTIME_MS, d->now_ms);
  bridge_device_respond(d, f, BRIDGE_PONG, d->payload, w.len);
}

static void handle_time_sleep(bridge_device *d, const bridge_frame *f) {
  const uint8_t *v;
  uint8_t n;
  uint64_t x = 0;
  uint8_t tag = f->type == BRIDGE_TIME_SYNC ? BRIDGE_T_TIME_MS : BRIDGE_T_DURATION_MS;
  if (!bridge_tlv_find(f->payload, f->length, tag, &v, &n) || !bridge_tlv_uint(v, n, &x)) {
    respond_code(d, f, BRIDGE_NACK, BRIDGE_E_MALFORMED, tag == BRIDGE_T_TIME_MS ? "needs TIME_MS" : "needs DURATION_MS");
    return;
  }
  respond_code(d, f, BRIDGE_ACK, BRIDGE_OK, NULL);
  if (f->type == BRIDGE_TIME_SYNC) {
    d->synced_unix_ms = x;
    d->synced_at_ms = d->now_ms;
    if (d->cfg->on_time_sync) d->cfg->on_time_sync(d->cfg->user, x);
  } else {
    d->sleeping = 1;
    d->sleep_until_ms = d->now_ms + (uint32_t)x;
    if (d->cfg->on_sleep) d->cfg->on_sleep(d->cfg->user, 1);
  }
}

static void wake(bridge_device *d) {
  d->sleeping = 0;
  if (d->cfg->on_sleep) d->cfg->on_sleep(d->cfg->user, 0);
}

/* A retransmitted request whose response is cached gets that response again, and nothing runs twice. */
static int replay_duplicate(bridge_device *d, const bridge_frame *f) {
  uint8_t i;
  if (!(f->flags & BRIDGE_F_RETRANSMIT)) return 0;
  for (i = 0; i < BRIDGE_DEDUP_ENTRIES; i++) {
    const bridge_dedup_entry *e = &d->dedup[i];
    if (e->valid && e->seq == f->seq) {
      d->stats.duplicates++;
      send_frame(d, e->type, BRIDGE_F_RESPONSE, f->seq, e->payload, e->len);
      return 1;
    }
  }
  return 0;
}

static void dispatch(bridge_device *d, const bridge_frame *f) {
  if (f->flags & BRIDGE_F_RESPONSE) return; /* the reference device sends no requests, so expects no responses */
  if (replay_duplicate(d, f)) return;
  switch (f->type) {
    case BRIDGE_HELLO: handle_hello(d, f); break;
    case BRIDGE_CAPS_QUERY: handle_caps(d, f); break;
    case BRIDGE_COMMAND: handle_command(d, f); break;
    case BRIDGE_PING: handle_ping(d, f); break;
    case BRIDGE_TIME_SYNC:
    case BRIDGE_SLEEP: handle_time_sleep(d, f); break;
    case BRIDGE_WAKE:
      respond_code(d, f, BRIDGE_ACK, BRIDGE_OK, NULL);
      wake(d);
      break;
    case BRIDGE_OTA_BEGIN:
    case BRIDGE_OTA_CHUNK:
    case BRIDGE_OTA_END:
    case BRIDGE_OTA_STATUS: bridge_device_handle_ota(d, f); break;
    case BRIDGE_RESET:
      respond_code(d, f, BRIDGE_ACK, BRIDGE_OK, NULL);
      if (d->cfg->on_reset) d->cfg->on_reset(d->cfg->user);
      break;
    default: respond_code(d, f, BRIDGE_ERROR, BRIDGE_E_UNSUPPORTED, "unsupported message type"); break;
  }
}

void bridge_device_feed(bridge_device *d, const uint8_t *data, size_t len, uint32_t now_ms) {
  size_t i;
  bridge_frame f;
  d->now_ms = now_ms;
  for (i = 0; i < len; i++) {
    if (!bridge_decoder_push(&d->dec, data[i], &f)) continue;
    d->stats.frames_rx++;
    if (d->cfg->on_frame && !d->cfg->on_frame(d->cfg->user, &f)) continue;
    dispatch(d, &f);
  }
}

void bridge_device_tick(bridge_device *d, uint32_t now_ms) {
  d->now_ms = now_ms;
  if (d->sleeping && (int32_t)(now_ms - d->sleep_until_ms) >= 0) {
    wake(d);
    send_frame(d, BRIDGE_WAKE, 0, d->seq++, NULL, 0);
  }
}

uint64_t bridge_device_unix_ms(const bridge_device *d) {
  return d->synced_unix_ms ? d->synced_unix_ms + (uint32_t)(d->now_ms - d->synced_at_ms) : 0;
}

bridge_tlv_writer *bridge_device_telemetry_begin(bridge_device *d) {
  uint64_t t = bridge_device_unix_ms(d);
  if (!d->connected || d->sleeping) return NULL;
  bridge_tlv_writer_init(&d->telemetry, d->payload, d->payload_bytes_max);
  if (t) bridge_tlv_put_u64(&d->telemetry, BRIDGE_T_TIME_MS, t);
  return &d->telemetry;
}

int bridge_device_telemetry_send(bridge_device *d) {
  if (!d->connected || d->sleeping || d->telemetry.overflow) return 0;
  send_frame(d, BRIDGE_TELEMETRY, 0, d->seq++, d->payload, d->telemetry.len);
  return 1;
}

int bridge_device_log(bridge_device *d, uint8_t level, const char *message) {
  bridge_tlv_writer w;
  if (!d->connected) return 0;
  bridge_tlv_writer_init(&w, d->payload, d->payload_bytes_max);
  bridge_tlv_put_u8(&w, BRIDGE_T_LEVEL, level);
  bridge_tlv_put_str(&w, BRIDGE_T_MESSAGE, message);
  send_frame(d, BRIDGE_LOG, 0, d->seq++, d->payload, w.len);
  return 1;
}
