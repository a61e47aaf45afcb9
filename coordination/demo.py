"""Registry of demo-data seeders used by `manage.py seed_demo`.

Each app contributes seeders in modules named `<app>/demo.py` or `<app>/demo_*.py`:

    from coordination.demo import seeder

    @seeder(order=30)
    def seed_handover(ctx: DemoContext) -> None:
        ...  # idempotent: get_or_create by natural keys

`ctx.users` maps demo usernames to users, `ctx.projects` lists the demo projects (with their
stages already set), `ctx.today` is the reference date. Lower `order` runs first; the base
seeder (users, customers, projects, milestones, risks) has order 0.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps


@dataclass
class DemoContext:
    today: datetime.date
    users: dict = field(default_factory=dict)
    projects: list = field(default_factory=list)
    log: Callable[[str], None] = print


_seeders: list[tuple[int, str, Callable[[DemoContext], None]]] = []


def seeder(order: int = 50):
    def register(func):
        key = f"{func.__module__}.{func.__qualname__}"
        if all(k != key for _, k, _f in _seeders):
            _seeders.append((order, key, func))
        return func

    return register


def discover() -> list[Callable[[DemoContext], None]]:
    """Import every local app's demo modules and return the seeders in order."""
    for config in apps.get_app_configs():
        if not config.path.startswith(
            str(apps.get_app_config("coordination").path.rsplit("/", 1)[0])
        ):
            continue
        for info in pkgutil.iter_modules([config.path]):
            if info.name == "demo" and config.name == "coordination":
                continue
            if info.name == "demo" or info.name.startswith("demo_"):
                importlib.import_module(f"{config.name}.{info.name}")
    return [func for _, _, func in sorted(_seeders, key=lambda s: (s[0], s[1]))]
