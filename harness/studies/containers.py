"""The notebook's list-versus-deque timings, redone so that every timed call does its work.

The teaching notebook times four operations on a list and on a deque of 10,000 items with
``timeit(..., number=1_000)``. Its appends and front inserts are sound. Its pops are not:

- ``pop_from_list(lst=lst)`` binds one list as a default argument, so the first of the
  1,000 calls pops all 10,000 items and the other 999 pop nothing: the figure is one
  call's work divided over a thousand (``pop_from_front_of_list`` likewise);
- ``pop_from_deque`` and ``pop_from_front_of_deque`` loop ``range(len(lst))``, over the
  *list*, which those earlier calls had already emptied: they never pop at all.

``capqueue containers --as-notebook`` runs the notebook's cells as written and counts
the pops each timing really did. ``capqueue containers -o FILE`` times every operation with
pyperf on a fresh container of 10,000 items per timed loop, built outside the timer, and
stores nanoseconds per operation (``inner_loops`` = 10,000). ``capqueue containers --report
FILE`` prints that file as a Markdown table, list beside deque.
"""

import time
import timeit
from collections import deque

SIZE = 10_000  # the notebook's list_size


def appending(make, method):
    """A pyperf time function: ``SIZE`` calls of ``method`` on a new, empty container."""
    def time_func(loops):
        total = 0.0
        for _ in range(loops):
            container = make()
            add = getattr(container, method)
            started = time.perf_counter()
            for i in range(SIZE):
                add(i)
            total += time.perf_counter() - started
        return total
    return time_func


def inserting_at_front_of_list(loops):
    """``list.insert(0, i)``, ``SIZE`` times on a new list: each insert moves every item."""
    total = 0.0
    for _ in range(loops):
        lst = []
        started = time.perf_counter()
        for i in range(SIZE):
            lst.insert(0, i)
        total += time.perf_counter() - started
    return total


def popping(make, method):
    """A pyperf time function: pop all ``SIZE`` items of a full container, built untimed."""
    def time_func(loops):
        total = 0.0
        for _ in range(loops):
            container = make(range(SIZE))
            take = getattr(container, method)
            started = time.perf_counter()
            for _ in range(SIZE):
                take()
            total += time.perf_counter() - started
            assert not container, "every timed pop must have popped an item"
        return total
    return time_func


def popping_front_of_list(loops):
    """``list.pop(0)`` until a full list is empty: each pop moves every remaining item."""
    total = 0.0
    for _ in range(loops):
        lst = list(range(SIZE))
        started = time.perf_counter()
        for _ in range(SIZE):
            lst.pop(0)
        total += time.perf_counter() - started
        assert not lst, "every timed pop must have popped an item"
    return total


BENCHMARKS = {
    "list.append": appending(list, "append"),
    "deque.append": appending(deque, "append"),
    "list.insert(0, x)": inserting_at_front_of_list,
    "deque.appendleft": appending(deque, "appendleft"),
    "list.pop()": popping(list, "pop"),
    "deque.pop()": popping(deque, "pop"),
    "list.pop(0)": popping_front_of_list,
    "deque.popleft()": popping(deque, "popleft"),
}


# The table's rows: what an operation does, and the benchmark that times it on each container.
PAIRS = [
    ("append at the end (`append`)", "list.append", "deque.append"),
    ("insert at the front (`insert(0, x)`, `appendleft`)", "list.insert(0, x)",
     "deque.appendleft"),
    ("pop from the end (`pop()`)", "list.pop()", "deque.pop()"),
    ("pop from the front (`pop(0)`, `popleft()`)", "list.pop(0)", "deque.popleft()"),
]


def table(suite):
    """The suite written by ``-o FILE`` as Markdown lines: ns per operation, list and deque."""
    from harness.table import layout

    def cell(name):
        bench = suite.get_benchmark(name)
        mean, spread = bench.mean() * 1e9, bench.stdev() * 1e9
        return f"{_ns(mean)} ± {_ns(spread)} ns"

    size = suite.get_metadata().get("containers_size", SIZE)
    header = (f"operation, {size:,} times", "list", "deque")
    return layout(header, [(what, cell(a), cell(b)) for what, a, b in PAIRS], "lrr", True)


def _ns(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def as_notebook():
    """Run the notebook's In [62]-[71] as written, and count what each timing really did."""
    list_size = 10_000

    def append_to_list(n=list_size):
        lst = []
        for i in range(n):
            lst.append(i)

    def insert_front_of_list(n=list_size):
        lst = []
        for i in range(n):
            lst.insert(0, i)

    lst = [i for i in range(list_size)]
    lst_for_pop = lst

    def pop_from_list(lst=lst):
        for _ in range(len(lst)):
            lst.pop()

    lst = [i for i in range(list_size)]
    lst_for_pop_front = lst

    def pop_from_front_of_list(lst=lst):
        for _ in range(len(lst)):
            lst.pop(0)

    def append_to_deque(n=list_size):
        dq = deque()
        for i in range(n):
            dq.append(i)

    def insert_front_of_deque(n=list_size):
        dq = deque()
        for i in range(n):
            dq.appendleft(i)

    dq = deque(i for i in range(list_size))
    dq_for_pop = dq

    def pop_from_deque(dq=dq):
        for _ in range(len(lst)):
            dq.pop()

    dq = deque(i for i in range(list_size))
    dq_for_popleft = dq

    def pop_from_front_of_deque(dq=dq):
        for _ in range(len(lst)):
            dq.popleft()

    # (cell, function, the container it pops from, or None when it builds its own)
    cells = [
        ("In [63]", append_to_list, None), ("In [64]", insert_front_of_list, None),
        ("In [65]", pop_from_list, lst_for_pop),
        ("In [66]", pop_from_front_of_list, lst_for_pop_front),
        ("In [68]", append_to_deque, None), ("In [69]", insert_front_of_deque, None),
        ("In [70]", pop_from_deque, dq_for_pop),
        ("In [71]", pop_from_front_of_deque, dq_for_popleft),
    ]
    print(f"{'cell':8} {'function':24} {'seconds for 1,000 calls':>24}  items really popped")
    for cell, func, popped_from in cells:
        before = len(popped_from) if popped_from is not None else None
        seconds = timeit.timeit(func, number=1_000)
        done = "-" if before is None else f"{before - len(popped_from):,}"
        print(f"{cell:8} {func.__name__:24} {seconds:24.6f}  {done}")
