import datetime
from decimal import Decimal

import factory

from projects.payments.models import DueCondition, PaymentMilestone
from tests import factories


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment tied to a delivery milestone (30 days after its acceptance); its dates as the
    service computes them."""

    class Meta:
        model = PaymentMilestone

    project = factory.SubFactory(factories.ProjectFactory)
    milestone = factory.LazyAttribute(lambda o: factories.MilestoneFactory(project=o.project))
    name = factory.Sequence(lambda n: f"收款节点 {n}")
    amount = Decimal("100000.00")
    due_condition = DueCondition.ACCEPTANCE
    days_after = 30
    due_date = factory.LazyAttribute(
        lambda o: (
            (o.milestone.actual_date or o.milestone.forecast_date)
            + datetime.timedelta(days=o.days_after)
            if o.milestone
            else o.fixed_date
        )
    )
    baseline_due_date = factory.LazyAttribute(
        lambda o: (
            o.milestone.baseline_date + datetime.timedelta(days=o.days_after)
            if o.milestone
            else o.fixed_date
        )
    )
