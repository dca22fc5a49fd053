/* OTA receiver: BEGIN (size, CRC-32, version) opens or resumes a session, CHUNKs must arrive at the current
 * offset, END verifies the running CRC-32 against the announced one (PROTOCOL.md §7). A session survives HELLO (a
 * replugged cable) so the sender resumes where it stopped; RESET or a different image starts over. */
#include <string.h>

#include "bridge_device.h"

static void send_status(bridge_device *d, const bridge_frame *f, uint8_t code) {
  bridge_tlv_writer w;
  bridge_tlv_writer_init(&w, d->payload, d->payload_bytes_max);
  bridge_tlv_put_u8(&w, BRIDGE_T_OTA_STATE, d->ota.state);
  bridge_tlv_put_u32(&w, BRIDGE_T_OFFSET, d->ota.offset);
  bridge_tlv_put_u32(&w, BRIDGE_T_SIZE, d->ota.size);
  bridge_tlv_put_u32(&w, BRIDGE_T_CRC32, d->ota.crc_expected);
  bridge_tlv_put_u8(&w, BRIDGE_T_CODE, code);
  bridge_device_respond(d, f, BRIDGE_OTA_STATUS, d->payload, w.len);
}

static int get_u32(const bridge_frame *f, uint8_t tag, uint32_t *out) {
  const uint8_t *v;
  uint8_t n;
  uint64_t x;
  if (!bridge_tlv_find(f->payload, f->length, tag, &v, &n) || !bridge_tlv_uint(v, n, &x) || x > 0xffffffffu) return 0;
  *out = (uint32_t)x;
  return 1;
}

static void ota_begin(bridge_device *d, const bridge_frame *f) {
  uint32_t size, crc;
  uint8_t code;
  char version[BRIDGE_OTA_VERSION_BYTES];
  if (!get_u32(f, BRIDGE_T_SIZE, &size) || !get_u32(f, BRIDGE_T_CRC32, &crc) || size == 0) {
    send_status(d, f, BRIDGE_E_MALFORMED);
    return;
  }
  if (!bridge_tlv_find_str(f->payload, f->length, BRIDGE_T_IMAGE_VERSION, version, sizeof(version))) version[0] = 0;
  if ((d->ota.state == BRIDGE_OTA_RECEIVING || d->ota.state == BRIDGE_OTA_VERIFIED) && d->ota.size == size &&
      d->ota.crc_expected == crc) {
    send_status(d, f, BRIDGE_OK); /* resume: the status carries the offset reached */
    return;
  }
  code = d->cfg->ota_begin(d->cfg->user, size, version);
  memset(&d->ota, 0, sizeof(d->ota));
  if (code != BRIDGE_OK) {
    d->ota.state = BRIDGE_OTA_FAILED;
    send_status(d, f, code);
    return;
  }
  d->ota.state = BRIDGE_OTA_RECEIVING;
  d->ota.size = size;
  d->ota.crc_expected = crc;
  memcpy(d->ota.version, version, sizeof(version));
  send_status(d, f, BRIDGE_OK);
}

static void ota_chunk(bridge_device *d, const bridge_frame *f) {
  uint32_t offset;
  const uint8_t *data;
  uint8_t n = 0, code;
  if (!get_u32(f, BRIDGE_T_OFFSET, &offset) || !bridge_tlv_find(f->payload, f->length, BRIDGE_T_DATA, &data, &n)) {
    send_status(d, f, BRIDGE_E_MALFORMED);
    return;
  }
  if (d->ota.state != BRIDGE_OTA_RECEIVING) {
    send_status(d, f, BRIDGE_E_BAD_STATE);
    return;
  }
  if (offset < d->ota.offset && (uint64_t)offset + n <= d->ota.offset) {
    send_status(d, f, BRIDGE_OK); /* a chunk already stored (its status was lost): harmless */
    return;
  }
  if (offset != d->ota.offset) {
    send_status(d, f, BRIDGE_E_BAD_OFFSET); /* the status tells the sender where to continue */
    return;
  }
  if ((uint64_t)offset + n > d->ota.size) {
    send_status(d, f, BRIDGE_E_TOO_LARGE);
    return;
  }
  code = d->cfg->ota_write(d->cfg->user, offset, data, n);
  if (code == BRIDGE_OK) {
    d->ota.crc_running = bridge_crc32(d->ota.crc_running, data, n);
    d->ota.offset += n;
  }
  send_status(d, f, code);
}

static void ota_end(bridge_device *d, const bridge_frame *f) {
  if (d->ota.state == BRIDGE_OTA_VERIFIED) {
    send_status(d, f, BRIDGE_OK); /* END retransmitted after its status was lost */
    return;
  }
  if (d->ota.state != BRIDGE_OTA_RECEIVING) {
    send_status(d, f, BRIDGE_E_BAD_STATE);
    return;
  }
  if (d->ota.offset != d->ota.size) {
    send_status(d, f, BRIDGE_E_BAD_OFFSET);
    return;
  }
  if (d->ota.crc_running != d->ota.crc_expected) {
    d->ota.state = BRIDGE_OTA_FAILED;
    d->cfg->ota_finish(d->cfg->user, 0);
    send_status(d, f, BRIDGE_E_CRC_MISMATCH);
    return;
  }
  d->ota.state = BRIDGE_OTA_VERIFIED;
  send_status(d, f, d->cfg->ota_finish(d->cfg->user, 1));
}

void bridge_device_handle_ota(bridge_device *d, const bridge_frame *f) {
  if (!d->cfg->ota_begin || !d->cfg->ota_write || !d->cfg->ota_finish) {
    send_status(d, f, BRIDGE_E_UNSUPPORTED);
    return;
  }
  if (bridge_tlv_count(f->payload, f->length) < 0) {
    send_status(d, f, BRIDGE_E_MALFORMED);
    return;
  }
  switch (f->type) {
    case BRIDGE_OTA_BEGIN: ota_begin(d, f); break;
    case BRIDGE_OTA_CHUNK: ota_chunk(d, f); break;
    case BRIDGE_OTA_END: ota_end(d, f); break;
    default: send_status(d, f, BRIDGE_OK); break; /* OTA_STATUS query */
  }
}
