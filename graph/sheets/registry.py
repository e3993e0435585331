"""The registry graph of a spreadsheet folder: the country, its own concepts (concepts.csv),
actors (actors.csv) and places (places.csv), described as Japan's curated registry is
(graph/emit_registry.py)."""

from rdflib import Literal, URIRef
from rdflib.namespace import FOAF, ORG, PROV, RDF, RDFS, SDO, SKOS

from napgraph.graph import iris
from napgraph.graph.emit_facts import en
from napgraph.graph.emit_registry import actor_kind_types
from napgraph.graph.sheets.context import Folder
from napgraph.graph.sheets.read import Row
from napgraph.graph.vocab import NAP


def emit_country(folder: Folder, row: Row) -> None:
    """The country of the process.csv row, as a nap:Country with its names."""
    graph, node = folder.registry, iris.country(folder.country)
    graph.add((node, RDF.type, NAP.Country))
    _names(folder, row, node, row.get("country_name_en"), "country_name_local")
    graph.add((node, SKOS.notation, Literal(folder.country.upper())))


def emit_concepts(folder: Folder) -> None:
    """The country's own roles, actor kinds and topics, each `skos:broadMatch` a shared one."""
    rows = folder.sheets.tables["concepts.csv"]
    for row in rows:  # declare every concept first: a row may match one declared below it
        if row.get("id") in folder.refs.own:
            folder.refs.problems.append(row.problem("id", f"{row.get('id')!r} is declared twice"))
        folder.refs.own[row.get("id")] = row.get("scheme")
    for row in rows:
        scheme_name = row.get("scheme")
        broad = row.get("broad_match")
        if broad not in folder.refs.shared[scheme_name]:
            folder.refs.problems.append(row.problem(
                "broad_match", f"{broad!r} is not a shared {scheme_name} (docs/profile.md section 4)"))
            continue
        node = iris.country_concept(folder.country, scheme_name, row.get("id"))
        scheme = iris.country_scheme(folder.country, scheme_name)
        graph = folder.registry
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, scheme))
        graph.add((node, SKOS.broadMatch, iris.concept(scheme_name, broad)))
        graph.add((node, SKOS.prefLabel, en(row.get("label_en"))))
        if row.get("label_local"):
            graph.add((node, SKOS.prefLabel, folder.local(row, "label_local")))
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, RDFS.label, en(f"{scheme_name} ({folder.country.upper()})")))


def emit_actors(folder: Folder) -> None:
    """Every actor of actors.csv: an organisation typed by its actor kind, or a person."""
    rows = folder.sheets.tables["actors.csv"]
    for row in rows:
        kind = "org" if row.get("type") == "organisation" else "person"
        folder.refs.names[row.get("id")] = row.get("name_en")
        folder.refs.declare("actor", row.get("id"), row, "id",
                            iris.actor(folder.country, kind, row.get("id")))
    kinds = actor_kind_types()
    for row in rows:
        node = folder.refs.ids["actor"].get(row.get("id"))
        if row.get("type") == "organisation":
            _organisation(folder, row, node, kinds)
        else:
            _person(folder, row, node)


def _organisation(folder: Folder, row: Row, node: URIRef, kinds: dict) -> None:
    slug = row.get("actor_kind")
    if not slug:
        folder.refs.problems.append(row.problem("actor_kind", "an organisation needs an actor kind"))
        return
    concept = folder.refs.concept("actor-kind", slug, row, "actor_kind")
    if concept is None:
        return
    shared = slug if slug in kinds else _broad_match(folder, slug)
    graph = folder.registry
    for type_ in kinds.get(shared, []) + [PROV.Agent, FOAF.Organization]:
        graph.add((node, RDF.type, type_))
    _names(folder, row, node, row.get("name_en"), "name_local")
    graph.add((node, ORG.classification, concept))
    if row.get("acronym"):
        graph.add((node, SKOS.altLabel, Literal(row.get("acronym"))))
    parent = _parent(folder, row)
    if parent is not None:
        graph.add((node, ORG.subOrganizationOf, parent))


def _person(folder: Folder, row: Row, node: URIRef) -> None:
    graph = folder.registry
    for type_ in (FOAF.Person, SDO.Person, PROV.Agent):
        graph.add((node, RDF.type, type_))
    graph.add((node, RDFS.label, en(row.get("name_en"))))
    graph.add((node, FOAF.name, Literal(row.get("name_en"))))
    if row.get("name_local"):
        graph.add((node, RDFS.label, folder.local(row, "name_local")))
    parent = _parent(folder, row)
    if parent is not None:
        graph.add((node, ORG.memberOf, parent))


def emit_places(folder: Folder) -> None:
    """The places of places.csv (schema:Place, with labels)."""
    for row in folder.sheets.tables["places.csv"]:
        node = iris.place(folder.country, row.get("id"))
        if not folder.refs.declare("place", row.get("id"), row, "id", node):
            continue
        folder.registry.add((node, RDF.type, SDO.Place))
        folder.registry.add((node, RDFS.label, en(row.get("name_en"))))
        if row.get("name_local"):
            folder.registry.add((node, RDFS.label, folder.local(row, "name_local")))


def _names(folder: Folder, row: Row, node: URIRef, name_en: str, local_column: str) -> None:
    for prop in (RDFS.label, SKOS.prefLabel):
        folder.registry.add((node, prop, en(name_en)))
        if row.get(local_column):
            folder.registry.add((node, prop, folder.local(row, local_column)))


def _parent(folder: Folder, row: Row) -> URIRef | None:
    if not row.get("part_of"):
        return None
    return folder.refs.find("actor", row.get("part_of"), row, "part_of", "actors.csv")


def _broad_match(folder: Folder, slug: str) -> str | None:
    for row in folder.sheets.tables["concepts.csv"]:
        if row.get("id") == slug:
            return row.get("broad_match")
    return None
