/* bench_normalize.c: times tb_normalize on 10^4, 10^5 and 10^6 random overlapping ranges and
 * fails if the time per entry grows more than 3x from 10^4 to 10^6 (it must be O(n log n)). */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tagboot_handoff.h"

#define BENCH_RUNS 3
#define BENCH_SIZES 3
#define BENCH_ENTRIES_PER_MEASUREMENT 1000000u
#define BENCH_MAX_GROWTH 3.0
/* Mean range length vs. spacing keeps about two ranges over any address at every size, so
 * the sizes differ only in n, not in how tangled the input is. */
#define BENCH_SPACING 0x100000ull

/* xorshift64*: a fixed seed gives the same input on every run and machine. */
static uint64_t bench_state = 0x9e3779b97f4a7c15ull;

static uint64_t bench_random(void)
{
	bench_state ^= bench_state >> 12;
	bench_state ^= bench_state << 25;
	bench_state ^= bench_state >> 27;
	return bench_state * 0x2545f4914f6cdd1dull;
}

/* Unaligned bases and lengths and every type (plus an unknown one), as a buggy firmware
 * map with many overlapping allocations might look. */
static void bench_fill(struct tb_mem_entry *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		in[i] = (struct tb_mem_entry){ 0 };
		in[i].base = bench_random() % (n * BENCH_SPACING);
		in[i].length = 1 + bench_random() % (4 * BENCH_SPACING);
		in[i].type = 1 + (uint32_t)(bench_random() % (TB_MEM_TYPE_MAX + 1));
	}
}

static double bench_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One size: its input, its buffers and the best time so far. */
struct bench_case {
	size_t n;
	struct tb_mem_entry *in, *out;
	void *scratch;
	size_t out_cap, scratch_size, count;
	double best_ns; /* per entry; < 0 until measured */
};

static bool bench_setup(struct bench_case *c, size_t n)
{
	*c = (struct bench_case){ .n = n, .out_cap = 2 * n + 1, .best_ns = -1 };
	c->scratch_size = tb_normalize_scratch_size(n);
	c->in = malloc(n * sizeof(*c->in));
	c->out = malloc(c->out_cap * sizeof(*c->out));
	c->scratch = malloc(c->scratch_size);
	if (c->in == NULL || c->out == NULL || c->scratch == NULL) {
		fprintf(stderr, "bench_normalize: out of memory for n=%zu\n", n);
		return false;
	}
	bench_fill(c->in, n);
	return true;
}

/*
 * One measurement: as many calls as make 10^6 entries in all, so that every size is timed
 * over a similar stretch of wall time and a burst of load from other processes costs the
 * small sizes no more than the large one. Keeps the best time per entry.
 */
static bool bench_measure(struct bench_case *c)
{
	size_t reps = BENCH_ENTRIES_PER_MEASUREMENT / c->n;
	double t0, ns;

	if (reps == 0)
		reps = 1;
	t0 = bench_seconds();
	for (size_t r = 0; r < reps; r++) {
		enum tb_status st = tb_normalize(c->in, c->n, c->out, c->out_cap, &c->count,
		                                 c->scratch, c->scratch_size);

		if (st != TB_OK) {
			fprintf(stderr, "bench_normalize: n=%zu: %s\n", c->n, tb_status_str(st));
			return false;
		}
	}
	ns = (bench_seconds() - t0) * 1e9 / ((double)c->n * (double)reps);
	if (c->best_ns < 0 || ns < c->best_ns)
		c->best_ns = ns;
	return true;
}

/* The output must be a valid map, or the timing means nothing. */
static bool bench_output_valid(const struct bench_case *c)
{
	for (size_t i = 0; i < c->count; i++) {
		const struct tb_mem_entry *e = &c->out[i];

		if (e->length == 0 || e->base % TB_PAGE_SIZE != 0 || e->length % TB_PAGE_SIZE != 0 ||
		    (i > 0 && e->base < c->out[i - 1].base + c->out[i - 1].length)) {
			fprintf(stderr, "bench_normalize: n=%zu: output entry %zu is not a valid map "
			                "entry\n", c->n, i);
			return false;
		}
	}
	return true;
}

static void bench_free(struct bench_case *c)
{
	free(c->in);
	free(c->out);
	free(c->scratch);
}

int main(void)
{
	static const size_t sizes[BENCH_SIZES] = { 10000, 100000, 1000000 };
	struct bench_case cases[BENCH_SIZES];
	bool ok = true;
	double growth;

	for (int i = 0; i < BENCH_SIZES; i++)
		ok = bench_setup(&cases[i], sizes[i]) && ok;
	/* Rounds interleave the sizes, so that slow stretches hit all of them alike. */
	for (int run = 0; ok && run < BENCH_RUNS; run++) {
		for (int i = 0; ok && i < BENCH_SIZES; i++)
			ok = bench_measure(&cases[i]);
	}
	for (int i = 0; ok && i < BENCH_SIZES; i++) {
		ok = bench_output_valid(&cases[i]);
		if (ok)
			printf("n=%-8zu %8.1f ns/entry (best of %d, %zu output entries)\n", cases[i].n,
			       cases[i].best_ns, BENCH_RUNS, cases[i].count);
	}
	if (!ok) {
		for (int i = 0; i < BENCH_SIZES; i++)
			bench_free(&cases[i]);
		return 1;
	}
	growth = cases[BENCH_SIZES - 1].best_ns / cases[0].best_ns;
	for (int i = 0; i < BENCH_SIZES; i++)
		bench_free(&cases[i]);
	printf("growth 10^4 -> 10^6: %.2fx (limit %.1fx)\n", growth, BENCH_MAX_GROWTH);
	if (growth > BENCH_MAX_GROWTH) {
		fprintf(stderr, "bench_normalize: FAIL: ns/entry grew %.2fx from 10^4 to 10^6; "
		                "tb_normalize is not O(n log n)\n", growth);
		return 1;
	}
	printf("bench_normalize: ok\n");
	return 0;
}
