"""The SQL console's sandbox: one statement typed by an analyst, checked and run in a process of its own.

``dashboard.sql_console.run`` starts ``python -I dashboard/sql_sandbox.py`` for every query, writes the request
as JSON to its stdin and reads back one JSON line (the outcome) and the rows as an Arrow IPC stream. This
file imports only duckdb and pyarrow (no Streamlit, no polars, nothing of the project), so the worker starts
in about half a second. What holds, from the outside in:

1. The worker process: its address space is capped (``RLIMIT_AS``, ``ADDRESS_SPACE``) before DuckDB is
   loaded, so no query can take the server's memory: DuckDB's own ``memory_limit`` does not cover every
   allocation (``repeat('x', 2000000000)`` built a 2 GB string past a 1 GB limit); here the allocation fails
   and the query ends with the Chinese memory message. The parent kills the worker if it overruns the time
   limit; DuckDB's temporary directory is off (``temp_directory=''``, ``max_temp_directory_size=0``), so
   nothing spills to disk (it used to spill into ``./.tmp`` of the server's working directory).
2. The connection: a fresh in-memory DuckDB that ATTACHes the published warehouse READ_ONLY and ``USE``s it;
   then the sandbox is closed (stack.md: ``read_only`` alone still allows ``read_csv('/etc/passwd')``,
   ``COPY … TO`` and ``ATTACH``)::

    enable_external_access=false        no file or network access: read_csv/COPY/ATTACH/EXPORT/INSTALL fail
    disabled_filesystems=LocalFileSystem  not even the warehouse file itself (read_blob/read_text of it)
    allow_community_extensions=false    no community extensions
    autoload_known_extensions=false     no extension loaded behind the user's back
    autoinstall_known_extensions=false  … nor installed
    memory_limit, threads               a query cannot take the machine
    TimeZone                            times shown in Beijing time (Asia/Shanghai)
    lock_configuration=true             and none of the above can be SET, RESET or PRAGMA'd back

3. The statement, checked on DuckDB's own parse tree (``json_serialize_sql``) before it runs: one statement
   of a reading kind; in FROM only the warehouse's tables, views and table macros, ``information_schema``
   and a few generating functions (``range``, ``unnest`` …); no system views or functions that show the
   server (``duckdb_settings()``, ``duckdb_databases()``, ``pragma_database_list``, ``pg_settings``,
   ``current_setting()``, ``SHOW <setting>``, ``PRAGMA database_list`` …), no file functions. A PIVOT whose
   columns come from the data cannot be serialised; its words are checked against the same names instead.
4. The result: at most ``row_limit`` rows and ``MAX_RESULT_BYTES``; a text longer than ``MAX_TEXT_CHARS``
   is cut. Every failure comes back as a short Chinese message, never a traceback; DuckDB's own line is
   passed on only for mistakes (syntax, names, types) and never when it names a server path.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

ROW_LIMIT = 10_000
TIME_LIMIT_S = 10.0
MEMORY_LIMIT = "1GB"
ADDRESS_SPACE = 3 * 2**29  # 1.5 GiB: the worker's whole address space (the interpreter and DuckDB need ~0.4)
MAX_RESULT_BYTES = 64 * 2**20
MAX_TEXT_CHARS = 10_000
THREADS = 2
BATCH_ROWS = 2048

# Given at connect: before anything runs (temp_directory cannot be changed once external access is off).
CONNECT_CONFIG = {"temp_directory": "", "max_temp_directory_size": "0B", "python_enable_replacements": False,
                  "home_directory": "", "extension_directory": "", "secret_directory": ""}
# Set after ATTACH + USE, in this order; lock_configuration last (it freezes every setting, itself included).
SANDBOX_SETTINGS = (
    ("enable_external_access", "false"),
    ("disabled_filesystems", "'LocalFileSystem'"),
    ("allow_community_extensions", "false"),
    ("autoload_known_extensions", "false"),
    ("autoinstall_known_extensions", "false"),
    ("memory_limit", f"'{MEMORY_LIMIT}'"),
    ("threads", str(THREADS)),
    ("TimeZone", "'Asia/Shanghai'"),  # 接收时间 and other TIMESTAMPTZ shown in Beijing time
    ("lock_configuration", "true"),
)

ALLOWED = {"SELECT", "EXPLAIN", "PRAGMA", "CALL", "MULTI"}  # MULTI: a PIVOT without an IN list
# Table functions an analyst may use in FROM (besides the warehouse's own table macros, e.g. progress_at).
SAFE_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest", "repeat", "repeat_row", "json_each",
                                  "json_tree"})
HIDDEN_FUNCTIONS = frozenset({"current_setting", "getenv"})  # scalar functions that read the server's settings
SAFE_PRAGMAS = frozenset({"table_info", "show", "show_tables", "show_tables_expanded", "show_databases", "version"})
SAFE_SHOW = frozenset({'"tables"', '"databases"', '"schemas"', "__show_tables_expanded"})  # SHOW TABLES …
PUBLIC_CATALOGS = frozenset({"", "warehouse"})
PUBLIC_SCHEMAS = frozenset({"", "main", "warehouse", "information_schema"})

REFUSED = {
    "COPY": "不能用 COPY 导入或导出文件。查询结果可以用下方的“下载 CSV”按钮保存。",
    "EXPORT": "不能用 EXPORT DATABASE 导出数据库。查询结果可以用下方的“下载 CSV”按钮保存。",
    "ATTACH": "不能用 ATTACH 连接其他数据库：控制台只能查询河源电商数据仓库。",
    "DETACH": "不能用 DETACH 断开数据仓库。",
    "SET": "不能用 SET / RESET / USE 更改数据库设置：控制台的设置已锁定。",
    "LOAD": "不能用 INSTALL / LOAD 安装或加载扩展。",
    "CREATE": "数据仓库是只读的：不能新建表、视图或函数（CREATE）。需要中间结果时请用 WITH 子句。",
    "INSERT": "数据仓库是只读的：不能插入数据（INSERT）。",
    "UPDATE": "数据仓库是只读的：不能修改数据（UPDATE）。",
    "DELETE": "数据仓库是只读的：不能删除数据（DELETE）。",
    "DROP": "数据仓库是只读的：不能删除表或视图（DROP）。",
    "ALTER": "数据仓库是只读的：不能修改表结构（ALTER）。",
    "TRANSACTION": "控制台的每条查询都单独执行，不需要 BEGIN / COMMIT。",
    "PREPARE": "控制台不支持 PREPARE / EXECUTE，请直接写出完整的查询。",
    "EXECUTE": "控制台不支持 PREPARE / EXECUTE，请直接写出完整的查询。",
    "VACUUM": "数据仓库是只读的：不能执行 VACUUM / ANALYZE。",
}

MSG_EMPTY = "请输入一条 SQL 查询语句。"
MSG_MANY = "一次只能执行一条 SQL 语句（这里有 {n} 条）。请删掉其余语句，或分几次执行。"
MSG_KIND = "控制台只能执行查询（SELECT、WITH、DESCRIBE、SHOW、SUMMARIZE、EXPLAIN 等），不能执行 {kind} 语句。"
MSG_FILES = ("不能读写服务器上的文件（read_csv、read_parquet、read_blob、glob、COPY、ATTACH、EXPORT 等均已禁用）。"
             "控制台只能查询数据仓库里的表和视图，表名见“数据字典”。")
MSG_HIDDEN = ("控制台不开放数据库的系统信息（{name}：设置、数据库文件、扩展、系统目录等）。"
              "可以查询的表和视图见“数据字典”；列名可用 DESCRIBE 表名 查看。")
MSG_TABLE_FUNCTION = ("控制台在 FROM 中只能使用数据仓库的表、视图和 progress_at() 等表函数，以及 range()、"
                      "generate_series()、unnest() 等生成数据的函数，不能使用 {name}()。")
MSG_PRAGMA = "控制台只支持 PRAGMA table_info('表名') 和 PRAGMA show_tables，不支持 PRAGMA {name}。"
MSG_EXTENSION = "不能安装或加载扩展（INSTALL / LOAD）。"
MSG_LOCKED = "不能更改数据库设置（SET、RESET、PRAGMA 设置项等）：控制台的设置已锁定。"
MSG_READ_ONLY = "数据仓库是只读的：不能新建、修改或删除任何表和数据。"
MSG_TIMEOUT = "查询超过 {s:g} 秒仍未结束，已自动停止。请缩小范围（加 WHERE 条件、先聚合再关联、避免无条件的多表相乘）后再试。"
MSG_MEMORY = "查询所需内存超过上限（{limit}），已停止。请缩小范围或先聚合后再试。"
MSG_SYNTAX = "SQL 语法有误，请检查拼写、逗号、引号和括号。"
MSG_CATALOG = "找不到所写的表、视图、列或函数。可用的表和列见“数据字典”。"
MSG_BINDER = "列名、函数或数据类型不匹配，请检查列名是否存在、参数类型是否正确。"
MSG_CONVERT = "数据类型转换失败（例如把文字当成数字），请检查 CAST 和比较的两边类型。"
MSG_OTHER = "查询没有执行成功。"
MSG_UNSHOWABLE = "查询结果中有无法显示的数据类型，请用 CAST(列 AS VARCHAR) 转成文字后再试。"

FILE_FUNCTIONS = ("read_", "parquet_", "sniff_", "glob", "iceberg", "delta_", "arrow_scan", "parquet_scan")
SERVER_FUNCTIONS = ("duckdb_", "pragma_", "which_secret", "checkpoint", "force_checkpoint", "enable_", "disable_",
                    "query", "json_execute_serialized_sql", "register_", "create_", "destroy_", "deregister_",
                    "truncate_duckdb_logs")


class Refused(Exception):
    """A statement the console does not run; the message is the Chinese text to show."""


def sandbox(warehouse) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB with the warehouse attached read-only, in use, and the sandbox locked."""
    con = duckdb.connect(":memory:", config=CONNECT_CONFIG)
    try:
        path = str(warehouse).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
        con.execute("USE warehouse")
        for name, value in SANDBOX_SETTINGS:
            con.execute(f"SET {name} = {value}")
    except Exception:
        con.close()
        raise
    return con


