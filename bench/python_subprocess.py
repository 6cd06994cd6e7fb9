#!/usr/bin/env python3
"""CPython baselines for bench/subprocess_bench.cc.

Times subprocess.call(["true"]) (subprocess_call_true, per call, averaged over
--calls calls per run) and Popen(["cat"], stdin=PIPE, stdout=PIPE).communicate()
of 8 MiB (subprocess_communicate_cat_8mib), each --repetitions times, with
time.perf_counter, and prints JSON in bench/python_baseline.py's shape:

  {"python": "3.11.7", "unit": "s",
   "benchmarks": {"subprocess_call_true": {"median": ..., "min": ..., "runs": [...]}, ...}}

Matching braid benchmarks: BM_Subprocess_CallTrue, BM_Subprocess_CommunicateCat.
"""
import subprocess
import time

import baseline_output

CAT_BYTES = 8 << 20


def call_true(calls):
    start = time.perf_counter()
    for _ in range(calls):
        assert subprocess.call(["true"]) == 0
    return (time.perf_counter() - start) / calls


def communicate_cat(_calls):
    data = b"x" * CAT_BYTES
    start = time.perf_counter()
    p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out, _ = p.communicate(data)
    elapsed = time.perf_counter() - start
    assert len(out) == CAT_BYTES
    return elapsed


PROGRAMS = {
    "subprocess_call_true": call_true,
    "subprocess_communicate_cat_8mib": communicate_cat,
}


def main():
    args = baseline_output.parse_args(__doc__, lambda p: p.add_argument(
        "--calls", type=int, default=200, help="calls of `true` per repetition (the time is per call)"))
    results = {}
    for name, program in PROGRAMS.items():
        results[name] = baseline_output.summary([program(args.calls) for _ in range(args.repetitions)])
    baseline_output.emit(results, args.out)


if __name__ == "__main__":
    main()
