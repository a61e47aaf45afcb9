"""`make run` on another PORT: the links in e-mails and chat notices point at that port."""

import pytest

from coordination.devtools import runner


def _run_until_the_web_starts(monkeypatch, **env) -> dict:
    seen = {}
    for key in ("SITE_URL", "PORT", "HOST"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(runner, "_step", lambda *a, **k: None)
    monkeypatch.setattr(runner, "prepare_broker", lambda: None)
    monkeypatch.setattr(runner.os, "chdir", lambda path: None)
    # the runner's own signal handlers stay out of the test process
    monkeypatch.setattr(runner.signal, "signal", lambda *a: None)

    def start(name, args):
        seen["SITE_URL"] = runner.os.environ.get("SITE_URL")
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_start", start)
    with pytest.raises(SystemExit):
        runner.run()
    return seen


def test_site_url_follows_the_port_make_run_serves(monkeypatch):
    assert _run_until_the_web_starts(monkeypatch, PORT="8123")["SITE_URL"] == (
        "http://127.0.0.1:8123"
    )


def test_a_site_url_given_is_kept(monkeypatch):
    seen = _run_until_the_web_starts(monkeypatch, PORT="8123", SITE_URL="https://hub.example.cn")
    assert seen["SITE_URL"] == "https://hub.example.cn"
