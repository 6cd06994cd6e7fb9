#!/usr/bin/env python3
"""CPython baselines for bench/process_bench.cc (multiprocessing, 'fork').

pipe_ints: a child process sends 100,000 ints through multiprocessing.Pipe(),
the parent receives them (one run = the whole program). process_start_join:
Process(target=empty).start(); join() (one run = one start and join).
Prints JSON in bench/python_baseline.py's shape:

  {"python": "3.11.7", "unit": "s",
   "benchmarks": {"pipe_ints": {"median": ..., "min": ..., "runs": [...]}, ...}}
"""
import multiprocessing

import baseline_output

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
    args = baseline_output.parse_args(__doc__)
    results = {}
    for name, (program, per_repetition) in PROGRAMS.items():
        runs = baseline_output.time_runs(program, args.repetitions * per_repetition)
        results[name] = baseline_output.summary(runs)
    baseline_output.emit(results, args.out)


if __name__ == "__main__":
    main()
