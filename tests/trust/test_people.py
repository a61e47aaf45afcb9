"""People by name: family name first without a space in Chinese, given name first in English;
a username reaches a page only for a user with no name on file."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from coordination.core.people import display_name
from tests.factories import ProjectFactory, business_user, engineering_user

pytestmark = pytest.mark.django_db


def test_display_name_follows_the_readers_language():
    user = business_user(username="biz_li", first_name="伟", last_name="李")
    assert display_name(user, "zh-hans") == "李伟"
    assert display_name(user, "en") == "伟 李"
    anglo = business_user(username="biz_w", first_name="Wei", last_name="Li")
    assert display_name(anglo, "en") == "Wei Li"
    assert display_name(business_user(username="nameless"), "zh-hans") == "nameless"
    assert display_name(None) == ""


def test_person_and_money_filters_need_no_load():
    user = business_user(username="biz_li2", first_name="伟", last_name="李")
    with translation.override("zh-hans"):
        html = Template("{{ u|person }} {{ v|money }} {{ v|money:'CNY' }} {{ n|money }}").render(
            Context({"u": user, "v": "1200000", "n": None})
        )
    assert html == "李伟 1,200,000.00 1,200,000.00 CNY —"


def test_project_page_and_home_show_names_not_usernames():
    biz = business_user(username="biz_zhang", first_name="三", last_name="张")
    eng = engineering_user(username="eng_wang", first_name="五", last_name="王")
    project = ProjectFactory(business_pm=biz, engineering_pm=eng)
    client = Client()
    client.force_login(biz)
    home = client.get(reverse("home")).content.decode()
    assert "你好，张三" in home
    page = client.get(reverse("projects:detail", args=[project.code])).content.decode()
    assert "张三" in page and "王五" in page
    visible = page.split("<body", 1)[1]
    for username in ("biz_zhang", "eng_wang"):
        assert f">{username}<" not in visible and f" {username} " not in visible
