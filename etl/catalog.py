"""The policy as data: read the catalog files (data/catalog/) once per process."""

from __future__ import annotations

import csv
import functools
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from etl.config import catalog_dir

CITY_CODE = "441600"


def norm(text: str) -> str:
    """The comparable form of a cell: NFKC (full-width → half-width) with every kind of space removed."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def read_table(name: str, folder: Path | None = None) -> list[dict[str, str]]:
    path = (folder or catalog_dir()) / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class Column:
    name: str
    field: str
    type: str
    unit: str | None = None
    required: bool = False
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    min: float | None = None
    min_exclusive: float | None = None
    max: float | None = None  # the largest plausible value, in the stored unit (万元, ㎡, the count)
    allow_city: bool = False
    default: str | None = None  # what a blank cell means (e.g. 全市 for a payment list of the city itself)
    lookup: str | None = None  # the catalog list a value must come from: units | tasks | clauses
    help: str = ""

    @property
    def header(self) -> str:
        """The header as printed on the blank template."""
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    @functools.cached_property
    def names(self) -> frozenset[str]:
        """The header and its aliases, normalised for matching."""
        return frozenset(norm(n) for n in (self.name, *self.aliases))


@dataclass(frozen=True)
class Form:
    """A report form as declared in forms.toml: its columns, whose rows and which period each row speaks
    for, the row key, how a newer file replaces older rows, its checks and its reporting calendar."""

    code: str
    title: str
    grain: str
    scope: str  # the field naming whose rows these are (a region, or a reporting unit)
    period: str  # the field naming the period a row speaks for ("end_date:year": the year of that date)
    key: tuple[str, ...]
    mode: str  # "snapshot" | "ledger"
    sheet_aliases: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)
    checks: tuple[dict, ...] = ()
    calendar: dict | None = None
    event_only: bool = False
    unique: tuple[str, ...] = ()  # what may appear once in a file (default: the key)

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    def has(self, field_name: str) -> bool:
        return any(c.field == field_name for c in self.columns)

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def period_field(self) -> str:
        """The column the period comes from (end_date for F4)."""
        return self.period.split(":")[0]

    @property
    def is_ledger(self) -> bool:
        return self.mode == "ledger"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # city | county | zone
    in_city_sum: bool
    sort_order: int


class Catalog:
    def __init__(self, folder: Path | None = None):
        self.folder = folder or catalog_dir()
        self.forms = self._read_forms()
        self.regions = {
            r["region_code"]: Region(
                r["region_code"], r["name"], r["level"], r["in_city_sum"].lower() == "true", int(r["sort_order"])
            )
            for r in read_table("regions", self.folder)
        }
        self._region_lookup: dict[str, str] = {}
        for r in read_table("regions", self.folder):
            for alias in [r["region_code"], r["name"], *filter(None, r["aliases"].split(";"))]:
                self._region_lookup[norm(alias)] = r["region_code"]

    def _read_forms(self) -> dict[str, Form]:
        data = tomllib.loads((self.folder / "forms.toml").read_text(encoding="utf-8"))
        op_column = data.pop("ledger_op_column", None)

        def column(c: dict) -> Column:
            return Column(**{**c, "choices": tuple(c.get("choices", ())), "aliases": tuple(c.get("aliases", ()))})

        forms = {}
        for code, spec in data.items():
            cols = [column(c) for c in spec["columns"]]
            if spec.get("mode") == "ledger" and op_column:
                cols.append(column(op_column))
            forms[code] = Form(
                code=code,
                title=spec["title"],
                grain=spec["grain"],
                scope=spec["scope"],
                period=spec["period"],
                key=tuple(spec["key"]),
                mode=spec.get("mode", "snapshot"),
                sheet_aliases=tuple(spec.get("sheet_aliases", ())),
                columns=tuple(cols),
                checks=tuple(spec.get("checks", ())),
                calendar=spec.get("calendar"),
                event_only=spec.get("event_only", False),
                unique=tuple(spec.get("unique", spec["key"])),
            )
        return forms

    @functools.cached_property
    def units(self) -> dict[str, str]:
        """Every unit the policy names (joint-meeting members, lead and cooperating units of the tasks), by the
        normalised forms people write (市商务局, 河源市商务局)."""
        names = [r["unit"] for r in read_table("joint_meeting_units", self.folder)]
        for t in read_table("tasks", self.folder):
            names += [u for col in ("lead_units", "cooperating_units") for u in t[col].split(";") if u]
        out = {}
        for name in names:
            out.setdefault(norm(name), name)
            if name.startswith("市"):
                out.setdefault(norm("河源" + name), name)
        return out

    @functools.cached_property
    def tasks(self) -> dict[str, dict]:
        return {t["task_id"]: t for t in read_table("tasks", self.folder)}

    @functools.cached_property
    def clauses(self) -> dict[str, str]:
        """Subsidy clauses (三(一)2) and their rules (三(一)2a), by normalised text → the clause."""
        out = {}
        for r in read_table("subsidies", self.folder):
            out[norm(r["rule_id"])] = r["clause"]
            out[norm(r["clause"])] = r["clause"]
        return out

    def lookup(self, kind: str) -> dict[str, str]:
        """A form column's list from the policy (``lookup`` in forms.toml: units, tasks, clauses), by the
        normalised text people write → the value kept."""
        return {"units": self.units, "tasks": {norm(t): t for t in self.tasks}, "clauses": self.clauses}[kind]

    def lookup_values(self, kind: str) -> list[str]:
        """The same list's values, once each, in the policy's order (drop-down lists and messages)."""
        return list(dict.fromkeys(self.lookup(kind).values()))

    def scope_name(self, scope: str | None) -> str | None:
        """Whose rows these are, in words: a region code's name; a unit (F8) is its own name."""
        return self.regions[scope].name if scope in self.regions else scope

    def region_code(self, text: str) -> str | None:
        """A region named by code, full name, short name or alias; None if unknown."""
        key = norm(text)
        if key.endswith(".0"):  # a code typed into a number cell
            key = key[:-2]
        return self._region_lookup.get(key)

    @property
    def city(self) -> Region:
        return next(r for r in self.regions.values() if r.level == "city")

    def counties(self) -> list[Region]:
        return sorted((r for r in self.regions.values() if r.in_city_sum), key=lambda r: r.sort_order)


@functools.cache
def load(folder: str | None = None) -> Catalog:
    return Catalog(Path(folder) if folder else None)


def current() -> Catalog:
    return load(str(catalog_dir()))
