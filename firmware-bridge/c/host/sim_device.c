/* Host build of a simulated device: speaks the bridge protocol on a serial device or PTY given by path. When the
 * path disappears (cable unplugged, socat killed) it keeps its state and reopens the path when it comes back.
 * usage: sim_device --port PATH [--telemetry-ms N] [--drop-rx N [--drop-rx-type T]] [--drop-tx N] [--drop-reply N]
 *                   [--payload-max N] [--ota-out FILE] [--ota-max BYTES] [--uid ID] [--name NAME]
 * Line loss, each once: --drop-rx N loses the N-th received frame (with --drop-rx-type T, the N-th of message type T,
 * decimal, so handshake retries do not shift it); --drop-tx N the N-th sent frame; --drop-reply N the ACK/NACK of
 * the N-th command executed. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "board.h"

#define OTA_BYTES_MAX (1024u * 1024u)

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

typedef struct {
  const char *port, *ota_out, *uid, *name;
  unsigned telemetry_ms, drop_rx, drop_tx, payload_max, ota_max;
  int drop_rx_type; /* -1: count every type */
  unsigned drop_reply;
} options;

typedef struct {
  options opt;
  int fd;
  board_state board;
  unsigned rx_count, tx_count, dropped;
  int relay_logged; /* relay state last reported in a LOG frame */
  unsigned commands;
  int drop_next_write;
  uint8_t *ota_image;
  bridge_device dev;
  bridge_device_config cfg;
} sim;

