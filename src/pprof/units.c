/* pprof's unit handling (pprof-formats.md §1.5, §5.3): unit families with aliases, automatic
 * scaling to the largest unit that keeps the value >= 1, value labels ("2.42s", "26143.99kB")
 * and percentages, reproducing go tool pprof's arithmetic and formatting digit for digit. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include "pprof_int.h"

struct unit {
    const char *name;       /* canonical, as printed */
    const char *aliases[4]; /* lower case, without a plural 's' */
    double factor;          /* in the family's base unit */
};

struct family {
    struct unit units[9];
    size_t n;
    struct unit dflt; /* used when a value is below every unit or the target is unknown */
};

static const struct family families[] = {
    { { { "B", { "b", "byte" }, 1 },
        { "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
        { "MB", { "mb", "mbyte", "megabyte" }, 1048576.0 },
        { "GB", { "gb", "gbyte", "gigabyte" }, 1073741824.0 },
        { "TB", { "tb", "tbyte", "terabyte" }, 1099511627776.0 },
        { "PB", { "pb", "pbyte", "petabyte" }, 1125899906842624.0 } },
      6,
      { "B", { "b", "byte" }, 1 } },
    { { { "ns", { "ns", "nanosecond" }, 1 },
        { "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
        { "ms", { "ms", "millisecond" }, 1e6 },
        { "s", { "s", "sec", "second" }, 1e9 },
        { "hrs", { "hour", "hr" }, 3.6e12 } },
      5,
      { "s", { NULL }, 1e9 } },
    { { { "n*GCU", { "nanogcu" }, 1e-9 },
        { "u*GCU", { "microgcu" }, 1e-6 },
        { "m*GCU", { "milligcu" }, 1e-3 },
        { "GCU", { "gcu" }, 1 },
        { "k*GCU", { "kilogcu" }, 1e3 },
        { "M*GCU", { "megagcu" }, 1e6 },
        { "G*GCU", { "gigagcu" }, 1e9 },
        { "T*GCU", { "teragcu" }, 1e12 },
        { "P*GCU", { "petagcu" }, 1e15 } },
      9,
      { "GCU", { NULL }, 1 } },
};

/* pprof's sniffUnit: lower-case, drop one trailing 's' when longer than 2 bytes, look up. */
static const struct unit *sniff(const struct family *f, const char *u, size_t n)
{
    char low[64];

    if (n >= sizeof(low))
        return NULL;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)u[i]);
    if (n > 2 && low[n - 1] == 's')
        n--;
    low[n] = '\0';
    for (size_t i = 0; i < f->n; i++)
        for (size_t j = 0; j < 4 && f->units[i].aliases[j]; j++)
            if (strcmp(low, f->units[i].aliases[j]) == 0)
                return &f->units[i];
    return NULL;
}

static int convert(const struct family *f, int64_t value, const char *from, size_t from_len,
                   const char *to, double *out, const char **out_unit)
{
    const struct unit *fu = sniff(f, from, from_len), *tu;
    double v;

    if (fu == NULL)
        return 0;
    v = (double)value * fu->factor;
    if (strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0) {
        double best = 0;
        const char *name = NULL;

        for (size_t i = 0; i < f->n; i++) {
            if (f->units[i].factor >= best && v / f->units[i].factor >= 1.0) {
                best = f->units[i].factor;
                name = f->units[i].name;
            }
        }
        if (best != 0) {
            *out = v / best;
            *out_unit = name;
            return 1;
        }
        *out = v / f->dflt.factor;
        *out_unit = f->dflt.name;
        return 1;
    }
    tu = sniff(f, to, strlen(to));
    if (tu == NULL) {
        *out = v / f->dflt.factor;
        *out_unit = f->dflt.name;
        return 1;
    }
    *out = v / tu->factor;
    *out_unit = tu->name;
    return 1;
}

double pb_scale(int64_t v, const char *unit, size_t unit_len, const char *to_unit,
                const char **out_unit)
{
    double r;

    if (v < 0 && v != INT64_MIN) {
        r = pb_scale(-v, unit, unit_len, to_unit, out_unit);
        return -r;
    }
    for (size_t i = 0; i < BASE_ARRAY_LEN(families); i++)
        if (convert(&families[i], v, unit, unit_len, to_unit, &r, out_unit))
            return r;
    if (strcmp(to_unit, "count") == 0 || strcmp(to_unit, "sample") == 0 ||
        strcmp(to_unit, "unit") == 0 || strcmp(to_unit, "minimum") == 0 ||
        strcmp(to_unit, "auto") == 0)
        *out_unit = "";
    else
        *out_unit = to_unit;
    return (double)v;
}

int pb_unit_family(const char *unit, size_t unit_len, double *factor)
{
    for (size_t i = 0; i < BASE_ARRAY_LEN(families); i++) {
        const struct unit *u = sniff(&families[i], unit, unit_len);

        if (u) {
            *factor = u->factor;
            return (int)i + 1;
        }
    }
    return 0;
}

void pb_scaled_label(int64_t v, const char *unit, size_t unit_len, const char *to_unit, char *buf,
                     size_t size)
{
    const char *u = "";
    double x = pb_scale(v, unit, unit_len, to_unit, &u);
    char num[64];
    size_t n;

    snprintf(num, sizeof(num), "%.2f", x);
    n = strlen(num);
    if (n >= 3 && strcmp(num + n - 3, ".00") == 0)
        num[n - 3] = '\0';
    if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0) {
        snprintf(buf, size, "0");
        return;
    }
    snprintf(buf, size, "%s%s", num, u);
}

void pb_percentage(int64_t value, int64_t total, char *buf, size_t size)
{
    double ratio = 0;

    if (total != 0)
        ratio = fabs((double)value / (double)total) * 100;
    if (ratio >= 99.95 && ratio <= 100.05)
        snprintf(buf, size, "  100%%");
    else if (ratio >= 1.0)
        snprintf(buf, size, "%5.2f%%", ratio);
    else
        snprintf(buf, size, "%5.2g%%", ratio);
}

void gorca_pprof_format_value(int64_t v, const char *unit, const char *output_unit, char *buf,
                              size_t size)
{
    pb_scaled_label(v, unit, strlen(unit), output_unit, buf, size);
}
