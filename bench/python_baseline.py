#!/usr/bin/env python3
"""CPython baselines for bench/primitives_bench.cc's tutorial programs.

Runs the balance program (2 threads x 100,000 locked updates) and a
queue.Queue with one producer and one consumer (100,000 items), each
--repetitions times, timed with time.perf_counter, and prints JSON:

  {"python": "3.11.7", "unit": "s",
   "benchmarks": {"balance": {"median": ..., "min": ..., "runs": [...]}, ...}}
"""
import argparse
import json
import platform
import queue
import statistics
import threading
import time

BALANCE_UPDATES = 100_000  # per thread
QUEUE_ITEMS = 100_000


def balance_program():
    state = {"balance": 0}
    lock = threading.Lock()

    def update(delta):
        for _ in range(BALANCE_UPDATES):
            with lock:
                state["balance"] += delta

    deposit = threading.Thread(target=update, args=(1,))
    withdraw = threading.Thread(target=update, args=(-1,))
    deposit.start()
    withdraw.start()
    deposit.join()
    withdraw.join()
    assert state["balance"] == 0, state


def queue_program():
    q = queue.Queue()
    total = [0]

    def produce():
        for i in range(QUEUE_ITEMS):
            q.put(i)

    def consume():
        s = 0
        for _ in range(QUEUE_ITEMS):
            s += q.get()
        total[0] = s

    producer = threading.Thread(target=produce)
    consumer = threading.Thread(target=consume)
    producer.start()
    consumer.start()
    producer.join()
    consumer.join()
    assert total[0] == QUEUE_ITEMS * (QUEUE_ITEMS - 1) // 2


PROGRAMS = {"balance": balance_program, "queue": queue_program}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--out", help="also write the JSON to this file")
    args = parser.parse_args()

    results = {}
    for name, program in PROGRAMS.items():
        runs = []
        for _ in range(args.repetitions):
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
