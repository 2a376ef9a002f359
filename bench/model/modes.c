/* SPDX-License-Identifier: MIT */
/* Grouping floor-probe readings into machine modes (modes.h). */
#include "modes.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define BINS_PER_OCTAVE 8
#define MIN_SHARE 0.05
#define MIN_COUNT 3
#define VALLEY 0.5

static double
smoothed(const double *h, int nb, int i) {
    /* A [1 2 3 2 1] kernel: a mode whose readings spread over a few bins is one peak. */
    static const double k[] = {1, 2, 3, 2, 1};
    double s = 0;
    for (int d = -2; d <= 2; d++)
        if (i + d >= 0 && i + d < nb)
            s += k[d + 2] * h[i + d];
    return s / 9;
}

int
modes_find(const double *v, size_t n, struct mode_set *out) {
    memset(out, 0, sizeof *out);
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (x == NULL)
        return -1;
    size_t m = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && v[i] > 0) {
            x[m] = log2(v[i]);
            lo = x[m] < lo ? x[m] : lo;
            hi = x[m] > hi ? x[m] : hi;
            m++;
        }
    out->total = m;
    if (m == 0) {
        free(x);
        return 0;
    }
    /* Bins from lo - 2 bins to hi + 2 bins, so that the kernel sees empty space at both ends. */
    double base = floor(lo * BINS_PER_OCTAVE) - 2;
    int nb = (int)(ceil(hi * BINS_PER_OCTAVE) - base) + 3;
    double *h = calloc((size_t)nb * 2, sizeof *h);
    if (h == NULL) {
        free(x);
        return -1;
    }
    double *s = h + nb;
    for (size_t i = 0; i < m; i++) {
        int b = (int)(floor(x[i] * BINS_PER_OCTAVE) - base);
        h[b < 0 ? 0 : b >= nb ? nb - 1 : b]++;
    }
    for (int i = 0; i < nb; i++)
        s[i] = smoothed(h, nb, i);

    /* Peaks: local maxima of s (the first bin of a plateau) holding enough readings nearby. */
    int peak[MODES_MAX * 4], np = 0;
    /* In smoothed units: a mode spread evenly over three bins peaks at about 7/27 of its count. */
    double need = fmax(MIN_COUNT, MIN_SHARE * (double)m) * 2 / 9;
    for (int i = 0; i < nb && np < MODES_MAX * 4; i++) {
        bool left = i == 0 || s[i] > s[i - 1];
        int j = i;
        while (j + 1 < nb && s[j + 1] == s[i])
            j++;
        bool right = j == nb - 1 || s[j] > s[j + 1];
        if (left && right && s[i] >= need)
            peak[np++] = (i + j) / 2;
        i = j;
    }
    if (np == 0) { /* everything spread thin: one mode */
        int best = 0;
        for (int i = 1; i < nb; i++)
            best = s[i] > s[best] ? i : best;
        peak[np++] = best;
    }
    /* Merge neighbours without a real valley between them; keep the higher peak. */
    int valley[MODES_MAX * 4];
    for (int k = 0; k + 1 < np;) {
        int vmin = peak[k];
        for (int i = peak[k]; i <= peak[k + 1]; i++)
            vmin = s[i] < s[vmin] ? i : vmin;
        double smaller = fmin(s[peak[k]], s[peak[k + 1]]);
        if (s[vmin] >= VALLEY * smaller) {
            int keep = s[peak[k]] >= s[peak[k + 1]] ? peak[k] : peak[k + 1];
            peak[k] = keep;
            memmove(&peak[k + 1], &peak[k + 2], (size_t)(np - k - 2) * sizeof *peak);
            np--;
            k = k > 0 ? k - 1 : 0; /* the merged peak may now merge with its left neighbour */
        } else {
            valley[k] = vmin;
            k++;
        }
    }
    while (np > MODES_MAX) { /* absurdly many: fold the smallest into its neighbour */
        int w = 0;
        for (int k = 1; k < np; k++)
            w = s[peak[k]] < s[peak[w]] ? k : w;
        int into = w == 0 ? 0 : w - 1;
        memmove(&peak[w], &peak[w + 1], (size_t)(np - w - 1) * sizeof *peak);
        if (into < np - 2)
            memmove(&valley[into], &valley[into + 1], (size_t)(np - 2 - into) * sizeof *valley);
        np--;
    }

    out->n = np;
    double *member = malloc(m * sizeof *member);
    if (member == NULL) {
        free(h);
        free(x);
        out->n = 0;
        return -1;
    }
    for (int k = 0; k < np; k++) {
        struct mode *md = &out->m[k];
        /* Bounds: the middle of each valley bin, in ns. */
        md->lo_ns = k == 0 ? 0 : exp2((base + valley[k - 1] + 0.5) / BINS_PER_OCTAVE);
        md->hi_ns = k == np - 1 ? INFINITY : exp2((base + valley[k] + 0.5) / BINS_PER_OCTAVE);
        size_t c = 0;
        for (size_t i = 0; i < m; i++) {
            double y = exp2(x[i]);
            if (y >= md->lo_ns && y < md->hi_ns)
                member[c++] = y;
        }
        md->count = c;
        md->share = (double)c / (double)m;
        md->floor_ns = c ? stats_median(member, c) : exp2((base + peak[k] + 0.5) / BINS_PER_OCTAVE);
        snprintf(md->label, sizeof md->label, "%.0fns", md->floor_ns);
        for (int j = 0; j < k; j++)
            if (strcmp(out->m[j].label, md->label) == 0) { /* two modes round alike */
                snprintf(md->label, sizeof md->label, "%.1fns", md->floor_ns);
                break;
            }
    }
    free(member);
    free(h);
    free(x);
    return 0;
}

int
modes_classify(const struct mode_set *s, double v) {
    if (!isfinite(v) || v <= 0 || s->n == 0)
        return MODE_UNPROBED;
    for (int k = 0; k < s->n; k++)
        if (v >= s->m[k].lo_ns && v < s->m[k].hi_ns)
            return k;
    return s->n - 1;
}

int
modes_tag(const struct mode_set *s, double before, double after) {
    int a = modes_classify(s, before), b = modes_classify(s, after);
    if (a == MODE_UNPROBED || b == MODE_UNPROBED)
        return MODE_UNPROBED;
    return a == b ? a : MODE_STRADDLE;
}

const char *
modes_tag_label(const struct mode_set *s, int tag) {
    if (tag >= 0 && tag < s->n)
        return s->m[tag].label;
    return tag == MODE_STRADDLE ? "straddling" : "unprobed";
}
