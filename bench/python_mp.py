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
import argparse
import json
import multiprocessing
import platform
import statistics
import time

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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--out", help="also write the JSON to this file")
    args = parser.parse_args()

    results = {}
    with CTX.Pool(2) as pool:
        for name, program in PROGRAMS.items():
            runs = []
            for _ in range(args.repetitions):
                start = time.perf_counter()
                program(pool)
                runs.append(time.perf_counter() - start)
            results[name] = {"median": statistics.median(runs), "min": min(runs), "runs": runs}
    doc = {"python": platform.python_version(), "unit": "s", "benchmarks": results}
    text = json.dumps(doc, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
