"""Who may do what. Roles are data: a users file in ECMON_HOME, or the identity provider's claims.

    $ECMON_HOME/users.toml
        [[user]]
        sub = "c1a2…"            # the provider's stable id (or: email = "…")
        name = "王敏"
        role = "县区填报员"        # or its code: county_clerk
        region = "连平县"          # a county clerk's county or zone (name, short name or code)
                                 # a unit clerk (单位填报员: task progress F8) has unit = "市商务局" instead

The file wins over the claims (a line removed there takes effect at once, while a claim waits for the next
sign-in); without a line, the claims ``ecmon_role`` / ``ecmon_region`` / ``ecmon_unit`` are read. A signed-in
person with neither has no role and sees nothing but a sentence saying so.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field

from etl.catalog import current, norm
from etl.config import home

# capabilities
VIEW = "view"  # the reading pages: 总览, 目标详情, 县区比较, 政策条款
EXPORT = "export"  # downloads, the briefing and the 督查通报
EXPLORE = "explore"  # 数据探索 with the SQL console
SUBMIT = "submit"  # send report forms (a county clerk only for the own county)
REVIEW = "review"  # approve or return submissions, lock and unlock periods
ALL_RECEIPTS = "all_receipts"  # see every county's receipts (a clerk sees the own county's)


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    can: frozenset[str]
    scoped: bool = False  # acts for one region (or unit) only


ROLES = {r.code: r for r in (
    Role("county_clerk", "县区填报员", frozenset({VIEW, SUBMIT}), scoped=True),
    Role("unit_clerk", "单位填报员", frozenset({VIEW, SUBMIT}), scoped=True),
    Role("reviewer", "审核员", frozenset({VIEW, EXPORT, SUBMIT, REVIEW, ALL_RECEIPTS, EXPLORE})),
    Role("leader", "领导", frozenset({VIEW, EXPORT, ALL_RECEIPTS})),
    Role("inspector", "督查组", frozenset({VIEW, EXPORT, ALL_RECEIPTS})),
    Role("analyst", "分析员", frozenset({VIEW, EXPORT, EXPLORE})),
)}
BY_LABEL = {r.label: r for r in ROLES.values()}
# With no identity provider configured the app is read-only for everyone.
READ_ONLY = Role("read_only", "只读访问", frozenset({VIEW, EXPORT, EXPLORE, ALL_RECEIPTS}))
NO_ROLE = Role("none", "未分配角色", frozenset())


@dataclass(frozen=True)
class Person:
    """Someone using the app (or the command line)."""

    user: str  # a stable id: the provider's sub, the demo account, or user@host
    name: str
    role: Role
    region: str | None = None  # what a scoped role acts for: a region code (county clerk) or a unit's name
    signed_in: bool = True
    source: str = ""  # how the role was found: 用户文件 / 身份认证声明 / 演示账号

    def can(self, capability: str) -> bool:
        return capability in self.role.can

    @property
    def scope_label(self) -> str | None:
        return current().scope_name(self.region)


@dataclass
class Directory:
    """The users file, read afresh when it changes."""

    entries: list[dict] = field(default_factory=list)
    stamp: tuple | None = None


_directory = Directory()


def users_file():
    return home() / "users.toml"


def _entries() -> list[dict]:
    path = users_file()
    try:
        st = path.stat()
    except FileNotFoundError:
        return []
    stamp = (str(path), st.st_mtime_ns, st.st_size)
    if _directory.stamp != stamp:
        try:
            _directory.entries = list(tomllib.loads(path.read_text(encoding="utf-8")).get("user", []))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            _directory.entries = []  # a broken file grants nothing (the page says no role)
        _directory.stamp = stamp
    return _directory.entries


def role_of(text: str | None) -> Role | None:
    if not text:
        return None
    return ROLES.get(str(text).strip()) or BY_LABEL.get(str(text).strip())


def person(claims: dict, source_claims: str = "身份认证声明") -> Person:
    """The signed-in person from the provider's ID-token claims (and the users file)."""
    sub = str(claims.get("sub") or "")
    email = str(claims.get("email") or "")
    name = str(claims.get("name") or claims.get("preferred_username") or email or sub or "未知用户")
    entry = next((e for e in _entries() if (sub and str(e.get("sub", "")) == sub)
                  or (email and str(e.get("email", "")).lower() == email.lower())), None)
    if entry is not None:
        role, source = role_of(entry.get("role")), "用户文件"
        region_text, unit_text = entry.get("region"), entry.get("unit")
        name = str(entry.get("name") or name)
    else:
        role, source = role_of(claims.get("ecmon_role")), source_claims
        region_text, unit_text = claims.get("ecmon_region"), claims.get("ecmon_unit")
    catalog = current()
    scope = None
    if role is not None and role.code == "unit_clerk":
        scope = catalog.units.get(norm(str(unit_text))) if unit_text else None
    elif role is not None and role.scoped:
        scope = catalog.region_code(str(region_text)) if region_text else None
    if role is None or (role.scoped and scope is None):
        return Person(sub or email or name, name, NO_ROLE, None, True, source)
    return Person(sub or email or name, name, role, scope, True, source)


def anonymous() -> Person:
    return Person("anonymous", "访客", READ_ONLY, None, False, "未配置身份认证")


# Demo accounts: only when ECMON_DEMO_LOGIN=1 (off by default; every page then says so).
DEMO_ACCOUNTS = [
    {"sub": "demo-lianping", "name": "连平县填报员（演示）", "ecmon_role": "county_clerk", "ecmon_region": "441623"},
    {"sub": "demo-heping", "name": "和平县填报员（演示）", "ecmon_role": "county_clerk", "ecmon_region": "441624"},
    {"sub": "demo-commerce", "name": "市商务局填报员（演示）", "ecmon_role": "unit_clerk", "ecmon_unit": "市商务局"},
    {"sub": "demo-reviewer-a", "name": "审核员甲（演示）", "ecmon_role": "reviewer"},
    {"sub": "demo-reviewer-b", "name": "审核员乙（演示）", "ecmon_role": "reviewer"},
    {"sub": "demo-leader", "name": "领导（演示）", "ecmon_role": "leader"},
    {"sub": "demo-inspector", "name": "督查组（演示）", "ecmon_role": "inspector"},
    {"sub": "demo-analyst", "name": "分析员（演示）", "ecmon_role": "analyst"},
]
