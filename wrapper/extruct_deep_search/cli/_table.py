"""The results table: which columns fit a terminal's width, and how they are drawn.

The columns a user decides with (rank, company, website, relevance, one grade
per criterion) are always shown. To fit a narrow terminal the table first
shortens them, in this order: the website loses ``https://`` and ``www.``,
"Relevance" becomes "Rel", criterion keys become short abbreviations (with a
legend under the table), and the grades merge into one "Grades" column. Then
the optional columns are added while there is room: size, HQ, description.
Off a terminal every column is printed in full and nothing is cut.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Sequence
from typing import Literal

import attrs
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from .. import Criterion, Result

Justify = Literal["left", "center", "right"]

GAP = 2  # one padding cell plus the (blank) divider between two columns
MAX_WIDTH = {"company": 32, "website": 40, "hq": 28}
# Below these widths a name or website is hard to recognise: the table changes
# shape (shorter headers, merged grades) before it cuts them further.
COMFORTABLE = {"company": 16, "website": 20, "hq": 16, "description": 24}
HARD_MIN = {"company": 8, "website": 10}


def clean(text: object) -> str:
    """One line of text: whitespace runs become one space, control characters go."""
    if text is None:
        return ""
    words = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in str(text))
    return " ".join(words.split())


def host(url: str) -> str:
    """The website without its scheme, ``www.`` and trailing slash."""
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            url = url[len(prefix) :]
            break
    url = url.removeprefix("www.")
    return url.rstrip("/")


def abbreviations(keys: Sequence[str]) -> list[str]:
    """Short unique headers for criterion keys: initials (``dental_focus`` -> ``df``).

    A one-word key gives its first three letters; when two abbreviations clash,
    every key is numbered instead (``c1``, ``c2``, ...).
    """
    short = []
    for key in keys:
        parts = [p for p in key.split("_") if p]
        short.append("".join(p[0] for p in parts) if len(parts) > 1 else key[:3])
    if len(set(short)) != len(short):
        return [f"c{i}" for i in range(1, len(keys) + 1)]
    return short


@attrs.frozen
class Style:
    """How the decision columns are drawn: one rung of the ladder in :data:`LADDER`."""

    website: Literal["url", "host"]
    relevance: str
    grades: Literal["keys", "short", "merged", "packed"]


LADDER = (
    Style("url", "Relevance", "keys"),
    Style("host", "Relevance", "keys"),
    Style("host", "Rel", "keys"),
    Style("host", "Rel", "short"),
    Style("host", "Rel", "merged"),
    Style("host", "Rel", "packed"),
)


@attrs.frozen
class Column:
    """One column: header, width (None: as wide as its widest cell) and cell text."""

    name: str
    header: str
    width: int | None
    justify: Justify
    cell: Callable[[int, Result], Text]


@attrs.frozen
class Plan:
    """The columns to draw and the legend to print under the table."""

    columns: tuple[Column, ...]
    legend: str | None

    @property
    def width(self) -> int | None:
        """The table's width in cells (None when a column has no fixed width)."""
        widths = [c.width for c in self.columns]
        if any(w is None for w in widths):
            return None
        return sum(w for w in widths if w is not None) + GAP * (len(widths) - 1)


def _grade(result: Result, key: str) -> Text:
    score = result.scores.get(key)  # not Result.grade: a missing score shows as "-"
    grade = score.grade if score is not None else None
    if grade is None:
        return Text("-", style="dim")
    return Text(str(grade), style="green" if grade >= 4 else "yellow" if grade == 3 else "red")


def _text(value: object, style: str = "") -> Text:
    return Text(clean(value), style=style, no_wrap=True, overflow="ellipsis")


def _hq(result: Result) -> str:
    return ", ".join(clean(p) for p in (result.hq_city, result.hq_country) if p)


def _size(result: Result) -> str:
    return clean(getattr(result.employee_count, "value", result.employee_count) or "")


def _natural(cells: Sequence[str], header: str) -> int:
    return max([cell_len(header), *(cell_len(c) for c in cells)])


