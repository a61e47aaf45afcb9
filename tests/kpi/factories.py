"""Factories for the KPI inputs."""

import datetime

import factory

from kpi.models import Complaint, SatisfactionSurvey
from tests.factories import ProjectFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SatisfactionSurvey

    project = factory.SubFactory(ProjectFactory)
    respondent = factory.Sequence(lambda n: f"客户代表 {n}")
    overall_score = 5
    scores = factory.LazyFunction(lambda: {"沟通协调": 5, "施工质量": 4})
    surveyed_on = datetime.date(2026, 3, 15)


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    project = factory.SubFactory(ProjectFactory)
    source = Complaint.Source.CUSTOMER
    category = Complaint.Category.QUALITY
    severity = Complaint.Severity.MEDIUM
    description = "设备安装偏差"
    responsible_department = "engineering"
    opened_on = datetime.date(2026, 3, 2)
