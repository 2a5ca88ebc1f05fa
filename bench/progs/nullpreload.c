/* nullpreload - an empty library for `bench/run --control`: preloaded in
 * place of graceclose it shows the bench's own noise floor (every cost row
 * should pass) and what any preloaded library costs (row 8). */
int gc_bench_nullpreload_marker = 1;
