import pytest
from django.core.cache import cache

from tests.chat.fakes import FakePlatforms


@pytest.fixture
def platforms(settings):
    fake = FakePlatforms().start()
    settings.CHAT_PLATFORMS = fake.settings()
    cache.delete_many([f"chat:token:{p}:{c[0]}" for p, c in fake.credentials.items()])
    yield fake
    fake.stop()
