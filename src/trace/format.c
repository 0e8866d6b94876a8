/* Text forms of ordered events: the exact text of Go 1.26's trace.Event.String(), which is
 * what `go tool trace -d=parsed` prints (one event, stack lines included, no final newline),
 * so gorca's stream can be compared with Go's reader line by line. */
#include <stdio.h>
#include "trace_int.h"
#include "gorca/buf.h"

/* Appends s[0..n) as Go's strconv.Quote would (%q). */
static void go_quote(struct gorca_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;

    gorca_buf_putc(b, '"');
    while (p < e) {
        unsigned c = *p;
        uint32_t r;
        size_t len, i;

        if (c < 0x80) {
            p++;
            if (c == '"' || c == '\\') {
                gorca_buf_putc(b, '\\');
                gorca_buf_putc(b, (char)c);
            } else if (c >= 0x20 && c < 0x7f) {
                gorca_buf_putc(b, (char)c);
            } else {
                static const char esc[] = "abtnvfr";

                if (c >= 7 && c <= 13)
                    gorca_buf_printf(b, "\\%c", esc[c - 7]);
                else
                    gorca_buf_printf(b, "\\x%02x", c);
            }
            continue;
        }
        len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
        r = len == 4 ? c & 7 : len == 3 ? c & 15 : c & 31;
        for (i = 1; i < len && p + i < e && (p[i] & 0xc0) == 0x80; i++)
            r = r << 6 | (p[i] & 0x3f);
        if (len == 0 || i < len || c > 0xf4 || (len == 2 && r < 0x80) ||
            (len == 3 && (r < 0x800 || (r >= 0xd800 && r < 0xe000))) ||
            (len == 4 && (r < 0x10000 || r > 0x10ffff))) {
            gorca_buf_printf(b, "\\x%02x", c);
            p++;
            continue;
        }
        if (r < 0xa0 || r == 0xad || r == 0x2028 || r == 0x2029 || r == 0xfeff)
            gorca_buf_printf(b, r < 0x10000 ? "\\u%04x" : "\\U%08x", r);
        else
            gorca_buf_append(b, p, len);
        p += len;
    }
    gorca_buf_putc(b, '"');
}

static void go_qstr(struct gorca_buf *b, const char *s)
{
    go_quote(b, s, strlen(s));
}

static void print_stack(struct gorca_buf *b, const struct gorca_trace *tr, uint32_t stack)
{
    size_t n, i;
    const uint32_t *f = gorca_trace_stack_frames(tr, stack, &n);

    for (i = 0; i < n; i++) {
        const struct gorca_trace_frame *fr = gorca_trace_frame(tr, f[i]);

        gorca_buf_printf(b, "\t%s @ 0x%llx\n\t\t%s:%llu\n", fr->func, (unsigned long long)fr->pc,
                         fr->file, (unsigned long long)fr->line);
    }
}

/* Unix time as RFC 3339 in UTC with trailing zeros of the fraction trimmed (Go's
 * time.RFC3339Nano). */
