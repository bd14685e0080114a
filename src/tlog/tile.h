/* tile.h — C2SP tlog-tiles coordinates: which tile a request path names.
 *
 * A tile of height 8 at level L, index N holds the hashes of tree nodes
 * (8·L, N·256 + i) for i < W (W = 256 for a full tile, 1..255 for a partial
 * one); the entry bundle at index N holds leaves N·256 + i. Paths, relative
 * to the log's prefix: tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>],
 * where N is written in groups of three digits, every group but the last
 * prefixed with "x" (1234067 → x001/x234/067). docs/protocol-tlog.md. */
#ifndef DISSENT_TLOG_TILE_H
#define DISSENT_TLOG_TILE_H

#include "base/compat.h"
#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

#define TLOG_TILE_HEIGHT 8
#define TLOG_TILE_WIDTH  256 /* 2^TLOG_TILE_HEIGHT */

/* Most path elements an index takes (indices below 2^54: 17 digits). */
#define TLOG_TILE_INDEX_SEGMENTS 6

struct tlog_tile {
    int entries;    /* 1 for an entry bundle, 0 for a hash tile */
    unsigned level; /* hash tiles: 0..6 (levels 0..48 of the tree) */
    uint64_t index; /* N */
    unsigned width; /* 1..256; 256 is a full tile */
};

/* Parses the path elements after "tile/": segs[0] is the level or
 * "entries", then the index elements, then optionally "<W>" after a last
 * index element ending in ".p". Refuses (ERR_NOT_FOUND: no such tile)
 * anything that is not the one canonical spelling: leading zeros, missing or
 * extra "x", a partial width outside 1..255, a level above 6. Returns 0 or
 * -1. */
int tlog_tile_parse(const char *const *segs, size_t n, struct tlog_tile *out, struct err *e) WUR;

/* Writes the canonical path of t ("tile/0/x001/234.p/7") into out (len
 * bytes, 64 are enough). Returns 0, or -1 if it does not fit. */
int tlog_tile_path(const struct tlog_tile *t, char *out, size_t len) WUR;

#endif
