"""The scorecard configuration a process keeps (kpi.selectors.config.scorecard_config) is read
again after every save or delete of a card, weight, KPI definition or closed period, and
never kept from inside a transaction. Transactional tests: the reads happen outside any
atomic block, as in production (ATOMIC_REQUESTS is off)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kpi import periods as P
from kpi import selectors
from kpi.models import ClosedPeriod, KpiDefinition, Scorecard, ScorecardWeight
from kpi.selectors import config

# Not serialized_rollback: after another transactional test's flush it re-inserted content types
# that post_migrate had already re-created (IntegrityError in the whole suite). The KPI rows of
# the data migration are put back by the fixture below instead (the migration is idempotent).
pytestmark = pytest.mark.django_db(transaction=True)
PERIOD = P.parse("2026-Q1")


@pytest.fixture(autouse=True)
def _shared_cache_and_a_clean_memo():
    if isinstance(cache._connections[cache._alias], LocMemCache):  # pragma: no cover
        pytest.skip("the memo needs a cache shared between processes")
    if not KpiDefinition.objects.exists():  # flushed by an earlier transactional test
        from importlib import import_module

        from django.apps import apps

        import_module("kpi.migrations.0002_kpi_definitions").forwards(apps, None)
    selectors.config_changed()
    yield


def _card():
    card = Scorecard.objects.create(department="engineering", title="工程看板")
    kpis = {k.code: k for k in KpiDefinition.objects.all()}
    ScorecardWeight.objects.create(scorecard=card, kpi=kpis["delivery_cycle_time"], weight=1)
    ScorecardWeight.objects.create(scorecard=card, kpi=kpis["on_time_delivery_rate"], weight=3)
    return card, kpis


def _read():
    with CaptureQueriesContext(connection) as queries:
        result = selectors.scorecard("engineering", PERIOD)
    return result, len(queries.captured_queries)


def _weights(result):
    return {k["code"]: k["weight"] for k in result["kpis"]}


def test_a_second_read_skips_the_configuration_query():
    Scorecard.objects.filter(department="engineering").delete()
    _card()
    first, n_first = _read()
    second, n_second = _read()
    assert n_second == n_first - 1
    assert _weights(first) == _weights(second)
    assert first["title"] == second["title"] == "工程看板"


def test_every_change_is_seen_by_the_next_read():
    Scorecard.objects.filter(department="engineering").delete()
    card, kpis = _card()
    assert _weights(_read()[0]) == {"on_time_delivery_rate": 3, "delivery_cycle_time": 1}

    weight = ScorecardWeight.objects.get(scorecard=card, kpi=kpis["delivery_cycle_time"])
    weight.weight = Decimal("2.5")
    weight.save()
    assert _weights(_read()[0])["delivery_cycle_time"] == Decimal("2.5")

    weight.delete()
    assert set(_weights(_read()[0])) == {"on_time_delivery_rate"}

    card.kpis.add(kpis["customer_satisfaction"], through_defaults={"weight": 4})
    assert _weights(_read()[0])["customer_satisfaction"] == 4

    definition = kpis["customer_satisfaction"]
    definition.is_active = False
    definition.save()
    assert "customer_satisfaction" not in _weights(_read()[0])

    card.title = "改名"
    card.save()
    assert _read()[0]["title"] == "改名"

    assert not _read()[0]["frozen"]
    closed = ClosedPeriod.objects.create(period=PERIOD.key, status=ClosedPeriod.Status.CLOSED)
    _result, n_closed = _read()
    closed.status = ClosedPeriod.Status.REOPENED
    closed.save()
    _result, n_reopened = _read()
    assert n_closed == n_reopened + 1  # the snapshots are read only while it is closed

    card.delete()  # the default card: every active joint KPI, weight 1
    default = _read()[0]
    joint = KpiDefinition.objects.filter(is_active=True, is_joint=True)
    assert set(_weights(default)) == {k.code for k in joint}


def test_nothing_is_kept_from_a_transaction_that_rolls_back():
    Scorecard.objects.filter(department="engineering").delete()
    card, kpis = _card()
    before = _weights(_read()[0])

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        ScorecardWeight.objects.filter(scorecard=card).delete()
        assert _weights(_read()[0]) == {}  # the transaction sees its own change
        raise Undo

    assert _weights(_read()[0]) == before


def test_a_new_version_from_another_process_is_honoured():
    Scorecard.objects.filter(department="engineering").delete()
    card, kpis = _card()
    _read()
    # another process changed the weights (no signal here) and set a new version
    ScorecardWeight.objects.filter(scorecard=card).update(weight=7)
    assert set(_weights(_read()[0]).values()) == {3, 1}  # this process's memo, same version
    cache.set(selectors.CONFIG_VERSION_KEY, "from-another-process", None)
    assert set(_weights(_read()[0]).values()) == {7}


def test_a_flush_or_migrate_sets_a_new_version():
    from django.core.management import call_command

    before = cache.get(selectors.CONFIG_VERSION_KEY)
    call_command("flush", interactive=False, verbosity=0)  # writes rows without model signals
    assert cache.get(selectors.CONFIG_VERSION_KEY) != before


def test_an_unreachable_cache_does_not_fail_a_save(monkeypatch):
    def down():
        raise ConnectionError("cache down")

    monkeypatch.setattr(config, "config_changed", down)
    closed = ClosedPeriod.objects.create(period="2031-01", status=ClosedPeriod.Status.CLOSED)
    assert ClosedPeriod.objects.filter(pk=closed.pk).exists()
