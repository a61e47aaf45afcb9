"""Demo data for the project team: PMO's department defaults for the demo company (business
lead, engineering director, tech lead, finance representative) and one customer-specific
default (the metro customer's projects get their own tech lead). Idempotent."""

from __future__ import annotations

from coordination.devtools.demo.context import DemoContext
from projects.core.models import Customer, DefaultMember, MemberRole

COMPANY_DEFAULTS = [
    (MemberRole.BUSINESS_LEAD, "biz_lead"),
    (MemberRole.ENGINEERING_DIRECTOR, "eng_director"),
    (MemberRole.TECH_LEAD, "tech_lead"),
    (MemberRole.FINANCE_REP, "finance"),
]
# customer erp_id, role, username: replaces the company's default for that role
CUSTOMER_DEFAULTS = [("DEMO-C004", MemberRole.TECH_LEAD, "eng_pm2")]


def seed_team(ctx: DemoContext) -> None:
    made = 0
    for role, username in COMPANY_DEFAULTS:
        _row, created = DefaultMember.objects.get_or_create(
            role=role, user=ctx.users[username], customer=None
        )
        made += created
    for erp_id, role, username in CUSTOMER_DEFAULTS:
        customer = Customer.objects.filter(erp_id=erp_id).first()
        if customer is not None:
            _row, created = DefaultMember.objects.get_or_create(
                role=role, user=ctx.users[username], customer=customer
            )
            made += created
    ctx.log(f"department defaults: {made} new")