static void rfc3339(struct gorca_buf *b, int64_t sec, int64_t nsec)
{
    int64_t days = sec / 86400, rem = sec % 86400, y, m, d, era, doe, yoe, doy, mp;
    char frac[16];
    int len;

    if (sec < 0 || sec > 253402300799 || nsec < 0 || nsec > 999999999) {
        /* Outside years 1970-9999 or not a valid fraction: print the raw values. */
        gorca_buf_printf(b, "%llds+%lldns", (long long)sec, (long long)nsec);
        return;
    }
    /* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
    days += 719468;
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    gorca_buf_printf(b, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", (long long)y, (long long)m,
                     (long long)d, (long long)(rem / 3600), (long long)(rem / 60 % 60),
                     (long long)(rem % 60));
    if (nsec > 0) {
        len = snprintf(frac, sizeof(frac), "%09lld", (long long)nsec);
        while (len > 0 && frac[len - 1] == '0')
            frac[--len] = 0;
        gorca_buf_printf(b, ".%s", frac);
    }
    gorca_buf_putc(b, 'Z');
}

static const char *state_name(const struct gorca_trace_transition *t, unsigned s)
{
    return t->resource == GORCA_TRACE_RES_PROC ? gorca_trace_proc_state_name(s)
                                               : gorca_trace_go_state_name(s);
}

void gorca_trace_format_go(const struct gorca_trace *tr, const struct gorca_trace_event *ev,
                           struct gorca_buf *b)
{
    gorca_buf_printf(b, "M=%lld P=%lld G=%lld %s Time=%lld", (long long)ev->m, (long long)ev->p,
                     (long long)ev->g, gorca_trace_kind_name(ev->kind), (long long)ev->time);
    switch (ev->kind) {
    case GORCA_TRACE_METRIC:
        gorca_buf_puts(b, " Name=");
        go_qstr(b, ev->metric.name);
        gorca_buf_printf(b, " Value=Value{Uint64(%llu)}", (unsigned long long)ev->metric.value);
        break;
    case GORCA_TRACE_LABEL:
        gorca_buf_puts(b, " Label=");
        go_qstr(b, ev->label.label);
        gorca_buf_printf(b, " Resource=Goroutine(%lld)", (long long)ev->label.g);
        break;
    case GORCA_TRACE_RANGE_BEGIN:
    case GORCA_TRACE_RANGE_ACTIVE:
    case GORCA_TRACE_RANGE_END: {
        const struct gorca_trace_range *r = &ev->range;
        int i;

        gorca_buf_puts(b, " Name=");
        go_qstr(b, r->name);
        if (r->scope == GORCA_TRACE_RES_NONE)
            gorca_buf_puts(b, " Scope=None");
        else
            gorca_buf_printf(b, " Scope=%s(%lld)", gorca_trace_resource_name(r->scope),
                             (long long)r->scope_id);
        if (ev->kind == GORCA_TRACE_RANGE_END) {
            gorca_buf_puts(b, " Attributes=[");
            for (i = 0; i < r->n_attrs; i++) {
                if (i)
                    gorca_buf_putc(b, ' ');
                go_qstr(b, r->attrs[i].name);
                gorca_buf_printf(b, "=Value{Uint64(%llu)}", (unsigned long long)r->attrs[i].value);
            }
            gorca_buf_putc(b, ']');
        }
        break;
    }
    case GORCA_TRACE_TASK_BEGIN:
    case GORCA_TRACE_TASK_END:
        gorca_buf_printf(b, " ID=%llu Parent=%llu Type=", (unsigned long long)ev->task.id,
                         (unsigned long long)ev->task.parent);
        go_qstr(b, ev->task.type);
        break;
    case GORCA_TRACE_REGION_BEGIN:
    case GORCA_TRACE_REGION_END:
        gorca_buf_printf(b, " Task=%llu Type=", (unsigned long long)ev->region.task);
        go_qstr(b, ev->region.type);
        break;
    case GORCA_TRACE_LOG:
        gorca_buf_printf(b, " Task=%llu Category=", (unsigned long long)ev->log.task);
        go_qstr(b, ev->log.category);
        gorca_buf_puts(b, " Message=");
        go_quote(b, ev->log.message, ev->log.message_len);
        break;
    case GORCA_TRACE_STATE_TRANSITION: {
        const struct gorca_trace_transition *t = &ev->transition;

        gorca_buf_printf(
            b, " %s=%lld %s->%s Reason=", t->resource == GORCA_TRACE_RES_PROC ? "ProcID" : "GoID",
            (long long)t->id, state_name(t, t->from), state_name(t, t->to));
        go_qstr(b, t->reason);
        /* Go's GoCreate transition always carries a stack value, even for id 0. */
        if (t->stack != 0 || ev->type == GORCA_TRACE_EV_GO_CREATE ||
            ev->type == GORCA_TRACE_EV_GO_CREATE_BLOCKED) {
            gorca_buf_puts(b, "\nTransitionStack=\n");
            print_stack(b, tr, t->stack);
        }
        break;
    }
    case GORCA_TRACE_EXPERIMENTAL: {
        int i;

        gorca_buf_printf(b, " Name=%s Args=[", ev->experimental.name);
        for (i = 0; i < ev->experimental.n_args; i++)
            gorca_buf_printf(b, "%s%s=Value{Uint64(%llu)}", i ? ", " : "",
                             ev->experimental.arg_names[i], (unsigned long long)ev->args[i]);
        gorca_buf_putc(b, ']');
        break;
    }
    case GORCA_TRACE_SYNC:
        gorca_buf_printf(b, " N=%llu", (unsigned long long)ev->sync.n);
        if (ev->sync.has_clock) {
            gorca_buf_printf(b, " Trace=%lld Mono=%llu Wall=", (long long)ev->sync.clock_trace_ns,
                             (unsigned long long)ev->sync.clock_mono_ns);
            rfc3339(b, ev->sync.clock_wall_sec, ev->sync.clock_wall_nsec);
        }
        break;
    default:
        break;
    }
    if (ev->stack != 0) {
        gorca_buf_puts(b, "\nStack=\n");
        print_stack(b, tr, ev->stack);
    }
}
