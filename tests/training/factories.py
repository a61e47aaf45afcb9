"""Training factories: topics and sessions (with their audience) written straight to the
tables; the flows under test go through the services."""

import datetime

import factory
from django.utils import timezone

from coordination.training.models import TrainingAudience, TrainingSession, TrainingTopic
from tests import factories


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingTopic

    name = factory.Sequence(lambda n: f"主题{n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession
        skip_postgeneration_save = True

    topic = factory.SubFactory(TopicFactory)
    title = factory.Sequence(lambda n: f"培训{n}")
    trainer_name = "外部讲师"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    duration_minutes = 90
    created_by = factory.LazyFunction(factories.pmo_user)

    @factory.post_generation
    def audience(self, create, extracted, **kwargs):
        for department in extracted or ["business"]:
            TrainingAudience.objects.create(session=self, department=department)
