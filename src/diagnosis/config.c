/* Configuration of the rules: the defaults (from the seed where it gives a number, chosen and
 * documented in docs/commands/analyze.md otherwise) and the JSON config file that overrides
 * them (parsed with jansson). The key table below is the single list of thresholds: name,
 * unit, where it lives in struct gorca_diag_config, valid range. */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include "diag_int.h"
#include "gorca/io.h"

void gorca_diag_config_init(struct gorca_diag_config *c)
{
    memset(c, 0, sizeof(*c));
    c->share_low = 0.03;
    c->share_medium = 0.10;
    c->share_high = 0.25;
    c->share_critical = 0.50;
    c->added_low_ns = 500000;         /* 0.5 ms */
    c->added_medium_ns = 2000000;     /* 2 ms */
    c->added_high_ns = 20000000;      /* 20 ms: the seed's healthy P95 */
    c->added_critical_ns = 100000000; /* 100 ms: the seed's slow-goroutine mark */
    c->min_events = 3;
    c->slow_tail_ns = 20000000; /* seed: healthy P95 20 ms before the spike */
    c->min_dump_requests = 3;
    c->dns_slow_ns = 200000000;     /* seed: resolver syscalls > 200 ms */
    c->netpoll_share = 0.40;        /* seed: netpollblock > 40 % */
    c->stw_pause_ns = 10000000;     /* seed: GC pause > 10 ms */
    c->slow_request_ns = 100000000; /* seed: goroutines > 100 ms */
    c->sched_saturated = 0.50;
    c->sched_latency_ns = 10000000;
    c->leak_growth = 0.10;
    c->leak_min_goroutines = 5;
    c->tls_cpu_share = 0.30;
    c->gc_cpu_share = 0.25; /* the GC's own CPU target */
    c->event_wait_share = 0.60;
    gorca_limits_default(&c->limits);
}

enum unit { U_RATIO, U_MS, U_COUNT };

static const struct key {
    const char *name;
    enum unit unit;
    size_t off;
    int is_int; /* int64_t (ms -> ns) / uint64_t (count) field, else double */
    double lo, hi;
} keys[] = {
    { "share_low", U_RATIO, offsetof(struct gorca_diag_config, share_low), 0, 0, 1 },
    { "share_medium", U_RATIO, offsetof(struct gorca_diag_config, share_medium), 0, 0, 1 },
    { "share_high", U_RATIO, offsetof(struct gorca_diag_config, share_high), 0, 0, 1 },
    { "share_critical", U_RATIO, offsetof(struct gorca_diag_config, share_critical), 0, 0, 1 },
    { "added_low_ms", U_MS, offsetof(struct gorca_diag_config, added_low_ns), 1, 0, 3.6e6 },
    { "added_medium_ms", U_MS, offsetof(struct gorca_diag_config, added_medium_ns), 1, 0, 3.6e6 },
    { "added_high_ms", U_MS, offsetof(struct gorca_diag_config, added_high_ns), 1, 0, 3.6e6 },
    { "added_critical_ms", U_MS, offsetof(struct gorca_diag_config, added_critical_ns), 1, 0,
      3.6e6 },
    { "min_events", U_COUNT, offsetof(struct gorca_diag_config, min_events), 1, 0, 1e9 },
    { "slow_tail_ms", U_MS, offsetof(struct gorca_diag_config, slow_tail_ns), 1, 0, 3.6e6 },
    { "min_dump_requests", U_RATIO, offsetof(struct gorca_diag_config, min_dump_requests), 0, 0,
      1e9 },
    { "dns_slow_ms", U_MS, offsetof(struct gorca_diag_config, dns_slow_ns), 1, 0, 3.6e6 },
    { "netpoll_share", U_RATIO, offsetof(struct gorca_diag_config, netpoll_share), 0, 0, 1 },
    { "stw_pause_ms", U_MS, offsetof(struct gorca_diag_config, stw_pause_ns), 1, 0, 3.6e6 },
    { "slow_request_ms", U_MS, offsetof(struct gorca_diag_config, slow_request_ns), 1, 0, 3.6e6 },
    { "sched_saturated", U_RATIO, offsetof(struct gorca_diag_config, sched_saturated), 0, 0, 1 },
    { "sched_latency_ms", U_MS, offsetof(struct gorca_diag_config, sched_latency_ns), 1, 0, 3.6e6 },
    { "leak_growth", U_RATIO, offsetof(struct gorca_diag_config, leak_growth), 0, 0, 1e6 },
    { "leak_min_goroutines", U_COUNT, offsetof(struct gorca_diag_config, leak_min_goroutines), 1, 0,
      1e12 },
    { "tls_cpu_share", U_RATIO, offsetof(struct gorca_diag_config, tls_cpu_share), 0, 0, 1 },
    { "gc_cpu_share", U_RATIO, offsetof(struct gorca_diag_config, gc_cpu_share), 0, 0, 1 },
    { "event_wait_share", U_RATIO, offsetof(struct gorca_diag_config, event_wait_share), 0, 0, 1 },
};

