"""The demo-data seeders used by `manage.py seed_demo`.

One module a room, each with one idempotent seeder (get_or_create by natural keys);
`seeders()` lists them in the order they run. `ctx.users` maps demo usernames to users,
`ctx.projects` lists the demo projects (with their
stages already set), `ctx.today` is the reference date.
"""

from coordination.devtools.demo.context import DemoContext

__all__ = ["DemoContext"]
