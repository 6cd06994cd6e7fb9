#!/usr/bin/env python3
"""Schedules to first failure: schedule fuzzing versus random versus PCT.

For each seeded-bug program of fuzz/schedule_programs.h and each seed, counts
the executions (schedules) a strategy runs up to and including the first one
that fails:

  random          braid::explore, Strategy::random()      (braid_schedule_compare)
  pct             braid::explore, Strategy::pct(3)        (braid_schedule_compare)
  fuzz            libFuzzer on the bytes scheduler, code coverage only
                  (braid_schedule_<family>, BRAID_FUZZ_FEATURES=0)
  fuzz+rf         the same plus the interleaving features: reads-from and
                  conflicting-operation pairs in libFuzzer's extra counters

and prints one Markdown table of medians (with min-max and how many seeds
found the bug within the budget). Every run is seeded (explore's seed,
libFuzzer's -seed), so the table is reproducible up to libFuzzer's own
timing-dependent choices (none affect these counts in practice).

Usage (after building the fuzz preset, e.g. `ci/fuzz-smoke` or
`cmake --preset fuzz && cmake --build --preset fuzz`):

  python3 bench/fuzz_vs_random.py --build build-fuzz --seeds 5
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

PROGRAMS = [
    ("balance-nolock", "balance"),
    ("balance-fresh-lock", "balance"),
    ("my-thread-lock", "rlock"),
    ("lock-order", "rlock"),
    ("queue-check-then-get", "queue"),
    ("condition-if-not-while", "condition"),
    ("lost-update-3", "counter"),
    ("lost-update-4", "counter"),
]
STRATEGIES = ["random", "pct", "fuzz", "fuzz+rf"]
INF = float("inf")


def run_compare(build, program, strategy, seed, budget):
    exe = os.path.join(build, "fuzz", "braid_schedule_compare")
    out = subprocess.run([exe, program, strategy, str(seed), str(budget)], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"found=(\d) executions=(\d+)", out)
    if not m:
        sys.exit(f"unexpected output from {exe}: {out!r}")
    return int(m.group(2)) if m.group(1) == "1" else INF


def run_fuzzer(build, program, family, seed, budget, features, seconds):
    exe = os.path.join(build, "fuzz", f"braid_schedule_{family}")
    env = dict(os.environ, BRAID_FUZZ_PROGRAM=program, BRAID_FUZZ_FEATURES="1" if features else "0")
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([exe, f"-seed={seed}", f"-runs={budget}", "-max_len=512",
                               f"-max_total_time={seconds}", f"-artifact_prefix={tmp}/"],
                              env=env, capture_output=True, text=True)
    m = re.search(r"failure after (\d+) executions", proc.stderr)
    return int(m.group(1)) if m else INF


def cell(values, budget):
    found = [v for v in values if v != INF]
    med = statistics.median(values) if len(found) * 2 > len(values) else INF
    text = f">{budget:,}" if med == INF else f"{med:,.0f}"
    if found:
        text += f" ({min(found):,}–{max(found):,}" + (")" if len(found) == len(values) else f"; {len(found)}/{len(values)} found)")
    else:
        text += f" (0/{len(values)} found)"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build-fuzz", help="the fuzz preset's build directory")
    ap.add_argument("--seeds", type=int, default=5, help="seeds per program and strategy (1..N)")
    ap.add_argument("--budget", type=int, default=200000, help="most executions per run")
    ap.add_argument("--fuzz-seconds", type=int, default=120, help="wall-clock cap of one libFuzzer run")
    ap.add_argument("--programs", nargs="*", help="only these programs")
    args = ap.parse_args()

    rows = []
    for program, family in PROGRAMS:
        if args.programs and program not in args.programs:
            continue
        results = {s: [] for s in STRATEGIES}
        for seed in range(1, args.seeds + 1):
            results["random"].append(run_compare(args.build, program, "random", seed, args.budget))
            results["pct"].append(run_compare(args.build, program, "pct:3", seed, args.budget))
            results["fuzz"].append(run_fuzzer(args.build, program, family, seed, args.budget, False, args.fuzz_seconds))
            results["fuzz+rf"].append(run_fuzzer(args.build, program, family, seed, args.budget, True, args.fuzz_seconds))
            print(f"{program} seed {seed}: " + ", ".join(f"{s}={results[s][-1]}" for s in STRATEGIES), file=sys.stderr)
        rows.append((program, results))

    print(f"Executions to the first failure: median over {args.seeds} seeds (min–max), budget {args.budget:,} "
          "executions per run.\n")
    print("| program | random | PCT (depth 3) | fuzz, code coverage | fuzz + interleaving features |")
    print("|---|---:|---:|---:|---:|")
    for program, results in rows:
        print(f"| `{program}` | " + " | ".join(cell(results[s], args.budget) for s in STRATEGIES) + " |")


if __name__ == "__main__":
    main()
