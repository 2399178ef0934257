"""Small-cell suppression: every small count hidden, and no hidden count can be worked out
from the row, column or grand totals beside it — on hundreds of random tables."""

from __future__ import annotations

import random

from core.suppression import SECONDARY, TOTAL, Table, suppress, suppress_list


def lines(table: Table) -> list[list[tuple[str, str]]]:
    rows, cols = table.rows, table.cols
    out = [[(r, c) for c in (*cols, TOTAL)] for r in rows]
    out += [[(r, c) for r in (*rows, TOTAL)] for c in cols]
    out.append([(r, TOTAL) for r in (*rows, TOTAL)])
    out.append([(TOTAL, c) for c in (*cols, TOTAL)])
    return out


def test_random_tables() -> None:
    for seed in range(300):
        check(random.Random(seed))


def check(rng: random.Random) -> None:
    rows = [f"r{i}" for i in range(rng.randint(1, 6))]
    cols = [f"c{i}" for i in range(rng.randint(1, 6))]
    counts = {(r, c): rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 20])
              for r in rows for c in cols}
    table = suppress(counts, rows, cols, 5)
    for (r, c), n in counts.items():
        assert ((r, c) in table.hidden) >= (0 < n < 5)
    for r in rows:
        assert table.values[(r, TOTAL)] == sum(counts[(r, c)] for c in cols)
    assert table.values[(TOTAL, TOTAL)] == sum(counts.values())
    for line in lines(table):
        assert sum(key in table.hidden for key in line) != 1, line
    for key in table.hidden:
        assert table.shown(key) in ("<5", SECONDARY)
        assert (table.shown(key) == "<5") == (table.values[key] < 5)


def test_a_table_without_small_counts_is_shown_whole() -> None:
    table = suppress({("a", "x"): 5, ("a", "y"): 7, ("b", "x"): 0}, ["a", "b"], ["x", "y"], 5)
    assert table.hidden == frozenset()
    assert table.shown(("a", TOTAL)) == "12" and table.shown(("b", "y")) == "0"


def test_a_list_without_totals_hides_only_small_counts() -> None:
    assert suppress_list({"new": 3, "seeking": 0, "active": 12}, 5) == {
        "new": "<5", "seeking": "0", "active": "12"}
