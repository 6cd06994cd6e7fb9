#!/usr/bin/env python3
"""CPython baselines for bench/mp_bench.cc (multiprocessing, 'fork' context).

Runs each program --repetitions times, timed with time.perf_counter, and prints
JSON in the shape of bench/python_baseline.py:

  {"python": "3.11.7", "unit": "s",
   "benchmarks": {"mp_queue": {"median": ..., "min": ..., "runs": [...]}, ...}}

  mp_queue              a child process puts 100,000 ints into a Queue, the
                        parent gets them (Process start included)
                        (braid: BM_MpQueue_TwoProcesses)
  mp_pool_map           Pool(2).map(square, range(200,000)), pool made beforehand
                        (braid: BM_MpPool_Map)
  mp_pool_apply_async   1,000 sequential pool.apply_async(square, (i,)).get()
                        (braid: BM_MpPool_ApplyAsync)
"""
import multiprocessing

import baseline_output

QUEUE_ITEMS = 100_000
MAP_ITEMS = 200_000
ROUND_TRIPS = 1_000

CTX = multiprocessing.get_context("fork")


def square(x):
    return x * x


def _producer(q, n):
    for i in range(n):
        q.put(i)


def queue_program(_pool):
    q = CTX.Queue()
    p = CTX.Process(target=_producer, args=(q, QUEUE_ITEMS))
    p.start()
    total = 0
    for _ in range(QUEUE_ITEMS):
        total += q.get()
    p.join()
    q.close()
    assert total == QUEUE_ITEMS * (QUEUE_ITEMS - 1) // 2, total


def map_program(pool):
    out = pool.map(square, range(MAP_ITEMS))
    assert len(out) == MAP_ITEMS and out[-1] == square(MAP_ITEMS - 1)


def apply_async_program(pool):
    for i in range(ROUND_TRIPS):
        assert pool.apply_async(square, (i,)).get() == i * i


PROGRAMS = {
    "mp_queue": queue_program,
    "mp_pool_map": map_program,
    "mp_pool_apply_async": apply_async_program,
}


def main():
    args = baseline_output.parse_args(__doc__)
    results = {}
    with CTX.Pool(2) as pool:
        for name, program in PROGRAMS.items():
            runs = baseline_output.time_runs(lambda: program(pool), args.repetitions)
            results[name] = baseline_output.summary(runs)
    baseline_output.emit(results, args.out)


if __name__ == "__main__":
    main()
