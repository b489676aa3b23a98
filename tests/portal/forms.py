"""Filling in HTML forms over real HTTP, as a browser would (for requests-based end-to-end tests)."""

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}, "buttons": []})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "checkbox"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and attrs.get("name"):
            self.forms[-1]["buttons"].append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and self._select not in self.forms[-1]["fields"]:
            self.forms[-1]["fields"][self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def submit(
    session: requests.Session, page: requests.Response, *, button: str, **overrides
) -> requests.Response:
    """Submit the form of `page` that has a button with value `button` (following redirects)."""
    parser = _FormParser()
    parser.feed(page.text)
    for form in parser.forms:
        for name, value in form["buttons"]:
            if value == button:
                data = {**form["fields"], name: value, **overrides}
                return session.post(urljoin(page.url, form["action"]), data=data, timeout=15)
    raise AssertionError(f"No form with a {button!r} button on {page.url}")


def log_in(session: requests.Session, base_url: str, username: str, password: str) -> None:
    page = session.get(f"{base_url}/admin/login/", timeout=10)
    parser = _FormParser()
    parser.feed(page.text)
    fields = {**parser.forms[0]["fields"], "username": username, "password": password}
    response = session.post(page.url, data=fields, headers={"Referer": page.url}, timeout=10)
    assert "/admin/login/" not in response.url, "login failed"
