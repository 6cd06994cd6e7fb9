#!/usr/bin/env python3
"""CPython baselines for bench/process_bench.cc (multiprocessing, 'fork').

pipe_ints: a child process sends 100,000 ints through multiprocessing.Pipe(),
the parent receives them (one run = the whole program). process_start_join:
Process(target=empty).start(); join() (one run = one start and join).
Prints JSON in bench/python_baseline.py's shape:

  {"python": "3.11.7", "unit": "s",
   "benchmarks": {"pipe_ints": {"median": ..., "min": ..., "runs": [...]}, ...}}
"""
import argparse
import json
import multiprocessing
import platform
import statistics
import time

PIPE_ITEMS = 100_000
CTX = multiprocessing.get_context("fork")


def send_ints(parent_end, child_end):
    parent_end.close()
    for i in range(PIPE_ITEMS):
        child_end.send(i)


def pipe_ints():
    parent_end, child_end = CTX.Pipe()
    p = CTX.Process(target=send_ints, args=(parent_end, child_end))
    p.start()
    child_end.close()
    total = 0
    for _ in range(PIPE_ITEMS):
        total += parent_end.recv()
    p.join()
    parent_end.close()
    assert total == PIPE_ITEMS * (PIPE_ITEMS - 1) // 2 and p.exitcode == 0


def empty():
    pass


def process_start_join():
    p = CTX.Process(target=empty)
    p.start()
    p.join()
    assert p.exitcode == 0


# name -> (program, runs per repetition)
PROGRAMS = {"pipe_ints": (pipe_ints, 1), "process_start_join": (process_start_join, 20)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--out", help="also write the JSON to this file")
    args = parser.parse_args()

    results = {}
    for name, (program, per_repetition) in PROGRAMS.items():
        runs = []
        for _ in range(args.repetitions * per_repetition):
            start = time.perf_counter()
            program()
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