# ---- the statement check ----------------------------------------------------------------------------------

class Names:
    """What the sandbox's catalog offers: the warehouse's names, its table macros, and the system's names."""

    def __init__(self, con):
        def names(sql: str) -> frozenset[str]:
            return frozenset(r[0].lower() for r in con.execute(sql).fetchall())

        self.public = names("SELECT table_name FROM duckdb_tables() WHERE database_name = 'warehouse' UNION "
                            "SELECT view_name FROM duckdb_views() WHERE database_name = 'warehouse'")
        self.macros = names("SELECT function_name FROM duckdb_functions() WHERE database_name = 'warehouse' "
                            "AND function_type = 'table_macro'")
        self.system = names("SELECT view_name FROM duckdb_views() WHERE database_name IN ('system', 'temp') "
                            "AND schema_name <> 'information_schema' UNION "
                            "SELECT table_name FROM duckdb_tables() WHERE database_name IN ('system', 'temp')")
        self.table_functions = names("SELECT function_name FROM duckdb_functions() "
                                     "WHERE function_type IN ('table', 'table_macro', 'pragma') "
                                     "AND database_name = 'system'")


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _shown(name: str) -> str:
    """What the analyst wrote, for a message: letters, digits and . _ ( ) only (messages are shown as Markdown)."""
    return re.sub(r"[^\w.() ]", "", name)[:80]