def plan(
    results: Sequence[Result], criteria: Sequence[Criterion], width: int | None = None
) -> Plan:
    """The columns of the results table for a terminal ``width`` cells wide.

    ``width=None`` plans every column in full (for output that is not a terminal).
    When even the narrowest layout does not fit, it is returned as is: the
    caller draws it wider and lets the terminal cut the right edge.
    """
    keys = [c.key for c in criteria]
    names = {c.key: c.name for c in criteria}
    n = len(str(max(len(results), 1)))
    rank = Column("rank", "#", n, "right", lambda i, r: Text(str(i), style="dim"))
    if width is None:
        return _full_plan(results, keys, rank)

    floor = COMFORTABLE
    for style in LADDER:
        decision = _decision_columns(results, keys, style, rank)
        # Full URLs only when nothing needs cutting; otherwise hosts leave names room.
        if _fits(decision, width, {} if style.website == "url" else floor):
            floor = {} if style.website == "url" else floor
            break
    else:
        floor = HARD_MIN  # the narrowest layout, squeezed further
    columns = _sized(decision, floor, width)
    columns = _with_optional(results, columns, width)
    return Plan(tuple(columns), _legend(keys, names, style))


def _decision_columns(
    results: Sequence[Result], keys: Sequence[str], style: Style, rank: Column
) -> list[tuple[Column, int]]:
    """The decision columns with their natural widths (company and website are flexible)."""

    def site(r: Result) -> str:
        return host(r.company_website) if style.website == "host" else clean(r.company_website)

    company = _natural([clean(r.company_name) for r in results], "Company")
    website = _natural([site(r) for r in results], "Website")
    columns = [
        (rank, rank.width or 1),
        (
            Column("company", "Company", None, "left", lambda i, r: _text(r.company_name)),
            min(company, MAX_WIDTH["company"]),
        ),
        (
            Column(
                "url" if style.website == "url" else "website",
                "Website",
                None,
                "left",
                lambda i, r: _text(site(r), "cyan"),
            ),
            min(website, MAX_WIDTH["website"]),
        ),
        (
            Column(
                "relevance",
                style.relevance,
                max(len(style.relevance), 3),
                "right",
                lambda i, r: Text("-" if r.relevance is None else str(r.relevance)),
            ),
            max(len(style.relevance), 3),
        ),
    ]
    if style.grades in ("merged", "packed"):
        gap = " " if style.grades == "merged" else ""
        merged = max(len(gap.join("5" * len(keys))), len("Grades"))
        columns.append(
            (
                Column(
                    "grades",
                    "Grades",
                    merged,
                    "left",
                    lambda i, r: Text(gap).join(_grade(r, k) for k in keys),
                ),
                merged,
            )
        )
        return columns
    headers = keys if style.grades == "keys" else abbreviations(keys)
    for key, header in zip(keys, headers, strict=True):
        columns.append(
            (
                Column(
                    f"grade:{key}",
                    header,
                    max(len(header), 1),
                    "center",
                    lambda i, r, key=key: _grade(r, key),  # type: ignore[misc]
                ),
                max(len(header), 1),
            )
        )
    return columns


def _fits(columns: Sequence[tuple[Column, int]], width: int, floor: dict[str, int]) -> bool:
    need = sum(min(natural, floor.get(c.name, natural)) for c, natural in columns)
    return need + GAP * (len(columns) - 1) <= width


def _sized(
    columns: Sequence[tuple[Column, int]], floor: dict[str, int], width: int
) -> list[Column]:
    """Fixed widths: each flexible column at its floor, then grown towards its natural width."""
    widths = {c.name: min(natural, floor.get(c.name, natural)) for c, natural in columns}
    spare = width - sum(widths.values()) - GAP * (len(columns) - 1)
    for column, natural in columns:
        grow = max(0, min(spare, natural - widths[column.name]))
        widths[column.name] += grow
        spare -= grow
    return [attrs.evolve(c, width=widths[c.name]) for c, _ in columns]


