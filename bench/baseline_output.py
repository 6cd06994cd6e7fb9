"""Shared by the bench/python_*.py CPython baselines: their command line and
their JSON output (the shape bench/compare.py reads):

  {"python": "3.11.7", "unit": "s",
   "benchmarks": {"<name>": {"median": ..., "min": ..., "runs": [...]}, ...}}
"""
import argparse
import json
import platform
import statistics
import time


def parse_args(doc, configure=None):
    """--repetitions N (default 5) and --out FILE; `configure(parser)` adds more."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--out", help="also write the JSON to this file")
    if configure is not None:
        configure(parser)
    return parser.parse_args()


def summary(runs):
    """The entry of one benchmark: median, min and every run, in seconds."""
    return {"median": statistics.median(runs), "min": min(runs), "runs": runs}


def time_runs(program, times):
    """Runs `program()` `times` times; returns each run's seconds."""
    runs = []
    for _ in range(times):
        start = time.perf_counter()
        program()
        runs.append(time.perf_counter() - start)
    return runs


def emit(results, out=None):
    """Prints the document (and writes it to `out`)."""
    doc = {"python": platform.python_version(), "unit": "s", "benchmarks": results}
    text = json.dumps(doc, indent=2)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    print(text)
