"""Query building blocks shared by the apps' selectors."""

from __future__ import annotations

from django.db.models import Aggregate, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def per_row(children: QuerySet, link: str, aggregate: Aggregate) -> Coalesce:
    """`aggregate` over the `children` whose `link` (a foreign key) is the outer row, as a
    correlated subquery (0 when there are none). A page's list evaluates it for the rows it
    returns only; a join + GROUP BY aggregates every row before the LIMIT (at 100,000
    projects the review list spent 1 s there)."""
    rows = (
        children.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(value=aggregate)
        .values("value")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)