def _with_optional(results: Sequence[Result], columns: list[Column], width: int) -> list[Column]:
    """Add size, HQ, then description while each fits at a readable width."""
    used = sum(c.width or 0 for c in columns) + GAP * (len(columns) - 1)
    size = _natural([_size(r) for r in results], "Size")
    hq = min(_natural([_hq(r) for r in results], "HQ"), MAX_WIDTH["hq"])
    extra = []
    if used + GAP + size <= width:
        extra.append(Column("size", "Size", size, "right", lambda i, r: _text(_size(r))))
        used += GAP + size
    hq_width = min(hq, width - used - GAP)
    if hq_width >= min(hq, COMFORTABLE["hq"]):
        extra.insert(0, Column("hq", "HQ", hq_width, "left", lambda i, r: _text(_hq(r))))
        used += GAP + hq_width
    description = _natural([clean(r.company_description) for r in results], "Description")
    desc_width = min(description, width - used - GAP)
    if desc_width >= min(description, COMFORTABLE["description"]):
        extra.append(
            Column(
                "description",
                "Description",
                desc_width,
                "left",
                lambda i, r: _text(r.company_description, "dim"),
            )
        )
    return columns + extra


def _full_plan(results: Sequence[Result], keys: Sequence[str], rank: Column) -> Plan:
    style = LADDER[0]
    columns = [c for c, _ in _decision_columns(results, keys, style, rank)]
    columns = [attrs.evolve(c, width=None) if c.name in ("company", "url") else c for c in columns]
    columns += [
        Column("hq", "HQ", None, "left", lambda i, r: _text(_hq(r))),
        Column("size", "Size", None, "right", lambda i, r: _text(_size(r))),
        Column(
            "description", "Description", None, "left", lambda i, r: _text(r.company_description)
        ),
    ]
    return Plan(tuple(columns), None)


def _legend(keys: Sequence[str], names: dict[str, str], style: Style) -> str | None:
    if style.grades == "keys" or not keys:
        return None
    headers = (
        abbreviations(keys)
        if style.grades == "short"
        else [str(i) for i in range(1, len(keys) + 1)]
    )
    parts = []
    for header, key in zip(headers, keys, strict=True):
        name = names.get(key)
        parts.append(f"{header} = {key}" + (f" ({name})" if name and name != key else ""))
    lead = "Grades 1-5" if style.grades == "short" else "Grades 1-5, in this order"
    return f"{lead}: " + ", ".join(parts)


def render(plan_: Plan, results: Sequence[Result], title: str) -> Table:
    """The rich Table for ``plan_``: one line per result, never wrapped."""
    table = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
        pad_edge=False,
        show_edge=False,
    )
    for column in plan_.columns:
        table.add_column(
            column.header,
            justify=column.justify,
            width=column.width,
            no_wrap=True,
            overflow="ellipsis",
        )
    for index, result in enumerate(results, 1):
        table.add_row(*(column.cell(index, result) for column in plan_.columns))
    return table


def print_results(
    console: Console,
    results: Sequence[Result],
    criteria: Sequence[Criterion],
    title: str,
    *,
    fit: bool,
) -> None:
    """Print the results table on ``console``.

    With ``fit`` the table fits the console's width; otherwise (output that is
    not a terminal) every column is printed in full, however wide.
    """
    layout = plan(results, criteria, console.width if fit else None)
    table = render(layout, results, title)
    needed = layout.width
    if needed is None:
        needed = Console(file=io.StringIO(), width=10**5).measure(table).maximum
    if fit and needed <= console.width:
        console.print(table)
    elif fit:
        # Too narrow even for the narrowest layout: cut the right edge, never wrap.
        options = console.options.update(width=needed)
        cut: list[Segment] = []
        for line in console.render_lines(table, options, pad=False):
            cut += [*Segment.adjust_line_length(line, console.width), Segment.line()]
        console.print(Segments(cut), end="", soft_wrap=True)
    else:
        # Not a terminal: as wide as the table needs, without trailing blanks.
        wide = Console(file=io.StringIO(), width=needed, no_color=True, highlight=False)
        wide.print(table)
        text = wide.file.getvalue()  # type: ignore[attr-defined]
        console.file.write("".join(line.rstrip() + "\n" for line in text.splitlines()))
    if layout.legend:
        console.print(Text(layout.legend, style="dim"))
