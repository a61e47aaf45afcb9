"""Demo data for the ERP integration: one API client (its key printed once by seed_demo)."""

from __future__ import annotations

from coordination.devtools.demo.context import DemoContext
from coordination.integration import services as integration
from coordination.integration.models import ApiClient, ApiScope

DEMO_CLIENT = "金蝶云星空（演示）"


def seed_integration(ctx: DemoContext) -> None:
    if ApiClient.objects.filter(name=DEMO_CLIENT).exists():
        return
    _client, key = integration.create_api_client(
        name=DEMO_CLIENT,
        scopes=[ApiScope.READ, ApiScope.WRITE_CUSTOMERS, ApiScope.WRITE_PROJECTS],
        notes="演示用ERP客户端：python docs/examples/erp_sync.py --help",
    )
    ctx.log(f"demo ERP API client {DEMO_CLIENT!r}: Authorization: Token {key}")
