"""The house's floors, read from the code's own imports (docs/architecture.md).

Every product module is parsed with `ast`; each import names a room. An import may go down to
a lower floor or stay in its room, never up, so no two rooms can import each other. Imports
inside functions are rare and say why on their line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("coordination", "projects", "handover", "kpi")

# room: floor. A module imports only rooms on lower floors, or its own room.
FLOORS = {
    "core": 1,
    "accounts": 1.5,  # password reset and change, the TOTP second factor (reads core's roles)
    "integration": 2,
    "api": 3,
    "projects": 4,
    "documents": 4.5,  # documents and attachments: every room from tasks up attaches to it
    "payments": 4.6,  # payment milestones: tied to delivery milestones (core) only
    "training": 4.7,  # training sessions, attendance, feedback, materials (documents' checks)
    "tasks": 5,
    "presales": 6,
    "changes": 7,
    "requirements": 7.5,  # requirement texts made measurable: parser, classifier, evaluation
    "handover": 8,
    "kickoff": 9,
    "reviews": 10,
    "lessons": 10.5,  # lessons library: retrospective entries promoted, tags, improvement actions
    "rotations": 10.5,  # job rotation as a programme (projects below; kpi and dashboard read it)
    "kpi": 11,
    "warning": 11.5,  # early warning: features rebuilt from every room below, models, backtest
    "complaints": 11.5,  # complaints handled to the end (owner, answer, cause, closure)
    "dashboard": 12,
    "calendars": 12,  # working-days API, calendar feeds (reviews, milestones, tasks)
    "notifications": 12,  # the notification centre's API (reads core's inbox)
    "search": 12.5,  # one registry of per-kind search functions over every room's visibility
    # (above conversations: comments are a kind)
    "chat": 12,  # DingTalk / WeCom / Feishu work notices, card callbacks, directory, login
    "conversations": 12,  # comment threads on records of every room below, the activity stream
    "site": 13,  # settings, urls, celery, each app's faces (models.py, admin.py, apps.py)
    "devtools": 14,  # demo data, scale data, make run and their commands
}

# Longest prefix first; a module's room is the first prefix it starts with.
ROOMS = [
    ("coordination.core", "core"),
    ("coordination.accounts", "accounts"),
    ("coordination.api", "api"),
    ("coordination.integration", "integration"),
    ("coordination.kickoff", "kickoff"),
    ("coordination.reviews", "reviews"),
    ("coordination.lessons", "lessons"),
    ("coordination.training", "training"),
    ("coordination.rotations", "rotations"),
    ("coordination.dashboard.templatetags.workdays_tags", "core"),
    ("coordination.dashboard.templatetags.trust_tags", "core"),
    ("coordination.dashboard.templatetags.live_tags", "core"),
    ("coordination.dashboard", "dashboard"),
    ("coordination.calendars", "calendars"),
    ("coordination.search", "search"),
    ("coordination.notifications", "notifications"),
    ("coordination.conversations", "conversations"),
    ("coordination.chat", "chat"),
    ("coordination.devtools", "devtools"),
    ("coordination.management", "devtools"),
    ("coordination", "site"),
    ("projects.core", "projects"),
    ("projects.api", "projects"),
    ("projects.changes", "changes"),
    ("projects.presales", "presales"),
    ("projects.tasks", "tasks"),
    ("projects.documents", "documents"),
    ("projects.payments", "payments"),
    ("projects.warning", "warning"),
    ("projects.requirements", "requirements"),
    ("projects.templatetags.warning_tags", "warning"),
    ("projects.templatetags.documents_tags", "documents"),
    ("projects.templatetags.presales_tags", "presales"),
    ("projects", "site"),
    ("handover.models", "handover"),
    ("handover.admin", "handover"),
    ("handover.apps", "site"),
    ("handover", "handover"),
    ("kpi.apps", "site"),
    ("kpi.complaints", "complaints"),
    ("kpi", "kpi"),
]
FACES = {"coordination.models", "coordination.admin", "projects.models", "projects.admin"}
# Imports inside functions allowed at most this many times in the whole product.
MAX_FUNCTION_IMPORTS = 9


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported product module
    line: int
    in_function: bool
    in_ready: bool
    reason: str  # the comment on the import's line


def room_of(module: str) -> str:
    for prefix, room in ROOMS:
        if module == prefix or module.startswith(prefix + "."):
            return room
    raise AssertionError(f"{module} is in no room: add it to ROOMS")


def product_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts or rel.name.startswith("settings_test"):
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def _known(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports(modules: dict[str, Path]) -> list[Import]:
    found = []
    for module, path in modules.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        where: dict[int, tuple[bool, bool]] = {}
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(func):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        where[id(node)] = (
                            True,
                            where.get(id(node), (False, False))[1] or func.name == "ready",
                        )
        type_checking = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                type_checking.update(id(n) for n in ast.walk(node))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in type_checking:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                base = _absolute(module, path, node)
                names = [f"{base}.{alias.name}" for alias in node.names]
            in_function, in_ready = where.get(id(node), (False, False))
            text = " ".join(lines[node.lineno - 1 : node.end_lineno])
            reason = text.partition("#")[2].strip()
            for name in names:
                target = _known(name, modules)
                if target and target != module:
                    found.append(Import(module, target, node.lineno, in_function, in_ready, reason))
    return found


MODULES = product_modules()
IMPORTS = imports(MODULES)


def test_every_module_has_a_room():
    for module in MODULES:
        assert room_of(module) in FLOORS


def test_no_import_runs_up_a_floor():
    upward = []
    for imp in IMPORTS:
        source, target = room_of(imp.source), room_of(imp.target)
        if source != target and FLOORS[target] >= FLOORS[source]:
            upward.append(f"{imp.source}:{imp.line} ({source}) -> {imp.target} ({target})")
    assert upward == []


def test_no_product_module_imports_a_face():
    via_face = [f"{i.source}:{i.line} -> {i.target}" for i in IMPORTS if i.target in FACES]
    assert via_face == []


def test_no_circle_between_modules():
    graph: dict[str, set[str]] = {}
    for imp in IMPORTS:
        if not imp.in_function:
            graph.setdefault(imp.source, set()).add(imp.target)
    circles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(trail[trail.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert circles == []


def test_imports_inside_functions_are_few_and_say_why():
    inside = [i for i in IMPORTS if i.in_function and not i.in_ready]
    statements = {(i.source, i.line): i for i in inside}
    unexplained = [f"{s}:{line}" for (s, line), i in statements.items() if not i.reason]
    assert unexplained == []
    assert len(statements) <= MAX_FUNCTION_IMPORTS, sorted(statements)


@pytest.mark.parametrize("face", sorted(FACES))
def test_faces_define_nothing(face):
    tree = ast.parse(MODULES[face].read_text(encoding="utf-8"))
    defined = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    assert defined == []
    assert not any(
        isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in tree.body
    )
