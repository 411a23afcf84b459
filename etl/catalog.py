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
    code: str
    title: str
    grain: str
    coverage: tuple[str, str]
    key: tuple[str, ...]
    sheet_aliases: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"


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
        forms = {}
        for code, spec in data.items():
            cols = tuple(
                Column(
                    **{
                        **c,
                        "choices": tuple(c.get("choices", ())),
                        "aliases": tuple(c.get("aliases", ())),
                    }
                )
                for c in spec["columns"]
            )
            forms[code] = Form(
                code=code,
                title=spec["title"],
                grain=spec["grain"],
                coverage=tuple(spec["coverage"]),
                key=tuple(spec["key"]),
                sheet_aliases=tuple(spec.get("sheet_aliases", ())),
                columns=cols,
            )
        return forms

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