static void set_key(struct gorca_diag_config *c, const struct key *k, double v)
{
    char *p = (char *)c + k->off;

    if (!k->is_int)
        *(double *)(void *)p = v;
    else if (k->unit == U_MS)
        *(int64_t *)(void *)p = (int64_t)llround(v * 1e6);
    else
        *(uint64_t *)(void *)p = (uint64_t)llround(v);
}

static enum gorca_status thresholds(struct gorca_diag_config *c, json_t *obj,
                                    struct gorca_error *err)
{
    const char *name;
    json_t *val;

    if (!json_is_object(obj))
        return GORCA_FAIL(err, GORCA_E_ARG, -1, "thresholds", "expected an object");
    json_object_foreach(obj, name, val)
    {
        size_t i;
        double v;

        for (i = 0; i < BASE_ARRAY_LEN(keys); i++)
            if (strcmp(keys[i].name, name) == 0)
                break;
        if (i == BASE_ARRAY_LEN(keys))
            return GORCA_FAIL(err, GORCA_E_ARG, -1, "thresholds", "unknown key \"%s\"", name);
        if (!json_is_number(val))
            return GORCA_FAIL(err, GORCA_E_ARG, -1, "thresholds", "\"%s\": expected a number",
                              name);
        v = json_number_value(val);
        if (!(v >= keys[i].lo && v <= keys[i].hi))
            return GORCA_FAIL(err, GORCA_E_ARG, -1, "thresholds",
                              "\"%s\": %g is out of range [%g, %g]", name, v, keys[i].lo,
                              keys[i].hi);
        set_key(c, &keys[i], v);
    }
    return GORCA_OK;
}

static enum gorca_status disable(struct gorca_diag_config *c, json_t *arr, struct gorca_error *err)
{
    size_t i;
    json_t *val;

    if (!json_is_array(arr))
        return GORCA_FAIL(err, GORCA_E_ARG, -1, "disable", "expected an array of cause ids");
    json_array_foreach(arr, i, val)
    {
        int cause = json_is_string(val) ? gorca_cause_from_id(json_string_value(val)) : -1;
        if (cause < 0)
            return GORCA_FAIL(err, GORCA_E_ARG, -1, "disable", "item %zu: not a cause id", i);
        c->disabled |= 1u << cause;
    }
    return GORCA_OK;
}

enum gorca_status gorca_diag_config_parse(struct gorca_diag_config *c, const char *json, size_t len,
                                          const char *source, struct gorca_error *err)
{
    struct gorca_diag_config tmp = *c;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *name;
    json_t *val;
    enum gorca_status st = GORCA_OK;

    if (err->source == NULL)
        err->source = source;
    if (root == NULL)
        return GORCA_FAIL(err, GORCA_E_ARG, jerr.position, NULL, "line %d: %s", jerr.line,
                          jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return GORCA_FAIL(err, GORCA_E_ARG, -1, NULL, "expected a JSON object");
    }
    json_object_foreach(root, name, val)
    {
        if (strcmp(name, "thresholds") == 0)
            st = thresholds(&tmp, val, err);
        else if (strcmp(name, "disable") == 0)
            st = disable(&tmp, val, err);
        else if (strcmp(name, "schema") != 0)
            st = GORCA_FAIL(err, GORCA_E_ARG, -1, NULL, "unknown key \"%s\"", name);
        if (st != GORCA_OK)
            break;
    }
    json_decref(root);
    if (st == GORCA_OK &&
        !(tmp.share_low <= tmp.share_medium && tmp.share_medium <= tmp.share_high &&
          tmp.share_high <= tmp.share_critical))
        st = GORCA_FAIL(err, GORCA_E_ARG, -1, "thresholds",
                        "share_low <= share_medium <= share_high <= share_critical must hold");
    if (st == GORCA_OK)
        *c = tmp;
    return st;
}

enum gorca_status gorca_diag_config_load(struct gorca_diag_config *c, const char *path,
                                         struct gorca_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    enum gorca_status st;

    if (err->source == NULL)
        err->source = path;
    st = gorca_read_file(path, 1 << 20, &data, &len, err);
    if (st != GORCA_OK)
        return st;
    st = gorca_diag_config_parse(c, (const char *)data, len, path, err);
    base_free(data);
    return st;
}
