/* SPDX-License-Identifier: MIT */
/* `--format csv`: Google Benchmark's CSV columns and chanbench's, one line per row of the
 * results document (report_rows): its chunks and aggregates, the floor's limit/ rows too. */
#include "report.h"

#include <math.h>
#include <string.h>

/* A number as the JSON has it (10 significant digits); empty for null or absent. */
static void
csv_num(FILE *out, json_t *v) {
    double x = json_number_value(v);
    if (json_is_integer(v))
        fprintf(out, ",%lld", (long long)json_integer_value(v));
    else if (json_is_real(v) && isfinite(x))
        fprintf(out, ",%.10g", x);
    else
        fputs(",", out);
}

/* A text field, quoted as Google's CsvEscape does (names hold commas: limit/c2c/pu=0,1). */
static void
csv_str(FILE *out, const char *s, bool quote) {
    if (!quote) {
        fputs(s != NULL ? s : "", out);
        return;
    }
    fputc('"', out);
    for (; s != NULL && *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void
csv_rows(FILE *out, json_t *rows) {
    fputs("name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,"
          "label,error_occurred,error_message,run_type,aggregate_name,repetition_index,op,"
          "threads,voluntary_ctx_switches,involuntary_ctx_switches,p50_ns,p90_ns,p99_ns,"
          "p999_ns,max_ns\n",
          out);
    json_t *ops = json_object(); /* run_name -> op: aggregate rows have none of their own */
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *type = json_string_value(json_object_get(row, "run_type"));
        bool aggregate = type != NULL && strcmp(type, "aggregate") == 0;
        const char *run_name = json_string_value(json_object_get(row, "run_name"));
        json_t *op = json_object_get(row, "op");
        if (!aggregate && run_name != NULL && op != NULL)
            json_object_set(ops, run_name, op);
        else if (aggregate && run_name != NULL)
            op = json_object_get(ops, run_name);
        const char *unit = json_string_value(json_object_get(row, "aggregate_unit"));
        bool percentage = unit != NULL && strcmp(unit, "percentage") == 0;

        csv_str(out, json_string_value(json_object_get(row, "name")), true);
        csv_num(out, json_object_get(row, "iterations"));
        csv_num(out, json_object_get(row, "real_time"));
        csv_num(out, json_object_get(row, "cpu_time"));
        fputc(',', out); /* Google leaves the unit of a percentage empty */
        csv_str(out, percentage ? "" : json_string_value(json_object_get(row, "time_unit")), false);
        fputc(',', out); /* bytes_per_second */
        csv_num(out, json_object_get(row, "items_per_second"));
        fputs(",,,,", out); /* label, error_occurred, error_message */
        csv_str(out, type, false);
        fputc(',', out);
        csv_str(out, json_string_value(json_object_get(row, "aggregate_name")), false);
        csv_num(out, json_object_get(row, "repetition_index"));
        fputc(',', out);
        csv_str(out, json_string_value(op), false);
        csv_num(out, json_object_get(row, "threads"));
        csv_num(out, json_object_get(row, "voluntary_ctx_switches"));
        csv_num(out, json_object_get(row, "involuntary_ctx_switches"));
        json_t *lat = json_object_get(row, "latency_ns");
        static const char *const pct[] = {"p50", "p90", "p99", "p999", "max"};
        for (size_t k = 0; k < sizeof pct / sizeof pct[0]; k++)
            csv_num(out, json_object_get(lat, pct[k]));
        fputc('\n', out);
    }
    json_decref(ops);
}

void
report_csv(FILE *out, const struct run_info *info, const struct bench_result *const *res,
           size_t n) {
    json_t *rows = report_rows(info, res, n);
    if (rows == NULL) {
        fprintf(stderr, "chanbench: out of memory for the CSV rows\n");
        return;
    }
    csv_rows(out, rows);
    json_decref(rows);
}
