/* A tiny reader for test-vectors.json: a top-level object whose arrays hold flat records of strings and numbers
 * (nested values are skipped). Enough for the vector runner; not a general JSON parser. */
#ifndef JSON_LITE_H
#define JSON_LITE_H
#include <stddef.h>

#define JSON_LITE_KEYS_MAX 16

typedef struct {
  const char *key;
  size_t key_len;
  const char *str; /* NULL for a number */
  size_t str_len;
  double num;
} json_lite_pair;

typedef struct {
  json_lite_pair pairs[JSON_LITE_KEYS_MAX];
  int count;
} json_lite_record;

/* Calls on_record(section, record, ctx) for every object in every top-level array. Returns 0, or -1 on bad JSON. */
int json_lite_walk(const char *text, size_t len,
                   void (*on_record)(const char *section, size_t section_len, const json_lite_record *r, void *ctx),
                   void *ctx);
const json_lite_pair *json_lite_get(const json_lite_record *r, const char *key);
#endif
