"""Small-cell suppression for published counts (統計の秘匿): a count under the minimum
(OUEN_STATS_MIN_CELL) could, next to a public story, point at one person, so it prints as
`<N`; and so that no hidden count can be worked out from the totals beside it, every line
of a table (a row or a column with its total, and the totals with the grand total) that
would have exactly one hidden entry gets a second one hidden too (secondary suppression),
printed `x`: it is not small, only hidden.

Zeros stay visible unless one has to be hidden: they tell nobody anything about a person."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Key = tuple[str, str]
TOTAL = "all"
SECONDARY = "x"


@dataclass(frozen=True)
class Table:
    """A two-way table of counts with its margins, some entries hidden."""

    rows: tuple[str, ...]
    cols: tuple[str, ...]
    values: dict[Key, int]  # (row, col), (row, TOTAL), (TOTAL, col), (TOTAL, TOTAL)
    hidden: frozenset[Key]
    minimum: int

    def shown(self, key: Key) -> str:
        """The entry as published: the count, `<minimum` for a small one, `x` for one hidden
        so that a small one cannot be worked out."""
        if key not in self.hidden:
            return str(self.values.get(key, 0))
        return f"<{self.minimum}" if self.values.get(key, 0) < self.minimum else SECONDARY


def _lines(rows: Sequence[str], cols: Sequence[str]) -> list[tuple[list[Key], Key]]:
    """Every sum the table publishes: (the entries added up, their total)."""
    lines: list[tuple[list[Key], Key]] = []
    lines += [([(r, c) for c in cols], (r, TOTAL)) for r in rows]
    lines += [([(r, c) for r in rows], (TOTAL, c)) for c in cols]
    lines.append(([(r, TOTAL) for r in rows], (TOTAL, TOTAL)))
    lines.append(([(TOTAL, c) for c in cols], (TOTAL, TOTAL)))
    return lines


def suppress(counts: Mapping[Key, int], rows: Iterable[str], cols: Iterable[str],
             minimum: int) -> Table:
    """The table of `counts` (missing cells are 0) with its margins, counts from 1 to
    minimum − 1 hidden, and enough others hidden that none can be computed back."""
    rows, cols = tuple(rows), tuple(cols)
    values: dict[Key, int] = {(r, c): int(counts.get((r, c), 0)) for r in rows for c in cols}
    for r in rows:
        values[(r, TOTAL)] = sum(values[(r, c)] for c in cols)
    for c in cols:
        values[(TOTAL, c)] = sum(values[(r, c)] for r in rows)
    values[(TOTAL, TOTAL)] = sum(values[(r, TOTAL)] for r in rows)
    hidden = {key for key, n in values.items() if 0 < n < minimum}
    lines = _lines(rows, cols)
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            members = [*parts, total]
            if sum(key in hidden for key in members) != 1:
                continue
            # Hide the smallest visible part that is not zero (a zero's sum says nothing
            # new); if every visible part is zero, the smallest of them; else the total.
            visible = [key for key in parts if key not in hidden]
            nonzero = [key for key in visible if values[key] > 0]
            pick = min(nonzero or visible, key=lambda key: values[key], default=total)
            if pick not in hidden:
                hidden.add(pick)
                changed = True
    return Table(rows, cols, values, frozenset(hidden), minimum)


def suppress_list(counts: Mapping[str, int], minimum: int) -> dict[str, str]:
    """A list of counts shown without a total: each under the minimum hidden."""
    return {key: (f"<{minimum}" if 0 < n < minimum else str(n)) for key, n in counts.items()}
