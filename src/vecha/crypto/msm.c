/* Multi-scalar multiplication over ristretto255: sum of s_i * P_i for many points at once,
 * by Pippenger's bucket method, over libdecaf's own point operations (addition and doubling,
 * complete formulas). Nothing below the group operations is written here: this file only
 * orders additions.
 *
 * For a window of c bits, each point goes into the bucket of its scalar's digit in that
 * window (one addition), and the buckets are summed as sum_j j * B_j with two running sums
 * (two additions per bucket). With w = ceil(256 / c) windows that is w * (n + 2^(c+1))
 * additions and 256 doublings in all, against about 256 doublings and additions per point
 * for one multiplication at a time: the cost per point falls as n grows.
 *
 * Variable time: for public values only (verification). Every 32-byte scalar is taken as
 * the integer it encodes (little-endian), all 256 bits, so the result is right for
 * unreduced inputs too (the group has prime order). Zero scalars, repeated points and the
 * identity need no special case: the formulas are complete, and an empty bucket is skipped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <decaf/point_255.h>

#define SCALAR_BITS 256
#define MAX_WINDOW 16

typedef struct decaf_255_point_s point;

/* Digit `index` (c bits from bit index * c) of a 32-byte little-endian scalar. */
static unsigned digit(const uint8_t *s, unsigned index, unsigned c) {
    unsigned bit = index * c, byte = bit >> 3, shift = bit & 7;
    uint32_t v = 0;
    for (unsigned k = 0; k < 4 && byte + k < 32; k++) v |= (uint32_t)s[byte + k] << (8 * k);
    return (v >> shift) & ((1u << c) - 1);
}

/* The window that costs fewest additions for n points (bounded: 2^16 buckets of 256 bytes). */
static unsigned window_for(size_t n) {
    unsigned best = 1;
    double best_cost = -1;
    for (unsigned c = 1; c <= MAX_WINDOW; c++) {
        double windows = (SCALAR_BITS + c - 1) / c;
        double cost = windows * ((double)n + (double)(2u << c));
        if (best_cost < 0 || cost < best_cost) best = c, best_cost = cost;
    }
    return best;
}

/* a += b, through a scratch point (no call writes a point it also reads). */
static void add_into(point *a, const point *b, point *scratch) {
    decaf_255_point_add(scratch, a, b);
    memcpy(a, scratch, sizeof(point));
}

/* out = sum of scalars[32 i .. 32 i + 31] * points[i] for i < n. `points` holds the addresses
 * of libdecaf point structures (32-byte aligned). Returns 0, or -1 if memory ran out (out is
 * then left alone). */
int vecha_msm(uintptr_t out, const uintptr_t *points, const uint8_t *scalars, size_t n) {
    unsigned c = window_for(n);
    size_t buckets = ((size_t)1 << c) - 1;
    point *bucket = NULL;
    unsigned char *filled = calloc(buckets, 1);
    if (filled == NULL || posix_memalign((void **)&bucket, 32, buckets * sizeof(point)) != 0) {
        free(filled);
        return -1;
    }
    point acc[1], running[1], window_sum[1], scratch[1];
    memcpy(acc, decaf_255_point_identity, sizeof(point));
    int started = 0; /* acc is still the identity: no point in doubling it */
    for (unsigned w = (SCALAR_BITS + c - 1) / c; w-- > 0;) {
        if (started) {
            for (unsigned k = 0; k < c; k++) {
                decaf_255_point_double(scratch, acc);
                memcpy(acc, scratch, sizeof(point));
            }
        }
        memset(filled, 0, buckets);
        for (size_t i = 0; i < n; i++) {
            unsigned d = digit(scalars + 32 * i, w, c);
            if (d == 0) continue;
            const point *p = (const point *)points[i];
            if (filled[d - 1]) {
                add_into(&bucket[d - 1], p, scratch);
            } else {
                memcpy(&bucket[d - 1], p, sizeof(point));
                filled[d - 1] = 1;
            }
        }
        /* sum_j j * B_j = B_top + (B_top + B_top-1) + ...: a running sum of the buckets from
         * the top, added up again */
        int any = 0;
        for (size_t j = buckets; j-- > 0;) {
            if (filled[j]) {
                if (any) {
                    add_into(running, &bucket[j], scratch);
                } else {
                    memcpy(running, &bucket[j], sizeof(point));
                    memcpy(window_sum, decaf_255_point_identity, sizeof(point));
                    any = 1;
                }
            }
            if (any) add_into(window_sum, running, scratch);
        }
        if (any) {
            add_into(acc, window_sum, scratch);
            started = 1;
        }
    }
    memcpy((point *)out, acc, sizeof(point));
    free(bucket);
    free(filled);
    return 0;
}

/* Decode n canonical 32-byte encodings (identity allowed) into out[0..n-1], consecutive
 * libdecaf point structures (32-byte aligned): one call for a ballot's points instead of one
 * each. Returns -1 if all are valid, else the index of the first that is not (out is then
 * partly written, and must not be used). */
long vecha_decode_many(uintptr_t out, const uint8_t *encodings, size_t n) {
    point *points = (point *)out;
    for (size_t i = 0; i < n; i++) {
        if (decaf_255_point_decode(&points[i], encodings + 32 * i, DECAF_TRUE) != DECAF_SUCCESS) return (long)i;
    }
    return -1;
}

/* out = the sum of the n points at these addresses (the identity for none): the sum of a
 * question's ciphertexts for its overall proof, and of a chunk's ciphertexts option by
 * option for the tally, without a call from Python per addition. */
void vecha_sum(uintptr_t out, const uintptr_t *points, size_t n) {
    point acc[1], scratch[1];
    memcpy(acc, decaf_255_point_identity, sizeof(point));
    for (size_t i = 0; i < n; i++) add_into(acc, (const point *)points[i], scratch);
    memcpy((point *)out, acc, sizeof(point));
}

/* sizeof of libdecaf's point structure, for the caller's arrays of them. */
size_t vecha_point_size(void) { return sizeof(point); }
