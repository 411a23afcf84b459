"""Messages about a received file: every error and warning names file, sheet, row, column and value."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "错误"
WARNING = "警告"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (Excel's column letters)."""
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass(frozen=True)
class Message:
    level: str  # ERROR or WARNING
    file: str
    text: str
    sheet: str | None = None
    row: int | None = None  # the row number as Excel shows it (1-based); for CSV the line number
    column: str | None = None  # the column's letter and header as written, e.g. D列“网络零售额（万元）”
    value: str | None = None

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def where(self) -> str:
        parts = [f"文件「{self.file}」"]
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(self.column)
        return "，".join(parts)

    def __str__(self) -> str:
        value = "" if self.value is None else f"值“{self.value}”："
        return f"{self.level}：{self.where()}：{value}{self.text}"

    def to_dict(self) -> dict:
        return asdict(self)


class Problems(list):
    """The messages about one file, in order."""

    def error(self, file, text, **where) -> None:
        self.append(Message(ERROR, file, text, **where))

    def warning(self, file, text, **where) -> None:
        self.append(Message(WARNING, file, text, **where))

    @property
    def errors(self) -> list[Message]:
        return [m for m in self if m.is_error]

    @property
    def warnings(self) -> list[Message]:
        return [m for m in self if not m.is_error]