def _table_function_refusal(name: str) -> str:
    if name.startswith(FILE_FUNCTIONS):
        return MSG_FILES
    if name.startswith(SERVER_FUNCTIONS):
        return MSG_HIDDEN.format(name=_shown(f"{name}()"))
    return MSG_TABLE_FUNCTION.format(name=_shown(name))


def _check_tree(tree: dict, names: Names) -> None:
    """Refuse anything in a parsed SELECT that is not the warehouse's data (see the module's point 3)."""
    for node in _walk(tree):
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            name = str((node.get("function") or {}).get("function_name", "")).lower()
            if name not in SAFE_TABLE_FUNCTIONS and name not in names.macros:
                raise Refused(_table_function_refusal(name))
        elif "function_name" in node and str(node["function_name"]).lower() in HIDDEN_FUNCTIONS:
            raise Refused(MSG_HIDDEN.format(name=_shown(f"{str(node['function_name']).lower()}()")))
        elif kind == "BASE_TABLE":
            catalog, schema = str(node.get("catalog_name", "")).lower(), str(node.get("schema_name", "")).lower()
            table = str(node.get("table_name", "")).lower()
            if any(ch in table for ch in "/\\:") or re.search(r"\.[a-z0-9]{1,8}$", table):
                raise Refused(MSG_FILES)  # a file name as a table (a replacement scan)
            if catalog not in PUBLIC_CATALOGS or schema not in PUBLIC_SCHEMAS:
                raise Refused(MSG_HIDDEN.format(name=_shown(".".join(p for p in (catalog, schema, table) if p))))
            if schema != "information_schema" and (table in names.system or (
                    table in names.table_functions and table not in names.public)):
                raise Refused(MSG_HIDDEN.format(name=_shown(table)))  # e.g. SUMMARIZE duckdb_settings
        elif kind == "SHOW_REF":
            table = str(node.get("table_name", ""))
            if node.get("show_type") == "SHOW_SPECIAL":
                if table.lower() not in SAFE_SHOW:
                    raise Refused(MSG_HIDDEN.format(name=_shown(f"SHOW {table.strip(chr(34))}")))
            elif table and table.lower() not in names.public:
                raise Refused(MSG_HIDDEN.format(name=_shown(f"SHOW {table}")))  # SHOW temp_directory: a setting


