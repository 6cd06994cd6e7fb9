#!/usr/bin/env python3
"""CPython baselines for bench/primitives_bench.cc's tutorial programs.

Runs the balance program (2 threads x 100,000 locked updates) and a
queue.Queue with one producer and one consumer (100,000 items), each
--repetitions times, timed with time.perf_counter, and prints JSON:

  {"python": "3.11.7", "unit": "s",
   "benchmarks": {"balance": {"median": ..., "min": ..., "runs": [...]}, ...}}
"""
import queue
import threading

import baseline_output

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
    args = baseline_output.parse_args(__doc__)
    results = {}
    for name, program in PROGRAMS.items():
        results[name] = baseline_output.summary(baseline_output.time_runs(program, args.repetitions))
    baseline_output.emit(results, args.out)


if __name__ == "__main__":
    main()
