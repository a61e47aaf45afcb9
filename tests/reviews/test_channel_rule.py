"""The channel rule's two forms (coordination.core.channels_rule) agree: for every
combination of address and profile flags, and for users without a profile, CHANNELS_SQL
yields exactly the channels channels_for returns."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from coordination.core.channels_rule import CHANNELS, CHANNELS_SQL, channels_for
from coordination.core.models import Profile
from coordination.reviews.models import Reminder
from tests.factories import UserFactory

User = get_user_model()
WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=x"
FLAGS = ("email", "notify_email", "notify_chat", "webhook", "notify_inapp")


def sql_channels(ids: list[int]) -> dict[int, set[str]]:
    quote = connection.ops.quote_name
    got: dict[int, set[str]] = {pk: set() for pk in ids}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.id, ch.channel FROM {quote(User._meta.db_table)} u "
            f"LEFT JOIN {quote(Profile._meta.db_table)} pr ON pr.user_id = u.id "
            f"{CHANNELS_SQL} WHERE u.id = ANY(%s)",
            [ids],
        )
        for pk, channel in cursor.fetchall():
            got[pk].add(channel)
    return got


def test_the_rule_names_the_outbox_channels():
    assert set(CHANNELS) == set(Reminder.Channel.values)


@pytest.mark.django_db
def test_sql_and_python_forms_agree_for_every_combination():
    ids = []
    for combination in itertools.product([True, False], repeat=len(FLAGS)):
        flags = dict(zip(FLAGS, combination, strict=True))
        user = UserFactory(**({} if flags["email"] else {"email": ""}))
        user.profile.notify_email = flags["notify_email"]
        user.profile.notify_chat = flags["notify_chat"]
        user.profile.chat_webhook_url = WEBHOOK if flags["webhook"] else ""
        user.profile.notify_inapp = flags["notify_inapp"]
        user.profile.save()
        ids.append(user.pk)
    for email in (True, False):
        user = UserFactory(**({} if email else {"email": ""}))
        user.profile.delete()
        ids.append(user.pk)

    users = User.objects.filter(pk__in=ids).select_related("profile")
    python = {}
    for user in users:
        chosen = channels_for(user)
        assert len(chosen) == len(set(chosen)), chosen
        python[user.pk] = set(chosen)
    assert len(python) == 2 ** len(FLAGS) + 2
    assert sql_channels(ids) == python
    # the data set reaches every outcome worth telling apart
    outcomes = {frozenset(chosen) for chosen in python.values()}
    assert {frozenset({"inapp"}), frozenset({"email", "chat"}), frozenset({"chat"})} <= outcomes
    assert frozenset() not in outcomes  # nobody is left without a channel
