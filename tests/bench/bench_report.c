/* bench_report.c - the bench's table on stdout and its JSON report
 * ({"rows": [{"name", "tenantry", "raw", "ratio", "target", "met"}, …]},
 * with the unit and a note per row, the machine and the dataset). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"

struct bench_row *
bench_row_add(struct bench_report *r, const char *name)
{
	struct bench_row *row;

	if (r->n >= (int)(sizeof r->rows / sizeof r->rows[0]))
		r->n--; /* cannot happen with the fixed row set; never overflow */
	row = &r->rows[r->n++];
	memset(row, 0, sizeof *row);
	snprintf(row->name, sizeof row->name, "%s", name);
	row->raw = -1;
	row->ratio = -1;
	return row;
}

static void
figure(char *out, size_t n, double v, const char *unit)
{
	if (v < 0)
		snprintf(out, n, "-");
	else if (strcmp(unit, "ms") == 0)
		snprintf(out, n, "%.2f ms", v);
	else if (strcmp(unit, "MB") == 0)
		snprintf(out, n, "%.1f MB", v);
	else
		snprintf(out, n, "%.0f/s", v);
}

void
bench_report_print(const struct bench_report *r)
{
	printf("\n%-62s %12s %12s %6s  %-16s %s\n", "operation", "tenantry", "raw", "ratio",
	       "target", "met");
	for (int i = 0; i < 116; i++)
		putchar('-');
	putchar('\n');
	for (int i = 0; i < r->n; i++) {
		const struct bench_row *row = &r->rows[i];
		char t[32], raw[32], ratio[16];

		if (!row->measured) {
			printf("%-62.62s %12s %12s %6s  %-16s %s\n", row->name, "-", "-", "-",
			       row->target, row->note);
			continue;
		}
		figure(t, sizeof t, row->tenantry, row->unit);
		figure(raw, sizeof raw, row->raw, row->unit);
		if (row->ratio < 0)
			snprintf(ratio, sizeof ratio, "-");
		else
			snprintf(ratio, sizeof ratio, "%.2f", row->ratio);
		printf("%-62.62s %12s %12s %6s  %-16s %-3s  %s\n", row->name, t, raw, ratio,
		       *row->target ? row->target : "-",
		       !*row->target ? "-"
		       : row->met    ? "yes"
				     : "NO",
		       row->note);
	}
	if (*r->dataset)
		printf("\ndataset: %s\n", r->dataset);
	if (*r->machine)
		printf("machine: %s\n", r->machine);
}

static json_t *
num_or_null(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

int
bench_report_json(const struct bench_report *r, const char *path)
{
	json_t *root = json_object(), *rows = json_array();
	int rc;

	for (int i = 0; i < r->n; i++) {
		const struct bench_row *row = &r->rows[i];

		json_array_append_new(
		    rows,
		    json_pack("{s:s, s:o, s:o, s:o, s:s, s:o, s:s, s:s}", "name", row->name,
			      "tenantry", row->measured ? num_or_null(row->tenantry) : json_null(),
			      "raw", row->measured ? num_or_null(row->raw) : json_null(), "ratio",
			      row->measured ? num_or_null(row->ratio) : json_null(), "target",
			      row->target, "met",
			      !*row->target ? json_null() : json_boolean(row->measured && row->met),
			      "unit", row->unit, "note", row->note));
	}
	json_object_set_new(root, "rows", rows);
	json_object_set_new(root, "machine", json_string(r->machine));
	json_object_set_new(root, "dataset", json_string(r->dataset));
	rc = json_dump_file(root, path, JSON_INDENT(2));
	json_decref(root);
	if (rc < 0)
		fprintf(stderr, "bench: cannot write %s\n", path);
	return rc;
}