def _check_words(sql: str, names: Names) -> None:
    """For a statement that cannot be serialised (a PIVOT whose columns come from the data): no word of it
    may name a system view, a server or file function or another database (stricter than the tree check)."""
    tokens = duckdb.tokenize(sql)
    bounds = [start for start, _ in tokens] + [len(sql)]
    forbidden = (names.system | names.table_functions | HIDDEN_FUNCTIONS) - SAFE_TABLE_FUNCTIONS - names.macros
    for (start, kind), end in zip(tokens, bounds[1:], strict=True):
        if kind.name not in ("identifier", "keyword"):
            continue
        word = sql[start:end].strip().strip('"').lower()
        if word in forbidden:
            raise Refused(_table_function_refusal(word) if word in names.table_functions
                          else MSG_HIDDEN.format(name=_shown(word)))
        if word in ("system", "memory", "temp", "pg_catalog"):
            raise Refused(MSG_HIDDEN.format(name=_shown(word)))


def _serialised(con, sql: str) -> dict | None:
    out = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchall()[0][0])
    return None if out.get("error") else out


def check_statement(con, sql: str) -> str:
    """The one statement in ``sql`` if it may run; raises Refused (Chinese) otherwise."""
    if not sql or not sql.strip():
        raise Refused(MSG_EMPTY)
    statements = con.extract_statements(sql)  # parser only: touches nothing
    if not statements:
        raise Refused(MSG_EMPTY)
    if len(statements) > 1:
        raise Refused(MSG_MANY.format(n=len(statements)))
    _check_one(con, statements[0], Names(con))
    return sql


def _check_one(con, statement, names: Names) -> None:
    kind = statement.type.name
    if kind not in ALLOWED:
        raise Refused(REFUSED.get(kind, MSG_KIND.format(kind=kind)))
    text = statement.query.strip()
    if kind == "SELECT":
        tree = _serialised(con, text)
        if tree is None:
            raise Refused(MSG_KIND.format(kind=kind))
        _check_tree(tree, names)
    elif kind == "MULTI":
        _check_words(text, names)
    elif kind == "CALL":  # CALL f(…) is SELECT * FROM f(…)
        _check_one(con, _only(con, "SELECT * FROM " + re.sub(r"(?is)^CALL\s+", "", text)), names)
    elif kind == "EXPLAIN":
        inner = re.sub(r"(?is)^EXPLAIN\s*(\([^)]*\)\s*)?(ANALY[SZ]E\b\s*)?", "", text)
        _check_one(con, _only(con, inner), names)
    elif kind == "PRAGMA":
        match = re.match(r'(?is)^PRAGMA\s+"?(\w+)"?\s*(=)?', text)
        name = (match.group(1) if match else "").lower()
        if match and match.group(2):
            raise Refused(MSG_LOCKED)
        if name not in SAFE_PRAGMAS:
            raise Refused(MSG_PRAGMA.format(name=_shown(name or text[:30])))


def _only(con, sql: str):
    try:
        statements = con.extract_statements(sql)
    except Exception as exc:
        raise Refused(MSG_SYNTAX) from exc
    if len(statements) != 1:
        raise Refused(MSG_MANY.format(n=len(statements)))
    return statements[0]


# ---- running ----------------------------------------------------------------------------------------------

def friendly(exc: BaseException, time_limit: float = TIME_LIMIT_S, private: tuple[str, ...] = ()) -> tuple[str, str | None]:
    """(Chinese message, DuckDB's own first line or None) for an exception raised by a run. ``private``: texts
    (server paths) that must not be shown; a line containing one is dropped."""
    text = str(exc)
    first = text.strip().splitlines()[0] if text.strip() else ""
    detail = re.sub(r"^[A-Za-z ]*Error:\s*", "", first) or None
    if detail and any(p and p in detail for p in private):
        detail = None
    if isinstance(exc, Refused):
        return text, None
    if isinstance(exc, duckdb.InterruptException):
        return MSG_TIMEOUT.format(s=time_limit), None
    if isinstance(exc, duckdb.OutOfMemoryException | MemoryError):
        return MSG_MEMORY.format(limit=MEMORY_LIMIT), None
    if isinstance(exc, duckdb.PermissionException):
        if "file system" not in text.lower() and "extension" in text.lower():
            return MSG_EXTENSION, None
        return MSG_FILES, None
    if "configuration has been locked" in text or "Cannot change configuration" in text:
        return MSG_LOCKED, None
    if "read-only" in text or "read only" in text.lower():
        return MSG_READ_ONLY, None
    if isinstance(exc, duckdb.ParserException):
        return MSG_SYNTAX, detail
    if isinstance(exc, duckdb.CatalogException):
        return MSG_CATALOG, detail
    if isinstance(exc, duckdb.BinderException):
        return MSG_BINDER, detail
    if isinstance(exc, duckdb.ConversionException):
        return MSG_CONVERT, detail
    return MSG_OTHER, detail


