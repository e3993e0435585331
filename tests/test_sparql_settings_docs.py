"""Settings: every declared setting is documented, and values are read and checked as declared."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from napgraph.server.http.settings import SETTINGS, SettingError, defaults, resolve

DOC = Path(__file__).parent.parent / "docs" / "settings.md"
SECTION = re.compile(r"^## `([A-Z_]+)`\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)


def documented() -> dict[str, str]:
    return {name: " ".join(body.split()) for name, body in
            SECTION.findall(DOC.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_setting_is_documented(setting):
    sections = documented()
    assert setting.name in sections, f"docs/settings.md has no section for {setting.name}"
    body = sections[setting.name]
    assert f"Default: `{json.dumps(setting.default)}`" in body
    assert " ".join(setting.help.split()) in body, "the help text is missing or outdated"


def test_no_documented_setting_is_unknown():
    assert set(documented()) == {s.name for s in SETTINGS}


def test_environment_overrides_the_mapping(monkeypatch):
    monkeypatch.setenv("NAPGRAPH_QUERY_TIMEOUT", "3")
    monkeypatch.setenv("NAPGRAPH_SERVICE_ALLOWLIST", '["http://a.example/sparql"]')
    monkeypatch.setenv("NAPGRAPH_DATA_FILES", "one.nq")
    settings = resolve({"QUERY_TIMEOUT": 7, "MAX_RESULT_ROWS": 5})
    assert settings["QUERY_TIMEOUT"] == 3.0
    assert settings["MAX_RESULT_ROWS"] == 5
    assert settings["SERVICE_ALLOWLIST"] == ["http://a.example/sparql"]
    assert settings["DATA_FILES"] == ["one.nq"]


def test_defaults_are_fresh_copies():
    first = defaults()
    first["DATA_FILES"].append("x.nq")
    assert defaults()["DATA_FILES"] == []


@pytest.mark.parametrize(("name", "value", "message"), [
    ("QUERY_TIMEOUT", "soon", "QUERY_TIMEOUT: 'soon' is not a valid float"),
    ("QUERY_TIMEOUT", 0, "below the minimum"),
    ("MAX_RESULT_ROWS", 2.5, "MAX_RESULT_ROWS: 2.5 is not a valid int"),
    ("MAX_RESULT_ROWS", True, "is not a valid int"),
    ("QUERY_RUNNERS", 0, "below the minimum"),
    ("SERVICE_ALLOWLIST", 5, "is not a valid list"),
], ids=["timeout-text", "timeout-zero", "rows-float", "rows-bool", "no-runners", "list-int"])
def test_bad_values_are_refused(monkeypatch, name, value, message):
    monkeypatch.delenv(f"NAPGRAPH_{name}", raising=False)
    with pytest.raises(SettingError, match=re.escape(message)):
        resolve({name: value})


@pytest.mark.parametrize(("value", "expected"), [
    ("*", "*"), ("", ""), ("https://a.example https://b.example",
                           ["https://a.example", "https://b.example"]),
    (["https://a.example"], ["https://a.example"]),
], ids=["any", "off", "spaces", "list"])
def test_cors_origins(value, expected):
    assert resolve({"CORS_ORIGINS": value})["CORS_ORIGINS"] == expected
