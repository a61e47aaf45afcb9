"""What every demo seeder is handed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class DemoContext:
    today: datetime.date
    users: dict = field(default_factory=dict)
    projects: list = field(default_factory=list)
    log: Callable[[str], None] = print