def _cut_long_text(batch):
    """``batch`` with every text/binary value longer than MAX_TEXT_CHARS cut; and how many were cut."""
    columns, cut = [], 0
    for column in batch.columns:
        typ = column.type
        if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
            column = column.cast(pa.large_string()) if pa.types.is_string_view(typ) else column
            long = pc.greater(pc.utf8_length(column), MAX_TEXT_CHARS)
            n = pc.sum(long).as_py() or 0
            if n:
                short = pc.binary_join_element_wise(pc.utf8_slice_codeunits(column, 0, MAX_TEXT_CHARS), "…", "")
                column = pc.if_else(long, short, column)
                cut += n
        elif pa.types.is_binary(typ) or pa.types.is_large_binary(typ) or pa.types.is_binary_view(typ):
            column = column.cast(pa.large_binary()) if pa.types.is_binary_view(typ) else column
            long = pc.greater(pc.binary_length(column), MAX_TEXT_CHARS)
            n = pc.sum(long).as_py() or 0
            if n:
                column = pc.if_else(long, pc.binary_slice(column, 0, MAX_TEXT_CHARS), column)
                cut += n
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names), cut


def fetch(con, sql: str, row_limit: int):
    """(Arrow table of at most row_limit rows, what cut it: None | "rows" | "bytes", texts cut). Streamed: an
    endless or huge result is cut, not materialised."""
    rel = con.sql(sql)
    if rel is None:  # a statement with no result set
        return pa.table({}), None, 0
    reader = rel.to_arrow_reader(BATCH_ROWS)
    batches, rows, size, cut, limited = [], 0, 0, 0, None
    try:
        for batch in reader:
            batch, n_cut = _cut_long_text(batch)
            cut += n_cut
            if rows + batch.num_rows > row_limit:
                batch, limited = batch.slice(0, row_limit - rows), "rows"
            if size + batch.nbytes > MAX_RESULT_BYTES:  # keep the rows that fit (rows of a batch are alike)
                keep = batch.num_rows * (MAX_RESULT_BYTES - size) // max(batch.nbytes, 1)
                batch, limited = batch.slice(0, keep), "bytes"
            batches.append(batch)
            rows += batch.num_rows
            size += batch.nbytes
            if limited:
                break
        schema = batches[0].schema if batches else reader.schema
    finally:
        reader.close()
    return pa.Table.from_batches(batches, schema=schema), limited, cut


def execute(request: dict):
    """Run one request {sql, warehouse, row_limit, time_limit} here; (outcome dict, Arrow table or None)."""
    warehouse = request["warehouse"]
    time_limit = float(request.get("time_limit", TIME_LIMIT_S))
    private = tuple(p for p in (os.path.dirname(str(warehouse)), str(warehouse), os.path.expanduser("~")) if len(p) > 1)
    started = time.monotonic()
    con = timer = None
    try:
        con = sandbox(warehouse)
        statement = check_statement(con, request["sql"])
        timer = threading.Timer(time_limit, con.interrupt)
        timer.daemon = True
        timer.start()
        table, limited, cut = fetch(con, statement, int(request.get("row_limit", ROW_LIMIT)))
        return {"statement": statement, "limited": limited, "cut_texts": cut,
                "elapsed": time.monotonic() - started}, table
    except BaseException as exc:  # noqa: BLE001 — every failure becomes a message: no traceback reaches the page
        message, detail = friendly(exc, time_limit, private)
        return {"error": message, "detail": detail, "elapsed": time.monotonic() - started}, None
    finally:
        if timer is not None:
            timer.cancel()
        if con is not None:
            con.close()


def main() -> int:
    """The worker: cap the address space, read the request from stdin, write the outcome and rows to stdout."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    out = sys.stdout.buffer
    outcome, table = execute(request)
    if table is not None:
        try:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            body = sink.getvalue()
        except MemoryError:
            outcome, body = {"error": MSG_MEMORY.format(limit=MEMORY_LIMIT), "detail": None}, b""
    else:
        body = b""
    out.write(json.dumps(outcome, ensure_ascii=False).encode("utf-8") + b"\n")
    out.write(body)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
