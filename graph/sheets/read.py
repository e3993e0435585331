"""Read a folder of NAP spreadsheets (CSV files described by napgraph's CSVW metadata).

The columns, datatypes and required cells are declared once, in W3C CSV on the Web
metadata (`data/sheets-template/csv-metadata.json`), and read with the `csvw` library
(cldf/csvw), which checks each cell against its datatype. napgraph always reads a folder
with its own copy of that metadata, so a folder's `csv-metadata.json` (kept there for
people and other CSVW tools) cannot change what a column means.

Every problem is a `SheetProblem` naming the file, row (as a spreadsheet numbers it: the
header is row 1) and column; `read_folder` collects them all and raises `SheetsRefused`.
"""

import csv
import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

from csvw import TableGroup

from napgraph.graph.import_scope import ImportRefused
from napgraph.graph.paths import data_dir

METADATA = "csv-metadata.json"
MAX_PROBLEMS = 50  # enough to fix a batch; more would bury the first ones
# csvw reports a bad cell as `file:row:column name: reason`
_CSVW_CELL = re.compile(r"^(?P<file>[^:]+):(?P<row>\d+):(?P<col>\d+) (?P<name>\S+): (?P<reason>.*)$")


def template_dir() -> Path:
    """The empty template: napgraph's CSVW metadata and one header-only CSV file per table."""
    return data_dir() / "sheets-template"


@dataclass(frozen=True)
class SheetProblem:
    """Why one cell, row or file cannot be used."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


class SheetsRefused(ImportRefused):
    """The spreadsheets cannot be imported; `problems` says where and why, every one."""

    def __init__(self, folder: Path, problems: list[SheetProblem]) -> None:
        self.folder, self.problems = folder, problems
        shown = [str(p) for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"… and {len(problems) - MAX_PROBLEMS} more")
        super().__init__(f"{folder}: {len(problems)} problem(s), nothing was imported\n  "
                         + "\n  ".join(shown))


@dataclass
class Row:
    """One data row: its file, its row number and its cells (csvw's typed values)."""

    file: str
    number: int
    cells: dict

    def get(self, column: str):
        """The typed value of a cell (a date as a `datetime.date`), None if empty."""
        value = self.cells.get(column)
        if isinstance(value, datetime.datetime):  # csvw reads an xsd:date as a datetime
            return value.date()
        return value

    def problem(self, column: str | None, reason: str) -> SheetProblem:
        """A problem with this row, in `column` (None: the whole row)."""
        return SheetProblem(self.file, self.number, column, reason)


@dataclass
class Sheets:
    """The rows of every table of a folder, by file name."""

    folder: Path
    tables: dict[str, list[Row]]


def read_folder(folder: Path) -> Sheets:
    """Read every table the metadata declares from `folder`, each cell checked against its
    datatype. Raises SheetsRefused listing every missing file, missing or unknown column,
    and bad cell."""
    if not folder.is_dir():
        raise SheetsRefused(folder, [SheetProblem(str(folder), None, None, "no such folder")])
    metadata = json.loads((template_dir() / METADATA).read_text(encoding="utf-8"))
    group = TableGroup.from_file(folder / METADATA, data=metadata)
    problems: list[SheetProblem] = []
    tables: dict[str, list[Row]] = {}
    for table in group.tables:
        name = str(table.url)
        columns = [c.name for c in table.tableSchema.columns]
        file_problems, rows_by_line = _check_file(folder / name, name, columns)
        problems += file_problems
        if file_problems:
            continue
        log = _Log(name, rows_by_line, {c.name: c.common_props.get("dc:description", "")
                                        for c in table.tableSchema.columns})
        tables[name] = [
            Row(name, rows_by_line.get(line, line), dict(cells))
            for _, line, cells in table.iterdicts(log=log, with_metadata=True)
        ]
        problems += log.problems
    if problems:
        raise SheetsRefused(folder, problems)
    return Sheets(folder, tables)


def _check_file(
    path: Path, name: str, columns: list[str]
) -> tuple[list[SheetProblem], dict[int, int]]:
    """Problems with a file as CSV, before its cells are read: missing, not UTF-8, not
    parsable (an unclosed quote), a header without every declared column or with another
    (a misspelt column would otherwise be ignored), a row longer than the header. Also
    {the line a row ends on: its row number}: csvw counts lines, a spreadsheet rows, and
    a cell may hold line breaks."""
    rows, rows_by_line = [], {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)  # as csvw reads it
            try:
                for row in reader:
                    rows.append(row)
                    rows_by_line[reader.line_num] = len(rows)
            except csv.Error as error:
                return [SheetProblem(name, len(rows) + 1, None, f"not valid CSV ({error})")], {}
    except FileNotFoundError:
        return [SheetProblem(name, None, None, "the file is missing (copy it from the template)")], {}
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        return [SheetProblem(name, line, None, "not UTF-8 text (save the file as CSV UTF-8)")], {}
    except OSError as error:
        return [SheetProblem(name, None, None, f"cannot read the file ({error.strerror})")], {}
    header = [title.strip() for title in rows[0]] if rows else []
    problems = [
        SheetProblem(name, 1, column, "missing required column") for column in columns
        if column not in header
    ]
    problems += [
        SheetProblem(name, 1, title or f"#{n}", f"unknown column (expected: {', '.join(columns)})")
        for n, title in enumerate(header, 1) if title not in columns
    ]
    problems += [
        SheetProblem(name, 1, title, "the column appears more than once")
        for title in sorted({t for t in header if header.count(t) > 1})
    ]
    problems += [
        SheetProblem(name, number, None, f"{len(row)} cells, more than the {len(header)} columns "
                     "of the header")
        for number, row in enumerate(rows[1:], 2) if len(row) > len(header)
    ]
    return problems, rows_by_line


class _Log:
    """Collects csvw's reports of bad cells as SheetProblems (csvw calls `warning`)."""

    def __init__(self, name: str, rows_by_line: dict[int, int], descriptions: dict[str, str]):
        self.name, self.rows_by_line, self.descriptions = name, rows_by_line, descriptions
        self.problems: list[SheetProblem] = []

    def warning(self, message: str, *args) -> None:
        text = message % args if args else message
        match = _CSVW_CELL.match(text)
        if match:
            column = match["name"]
            reason = _reason(match["reason"], self.descriptions.get(column, ""))
            line = int(match["row"])
            row = self.rows_by_line.get(line, line)
            self.problems.append(SheetProblem(self.name, row, column, reason))
        else:
            self.problems.append(SheetProblem(self.name, None, None, text))

    error = info = warning


def _reason(text: str, description: str) -> str:
    """csvw's reason, worded for someone filling in a spreadsheet (with what the column
    expects, from its description in the metadata)."""
    if text.startswith("invalid lexical value"):
        value = text.split(":", 1)[-1].strip()
        return f"{value!r} is not a valid value: {description}"
    parts = text.split(" -- ")
    if len(parts) == 3:  # a value that does not match the column's format: format -- value -- regex
        return f"{parts[1]!r} is not a valid value: {description}"
    if text == "required column value is missing":
        return "a value is required"
    return text
