"""Hard name cases: every variant the record uses resolves to exactly one actor."""

import csv
from pathlib import Path

import pytest

from napgraph.graph.jp.attendees import parse_attendees
from napgraph.graph.registry import load_registry
from napgraph.graph.source import SourceError, SourceText

with (Path(__file__).parent / "data" / "hard-names.csv").open(encoding="utf-8") as handle:
    CASES = list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def registry():
    return load_registry("jp")


def attendee_source(tmp_path: Path, names: str) -> SourceText:
    path = tmp_path / "list.txt"
    path.write_text(
        f"(Relevant Cabinet Office, Ministries and Agencies)\n\n{names}\n", encoding="utf-8"
    )
    return SourceText.read(path)


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_attendee_list_resolves(tmp_path, registry, case):
    source = attendee_source(tmp_path, case["text"])
    found = parse_attendees(source, registry, source.lines(), [])
    assert [p.actor for p in found] == case["expected"].split()


def test_inline_observers_get_the_observer_role(tmp_path, registry):
    source = attendee_source(tmp_path, CASES[3]["text"])
    roles = {p.actor: p.role for p in parse_attendees(source, registry, source.lines(), [])}
    assert roles == {
        "org:meti": "relevant-ministry",
        "org:mlit": "ministry-observer",
        "org:atla": "ministry-observer",
    }


def test_missing_comma_is_reported(tmp_path, registry):
    source = attendee_source(tmp_path, CASES[1]["text"])
    repairs: list[str] = []
    parse_attendees(source, registry, source.lines(), repairs)
    assert repairs == ["line 3: no comma after 'Sports, Science and Technology'; names read apart"]


def test_parenthetical_is_part_of_the_name_span(tmp_path, registry):
    source = attendee_source(tmp_path, "United Nations Information Centre, Tokyo (UNIC, Tokyo)")
    [found] = parse_attendees(source, registry, source.lines(), [])
    assert source.quote(found.span) == "United Nations Information Centre, Tokyo (UNIC, Tokyo)"


def test_unknown_name_is_an_error_with_its_line(tmp_path, registry):
    source = attendee_source(tmp_path, "Cabinet Office, Ministry of Magic, Ministry of Justice")
    with pytest.raises(SourceError) as error:
        parse_attendees(source, registry, source.lines(), [])
    assert error.value.line == 3
    assert "unknown attendee name 'Ministry of Magic'" in error.value.reason


def test_acronym_of_the_games_is_not_the_committee(registry):
    text = "the 2020 Olympic and Paralympic Games Tokyo 2020"
    assert registry.names.find_all(text) == []


def test_the_ilo_itself_only_outside_longer_names(registry):
    keys = [
        m.entity.key
        for m in registry.names.find_all("ILO Conventions, ILO Helpdesk for Business, the ILO")
    ]
    assert keys == ["instrument:ilo-conventions", "instrument:ilo-helpdesk", "org:ilo"]
