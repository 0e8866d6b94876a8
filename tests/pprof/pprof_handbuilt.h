/* A hand-built profile.proto that uses every field of the schema, both encodings of repeated
 * fields and an unusual field order, with knobs that break it in one way each. Header-only,
 * shared by test_decode.c and test_encode.c. */
#ifndef GORCA_PPROF_HANDBUILT_H
#define GORCA_PPROF_HANDBUILT_H

#include "pprof_test_util.h"

/* Knobs that break the hand-built profile in one way each. */
struct knobs {
    int first_string;   /* string_table[0] is "x" */
    int no_strings;     /* no string table at all */
    int bad_str;        /* function name index 99 */
    int fn_id0;         /* function id 0 */
    int dup_loc;        /* two locations with id 2 */
    int missing_loc;    /* a sample refers to location 9 */
    int line_fid0;      /* a line without a function */
    int extra_value;    /* a sample with 3 values */
    int wrong_wt;       /* time_nanos as length-delimited */
    int group;          /* a group (wire type 3) at top level */
    int concat;         /* time_nanos twice */
    int missing_map;    /* location refers to mapping 7 */
    int field0;         /* key with field number 0 */
    int unknown_fields; /* unknown fields of every wire type (must be skipped) */
    int no_types;       /* samples without sample types */
};

static inline void build(struct pbw *w, const struct knobs *k)
{
    static const char *strs[] = { "",
                                  "samples",
                                  "count",
                                  "cpu",
                                  "nanoseconds",
                                  "main.f",
                                  "main.go",
                                  "main.g",
                                  "key",
                                  "val",
                                  "bytes",
                                  "/bin/app",
                                  "abc123",
                                  "https://example.com/doc",
                                  "main.g_sys" };
    struct pbw m;
    uint64_t ids[3];

    w->n = 0;
    if (k->unknown_fields) {
        w_int(w, 100, 7);
        w_key(w, 101, 1);
        memcpy(w->b + w->n, "12345678", 8);
        w->n += 8;
        w_bytes(w, 102, "xyz", 3);
        w_key(w, 103, 5);
        memcpy(w->b + w->n, "1234", 4);
        w->n += 4;
    }
    if (k->field0)
        w_int(w, 0, 1);
    if (k->group)
        w_key(w, 20, 3);
    /* Samples first (ids and strings are resolved later). Sample 0: unpacked ids and values,
     * a string label; sample 1: packed ids and values, a numeric label with a unit. */
    m.n = 0;
    w_int(&m, 1, 1);
    w_int(&m, 1, k->missing_loc ? 9 : 2);
    w_int(&m, 2, 1);
    w_int(&m, 2, 10);
    if (k->extra_value)
        w_int(&m, 2, 11);
    {
        struct pbw l = { .n = 0 };

        w_int(&l, 1, 8);
        w_int(&l, 2, 9);
        w_msg(&m, 3, &l);
    }
    w_msg(w, 2, &m);
    m.n = 0;
    ids[0] = 2;
    ids[1] = 1;
    ids[2] = 2;
    w_packed(&m, 1, ids, 3);
    ids[0] = 2;
    ids[1] = (uint64_t)-20; /* negative values are 10-byte varints */
    w_packed(&m, 2, ids, 2);
    {
        struct pbw l = { .n = 0 };

        w_int(&l, 1, 10);
        w_int(&l, 3, 4096);
        w_int(&l, 4, 10);
        w_msg(&m, 3, &l);
    }
    w_msg(w, 2, &m);
    if (!k->no_types) {
        m.n = 0;
        w_int(&m, 1, 1);
        w_int(&m, 2, 2);
        w_msg(w, 1, &m);
        m.n = 0;
        w_int(&m, 1, 3);
        w_int(&m, 2, 4);
        w_msg(w, 1, &m);
    }
    /* Location 1: two lines (main.f inlined into main.g); location 2: one line. */
    m.n = 0;
    w_int(&m, 1, 1);
    w_int(&m, 2, k->missing_map ? 7 : 1);
    w_int(&m, 3, 0x1000);
    {
        struct pbw l = { .n = 0 };

        w_int(&l, 1, k->line_fid0 ? 0 : 1);
        w_int(&l, 2, 12);
        w_int(&l, 3, 5);
        w_msg(&m, 4, &l);
        l.n = 0;
        w_int(&l, 1, 2);
        w_int(&l, 2, 20);
        w_msg(&m, 4, &l);
    }
    w_msg(w, 4, &m);
    m.n = 0;
    w_int(&m, 1, 2);
    w_int(&m, 3, 0x2000);
    w_int(&m, 5, 1);
    {
        struct pbw l = { .n = 0 };

        w_int(&l, 1, 2);
        w_int(&l, 2, 22);
        w_msg(&m, 4, &l);
    }
    w_msg(w, 4, &m);
    if (k->dup_loc)
        w_msg(w, 4, &m);
    m.n = 0;
    w_int(&m, 1, k->fn_id0 ? 0 : 1);
    w_int(&m, 2, k->bad_str ? 99 : 5);
    w_int(&m, 3, 5);
    w_int(&m, 4, 6);
    w_int(&m, 5, 10);
    w_msg(w, 5, &m);
    m.n = 0;
    w_int(&m, 1, 2);
    w_int(&m, 2, 7);
    w_int(&m, 3, 14);
    w_int(&m, 4, 6);
    w_int(&m, 5, 18);
    w_msg(w, 5, &m);
    m.n = 0;
    w_int(&m, 1, 1);
    w_int(&m, 2, 0x1000);
    w_int(&m, 3, 0x9000);
    w_int(&m, 5, 11);
    w_int(&m, 6, 12);
    w_int(&m, 7, 1);
    w_int(&m, 10, 1);
    w_msg(w, 3, &m);
    if (k->wrong_wt)
        w_bytes(w, 9, "x", 1);
    else
        w_int(w, 9, 1700000000123456789ULL);
    if (k->concat)
        w_int(w, 9, 1700000000000000000ULL);
    w_int(w, 10, 2500000000ULL);
    m.n = 0;
    w_int(&m, 1, 3);
    w_int(&m, 2, 4);
    w_msg(w, 11, &m);
    w_int(w, 12, 10000000);
    w_int(w, 13, 9);
    ids[0] = 8;
    ids[1] = 9;
    w_packed(w, 13, ids, 2);
    w_int(w, 14, 3);
    w_int(w, 15, 13);
    w_int(w, 7, 5);
    if (!k->no_strings) {
        for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
            w_str(w, i == 0 && k->first_string ? "x" : strs[i]);
    }
}

#endif