static uint32_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static void sim_write(void *user, const uint8_t *data, size_t len) {
  sim *s = user;
  size_t off = 0;
  s->tx_count++;
  if ((s->opt.drop_tx && s->tx_count == s->opt.drop_tx) || s->drop_next_write) { /* a frame lost on the line */
    s->drop_next_write = 0;
    s->dropped++;
    fprintf(stderr, "sim: dropped outgoing frame %u\n", s->tx_count);
    return;
  }
  while (off < len && s->fd >= 0) {
    ssize_t n = write(s->fd, data + off, len - off);
    if (n > 0) {
      off += (size_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      struct pollfd p = {s->fd, POLLOUT, 0};
      if (poll(&p, 1, 1000) <= 0) return; /* the host stopped reading: the frame is lost, as on a real line */
    } else {
      return;
    }
  }
}

static int sim_on_frame(void *user, const bridge_frame *f) {
  sim *s = user;
  (void)f;
  if (s->opt.drop_rx_type < 0 || f->type == s->opt.drop_rx_type) s->rx_count++;
  if (s->opt.drop_rx && s->rx_count == s->opt.drop_rx) {
    s->rx_count++; /* once */
    s->dropped++;
    fprintf(stderr, "sim: dropped incoming frame (type 0x%02x seq %u)\n", f->type, f->seq);
    return 0;
  }
  return 1;
}

static uint8_t sim_command(void *user, const char *name, const uint8_t *p, uint16_t len, bridge_tlv_writer *out) {
  sim *s = user;
  /* the device writes this command's ACK/NACK right after the handler returns: that write is the one to lose */
  if (++s->commands == s->opt.drop_reply) s->drop_next_write = 1;
  return board_command(&s->board, name, p, len, out);
}

/* LOG frames go out from the main loop, never from inside a command handler: the handler's result writer uses
 * the device's payload buffer. */
static void log_changes(sim *s) {
  if (s->board.relay_on == s->relay_logged) return;
  if (bridge_device_log(&s->dev, BRIDGE_LOG_INFO, s->board.relay_on ? "relay on" : "relay off")) {
    s->relay_logged = s->board.relay_on;
  }
}

static uint8_t sim_ota_begin(void *user, uint32_t size, const char *version) {
  sim *s = user;
  fprintf(stderr, "sim: OTA begin %u bytes version %s\n", (unsigned)size, version);
  return size > s->opt.ota_max ? BRIDGE_E_TOO_LARGE : BRIDGE_OK;
}

static uint8_t sim_ota_write(void *user, uint32_t offset, const uint8_t *data, uint8_t len) {
  memcpy(((sim *)user)->ota_image + offset, data, len);
  return BRIDGE_OK;
}

static uint8_t sim_ota_finish(void *user, int verified) {
  sim *s = user;
  FILE *f;
  if (!verified || !s->opt.ota_out) return BRIDGE_OK;
  f = fopen(s->opt.ota_out, "wb");
  if (!f) return BRIDGE_E_FAILED;
  fwrite(s->ota_image, 1, s->dev.ota.size, f);
  fclose(f);
  fprintf(stderr, "sim: OTA image verified, written to %s\n", s->opt.ota_out);
  return BRIDGE_OK;
}

static void sim_reset(void *user) {
  sim *s = user;
  memset(&s->board, 0, sizeof(s->board));
  s->relay_logged = 0;
  bridge_device_init(&s->dev, &s->cfg);
}

static int open_port(const char *path) {
  struct termios t;
  int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return -1;
  if (tcgetattr(fd, &t) == 0) { /* raw mode: no echo, no line discipline, 8N1 */
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    tcsetattr(fd, TCSANOW, &t);
  }
  return fd;
}

static void parse_args(int argc, char **argv, options *o) {
  int i;
  memset(o, 0, sizeof(*o));
  o->telemetry_ms = 200;
  o->drop_rx_type = -1;
  o->ota_max = OTA_BYTES_MAX;
  o->uid = "sim-0001";
  o->name = "agentos-sim-board";
  for (i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (strcmp(k, "--port") == 0) o->port = v;
    else if (strcmp(k, "--telemetry-ms") == 0) o->telemetry_ms = (unsigned)atoi(v);
    else if (strcmp(k, "--drop-rx") == 0) o->drop_rx = (unsigned)atoi(v);
    else if (strcmp(k, "--drop-tx") == 0) o->drop_tx = (unsigned)atoi(v);
    else if (strcmp(k, "--drop-rx-type") == 0) o->drop_rx_type = atoi(v);
    else if (strcmp(k, "--drop-reply") == 0) o->drop_reply = (unsigned)atoi(v);
    else if (strcmp(k, "--payload-max") == 0) o->payload_max = (unsigned)atoi(v);
    else if (strcmp(k, "--ota-out") == 0) o->ota_out = v;
    else if (strcmp(k, "--ota-max") == 0) o->ota_max = (unsigned)atoi(v);
    else if (strcmp(k, "--uid") == 0) o->uid = v;
    else if (strcmp(k, "--name") == 0) o->name = v;
    else {
      fprintf(stderr, "sim_device: unknown option %s\n", k);
      exit(2);
    }
  }
  if (!o->port) {
    fprintf(stderr, "usage: sim_device --port PATH [--telemetry-ms N] [--drop-rx N] [--drop-tx N] ...\n");
    exit(2);
  }
  if (o->ota_max > OTA_BYTES_MAX) o->ota_max = OTA_BYTES_MAX;
}

static void configure(sim *s) {
  bridge_device_config *c = &s->cfg;
  memset(c, 0, sizeof(*c));
  c->name = s->opt.name;
  c->fw_version = "1.2.0";
  c->uid = s->opt.uid;
  c->capabilities = board_capabilities;
  c->capability_count = board_capability_count;
  c->props = board_props;
  c->prop_count = board_prop_count;
  c->cmds = board_cmds;
  c->cmd_count = board_cmd_count;
  c->payload_bytes_max = (uint16_t)s->opt.payload_max;
  c->user = s;
  c->write = sim_write;
  c->on_command = sim_command;
  c->ota_begin = sim_ota_begin;
  c->ota_write = sim_ota_write;
  c->ota_finish = sim_ota_finish;
  c->on_reset = sim_reset;
  c->on_frame = sim_on_frame;
  bridge_device_init(&s->dev, c);
}

/* One TELEMETRY frame with every field; when the negotiated payload is too small for that, one frame per field
 * (telemetry is a partial update, the gateway merges it). */
static void send_telemetry(sim *s) {
  int i;
  bridge_tlv_writer *w = bridge_device_telemetry_begin(&s->dev);
  if (!w) return;
  for (i = 0; board_telemetry_field(&s->board, w, i); i++) continue;
  if (bridge_device_telemetry_send(&s->dev)) return;
  for (i = 0;; i++) {
    w = bridge_device_telemetry_begin(&s->dev);
    if (!w || !board_telemetry_field(&s->board, w, i)) return;
    bridge_device_telemetry_send(&s->dev);
  }
}

/* Serves one open port until it closes; returns 0 on a lost port, 1 on a stop request. */
static int serve(sim *s) {
  uint8_t buf[256];
  uint32_t next_telemetry = now_ms();
  while (!stop_requested) {
    struct pollfd p = {s->fd, POLLIN, 0};
    int r = poll(&p, 1, 10);
    uint32_t t = now_ms();
    if (r > 0 && (p.revents & POLLIN)) {
      ssize_t n = read(s->fd, buf, sizeof(buf));
      if (n > 0) bridge_device_feed(&s->dev, buf, (size_t)n, t);
      else if (n == 0 || (errno != EAGAIN && errno != EINTR)) return 0;
    } else if (r > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
      return 0;
    }
    bridge_device_tick(&s->dev, t);
    board_step(&s->board, t);
    log_changes(s);
    if (s->opt.telemetry_ms && (int32_t)(t - next_telemetry) >= 0) {
      next_telemetry = t + s->opt.telemetry_ms;
      send_telemetry(s);
    }
  }
  return 1;
}

int main(int argc, char **argv) {
  static sim s;
  static uint8_t image[OTA_BYTES_MAX];
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  parse_args(argc, argv, &s.opt);
  s.ota_image = image;
  configure(&s);
  fprintf(stderr, "sim: serving %s\n", s.opt.port);
  while (!stop_requested) {
    s.fd = open_port(s.opt.port);
    if (s.fd < 0) { /* unplugged: poll for the path, keep all state */
      struct timespec ts = {0, 50 * 1000000L};
      nanosleep(&ts, NULL);
      continue;
    }
    fprintf(stderr, "sim: port open\n");
    if (serve(&s)) break;
    close(s.fd);
    s.fd = -1;
    fprintf(stderr, "sim: port lost, waiting for it to come back\n");
  }
  if (s.fd >= 0) close(s.fd);
  fprintf(stderr, "sim: stats rx=%u tx=%u duplicates=%u commands=%u dropped=%u\n", (unsigned)s.dev.stats.frames_rx,
          (unsigned)s.dev.stats.frames_tx, (unsigned)s.dev.stats.duplicates, (unsigned)s.dev.stats.commands_run,
          s.dropped);
  return 0;
}
