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


# A file with 300,000 bad rows must not make 300,000 messages (a 96 MB receipt that every later page
# re-reads): per file and level, the first MESSAGE_CAP messages are kept one by one; the rest are counted
# per (sheet, column, problem) and kept as one summary line each (at most MESSAGE_CAP such lines, then one
# last line with the count of everything else). The CLI, the receipts and the pages all show this list.
MESSAGE_CAP = 200


class Problems(list):
    """The messages about one file, in order (at most about 2 × MESSAGE_CAP per level, see above)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.counts = {ERROR: 0, WARNING: 0}  # every message reported, kept or not
        self.overflow: dict[tuple, int] = {}  # (level, file, sheet, column, text) → messages not kept
        for m in self:
            self.counts[m.level] += 1

    def error(self, file, text, **where) -> None:
        self._add(Message(ERROR, file, text, **where))

    def warning(self, file, text, **where) -> None:
        self._add(Message(WARNING, file, text, **where))

    def _add(self, message: Message) -> None:
        self.counts[message.level] += 1
        if self.counts[message.level] <= MESSAGE_CAP:
            self.append(message)
        else:
            key = (message.level, message.file, message.sheet, message.column, message.text)
            self.overflow[key] = self.overflow.get(key, 0) + 1

    def summarise(self) -> None:
        """Append one line per (sheet, column, problem) for the messages not kept; call once, at the end."""
        shown = {ERROR: 0, WARNING: 0}
        rest: dict[tuple[str, str], int] = {}  # (level, file) → messages beyond the summary lines too
        for (level, file, sheet, column, text), n in self.overflow.items():
            if shown[level] < MESSAGE_CAP:
                shown[level] += 1
                where = f"{column}：" if column else ""
                self.append(Message(level, file, f"另有 {n:,} 行同类{level}（{where}{text}）", sheet=sheet))
            else:
                rest[(level, file)] = rest.get((level, file), 0) + n
        for (level, file), n in rest.items():
            self.append(Message(level, file, f"另有 {n:,} 个{level}未逐条列出"))
        self.overflow = {}

    @property
    def errors(self) -> list[Message]:
        return [m for m in self if m.is_error]

    @property
    def warnings(self) -> list[Message]:
        return [m for m in self if not m.is_error]

    @property
    def error_count(self) -> int:
        """Every error reported, including those only counted in a summary line."""
        return self.counts[ERROR]

    @property
    def warning_count(self) -> int:
        return self.counts[WARNING]
