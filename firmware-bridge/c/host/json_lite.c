#include "json_lite.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *s;
  size_t len, pos;
} cursor;

static void ws(cursor *c) {
  while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\n' || c->s[c->pos] == '\r' || c->s[c->pos] == '\t')) c->pos++;
}

static int peek(cursor *c) {
  ws(c);
  return c->pos < c->len ? c->s[c->pos] : -1;
}

/* Strings in the vector file hold no escapes except \" and \\, which are skipped over, not unescaped. */
static int string(cursor *c, const char **out, size_t *n) {
  size_t start;
  if (peek(c) != '"') return -1;
  start = ++c->pos;
  while (c->pos < c->len && c->s[c->pos] != '"') c->pos += c->s[c->pos] == '\\' ? 2 : 1;
  if (c->pos >= c->len) return -1;
  *out = c->s + start;
  *n = c->pos - start;
  c->pos++;
  return 0;
}

static int skip_value(cursor *c, int depth) {
  int ch = peek(c);
  const char *s;
  size_t n;
  if (depth > 32) return -1;
  if (ch == '"') return string(c, &s, &n);
  if (ch == '{' || ch == '[') {
    int is_obj = ch == '{';
    int close = is_obj ? '}' : ']';
    c->pos++;
    if (peek(c) == close) {
      c->pos++;
      return 0;
    }
    for (;;) {
      if (is_obj) {
        if (string(c, &s, &n) < 0 || peek(c) != ':') return -1;
        c->pos++;
      }
      if (skip_value(c, depth + 1) < 0) return -1;
      ch = peek(c);
      c->pos++;
      if (ch == close) return 0;
      if (ch != ',') return -1;
    }
  }
  while (c->pos < c->len && strchr(",}] \n\r\t", c->s[c->pos]) == NULL) c->pos++;
  return 0;
}

static int record(cursor *c, json_lite_record *r) {
  r->count = 0;
  c->pos++; /* '{' */
  if (peek(c) == '}') {
    c->pos++;
    return 0;
  }
  for (;;) {
    json_lite_pair p;
    int ch;
    memset(&p, 0, sizeof(p));
    if (string(c, &p.key, &p.key_len) < 0 || peek(c) != ':') return -1;
    c->pos++;
    ch = peek(c);
    if (ch == '"') {
      if (string(c, &p.str, &p.str_len) < 0) return -1;
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
      char *end;
      p.num = strtod(c->s + c->pos, &end);
      c->pos = (size_t)(end - c->s);
    } else if (skip_value(c, 1) < 0) {
      return -1;
    } else {
      p.key = NULL;
    }
    if (p.key && r->count < JSON_LITE_KEYS_MAX) r->pairs[r->count++] = p;
    ch = peek(c);
    c->pos++;
    if (ch == '}') return 0;
    if (ch != ',') return -1;
  }
}

int json_lite_walk(const char *text, size_t len,
                   void (*on_record)(const char *section, size_t section_len, const json_lite_record *r, void *ctx),
                   void *ctx) {
  cursor c = {text, len, 0};
  json_lite_record r;
  if (peek(&c) != '{') return -1;
  c.pos++;
  for (;;) {
    const char *key;
    size_t key_len;
    int ch;
    if (string(&c, &key, &key_len) < 0 || peek(&c) != ':') return -1;
    c.pos++;
    if (peek(&c) == '[') {
      c.pos++;
      while (peek(&c) != ']') {
        if (peek(&c) == '{') {
          if (record(&c, &r) < 0) return -1;
          on_record(key, key_len, &r, ctx);
        } else if (skip_value(&c, 1) < 0) {
          return -1;
        }
        if (peek(&c) == ',') c.pos++;
      }
      c.pos++;
    } else if (skip_value(&c, 0) < 0) {
      return -1;
    }
    ch = peek(&c);
    c.pos++;
    if (ch == '}') return 0;
    if (ch != ',') return -1;
  }
}

const json_lite_pair *json_lite_get(const json_lite_record *r, const char *key) {
  int i;
  size_t n = strlen(key);
  for (i = 0; i < r->count; i++) {
    if (r->pairs[i].key_len == n && memcmp(r->pairs[i].key, key, n) == 0) return &r->pairs[i];
  }
  return NULL;
}
