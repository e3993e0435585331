"""The worked spreadsheet example, imported by the real `napgraph import` command, appears
on the site beside Japan (a running `napgraph serve`, over HTTP); a folder with a mistake is
refused by the command with the file, row and column, and the last good import stays served."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from napgraph.graph import canned
from tests.server_fixtures import NAPGRAPH, launch
from tests.test_sheets import copy_example

EXAMPLE = Path(__file__).parents[1] / "docs" / "examples" / "sampleland"
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/sparql-results+json"}


def napgraph(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(NAPGRAPH), *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def jp_xs_build(build, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("jp-xs") / "build"
    shutil.copytree(build.release.parents[1], folder, symlinks=True)
    done = napgraph("import", str(EXAMPLE), "--country", "xs", "--build-dir", str(folder))
    assert done.returncode == 0, done.stderr
    assert "conforms to the NAP graph shapes (ontology/shapes.ttl), with 1 warning(s)" in done.stdout
    assert ("Warning: A country-specific concept, linked to a shared one by skos:broadMatch"
            in done.stdout)  # the example's own actor kind, fishers-council
    assert "id/xs/actor-kind/fishers-council" in done.stdout
    return folder


@pytest.fixture(scope="module")
def server(jp_xs_build, tmp_path_factory):
    live = launch(jp_xs_build, {"QUERY_RUNNERS": 1}, tmp_path_factory.mktemp("xs") / "log")
    yield live
    live.stop()


def page(server, path: str) -> requests.Response:
    return requests.get(server.root + path, headers=HTML, timeout=30)


def test_home_catalogue_lists_the_example_beside_japan(server):
    response = page(server, "/")
    assert response.status_code == 200
    assert "Sampleland (example)" in response.text and "Japan" in response.text
    assert "/id/country/xs" in response.text


def test_country_page_answers_with_its_data(server):
    response = page(server, "/id/country/xs")
    assert response.status_code == 200
    assert "Sampleland (example)" in response.text
    assert "1st consultation (example)" in response.text


@pytest.mark.parametrize(("path", "texts"), [
    ("/id/xs/consultation/2099-01", ("1st consultation (example)", "2099-01-14",
                                     "Sampleland Human Rights Commission (example)",
                                     "Supply chains")),
    ("/id/xs/consultation/2099-02", ("2nd consultation (online, example)", "2099-03-03",
                                     "judicial remedies take too long")),
    ("/id/xs/consultation/2099-03", ("Call for written submissions (example)", "2099-04-01",
                                     "fishing communities must be consulted")),
    ("/id/xs/org/shrc", ("Sampleland Human Rights Commission (example)",
                         "1st consultation (example)")),
    ("/id/xs/plan/nap-2099", ("National Action Plan on Business and Human Rights 2099-2103",)),
], ids=lambda v: v.rsplit("/", 1)[-1] if isinstance(v, str) else None)
def test_page_answers_with_its_data(server, path, texts):
    response = page(server, path)
    assert response.status_code == 200
    for text in texts:
        assert text in response.text


def test_canned_query_counts_each_countrys_consultations(server):
    query = canned.load_queries()["country-consultations"]
    response = requests.post(server.endpoint, data={"query": query.text}, headers=JSON, timeout=30)
    assert response.status_code == 200
    rows = {b["country"]["value"].rsplit("/", 1)[1]: b
            for b in response.json()["results"]["bindings"]}
    assert set(rows) == {"jp", "xs"}
    assert rows["jp"]["consultations"]["value"] == "10"
    assert rows["xs"]["consultations"]["value"] == "3"
    assert (rows["xs"]["first"]["value"], rows["xs"]["last"]["value"]) == ("2099-01-14", "2099-04-01")


def test_a_mistake_is_refused_and_the_last_import_stays_served(server, jp_xs_build, tmp_path):
    folder = copy_example(tmp_path / "sheets", "participants.csv", {(2, "role"): "speaker"})
    current = (jp_xs_build / "countries" / "xs" / "current").resolve()
    done = napgraph("import", str(folder), "--country", "xs", "--build-dir", str(jp_xs_build))
    assert done.returncode == 1
    assert "participants.csv, row 2, column role: unknown role 'speaker'" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert (jp_xs_build / "countries" / "xs" / "current").resolve() == current
    response = page(server, "/id/xs/consultation/2099-01")
    assert response.status_code == 200 and "1st consultation (example)" in response.text
