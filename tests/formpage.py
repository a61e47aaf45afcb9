"""Read a page's form as a browser would submit it: each field with the value the page gave
it (hidden fields, ticked boxes, selected options and textareas included), so a test can
"open the page, change a field, press save" like a person."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = []
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "file"):
                self._form.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._form.append((self._select, a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._text)
            self._form.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def read_form(response, *, having: str) -> dict:
    """The first POST form of `response` that has a field named `having`, as a dict for the
    test client (a name given several values maps to their list)."""
    parser = _Forms()
    parser.feed(response.content.decode())
    for fields in parser.forms:
        if any(name == having for name, _value in fields):
            data: dict = {}
            for name, value in fields:
                if name in data:
                    data[name] = [*([data[name]] if isinstance(data[name], str) else data[name])]
                    data[name].append(value)
                else:
                    data[name] = value
            data.pop("csrfmiddlewaretoken", None)
            return data
    raise AssertionError(f"no POST form with a field {having!r} on the page")


def login(user) -> Client:
    """A browser session of `user`."""
    client = Client()
    client.force_login(user)
    return client
