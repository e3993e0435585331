"""Emit curated knowledge about the entities the record names (registry graph) and the
links to the outside world (links graph).

Only entities the record refers to are emitted, with the parents and affiliations they
need. Identity links (`owl:sameAs`) come only from the registry's verified `wikidata`
column; e-Gov law IDs only where marked verified.
"""

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

from napgraph.graph import iris
from napgraph.graph.emit_facts import en, entity_iri
from napgraph.graph.paths import data_dir
from napgraph.graph.record import Record
from napgraph.graph.registry import Entity, Registry, read_csv
from napgraph.graph.vocab import ELI, NAP, VOID, WD

PREFIXES = {"org": ORG, "schema": SDO}
COUNTRIES = {
    "jp": {"en": "Japan", "ja": "日本", "wikidata": "Q17", "geonames": "1861060", "alpha3": "JPN"}
}
EGOV_PAGE = "https://laws.e-gov.go.jp/law/{}"
GEONAMES_PLACE = "https://sws.geonames.org/{}/"
# External datasets the links graph points into, each described by a void:Linkset.
LINK_TARGETS = {
    "wikidata": {
        "label": "Wikidata",
        "uri_space": str(WD),
        "predicate": OWL.sameAs,
        "sparql": "https://query.wikidata.org/sparql",
        "page": "https://www.wikidata.org/",
    }
}


def _curie(value: str) -> URIRef:
    prefix, local = value.split(":", 1)
    return Namespace(str(PREFIXES[prefix]))[local]


def actor_kind_types() -> dict[str, list[URIRef]]:
    """{actor kind: RDF types} from data/shared/actor-kinds.csv."""
    rows = read_csv(data_dir() / "shared" / "actor-kinds.csv")
    return {row["kind"]: [_curie(t) for t in row["types"].split()] for row in rows}


def referenced(record: Record, registry: Registry) -> list[Entity]:
    """Every registry entity the record refers to, plus their parents and affiliations."""
    keys: list[str] = []
    for paragraph in record.introduction:
        keys += [m.key for m in paragraph.mentions]
    for consultation in record.consultations:
        keys += [consultation.organiser] if consultation.organiser else []
        keys += [p.actor for p in consultation.participations]
        for contribution in consultation.contributions:
            keys += contribution.contributors + [m.key for m in contribution.mentions]
        for point in consultation.points:
            keys += [m.key for m in point.mentions]
    result: dict[str, Entity] = {}
    pending = list(dict.fromkeys(keys))
    while pending:
        entity = registry.get(pending.pop(0))
        if entity.key in result:
            continue
        result[entity.key] = entity
        parent = entity.row.get("part_of") or entity.row.get("affiliation")
        if parent:
            pending.append(f"org:{parent}")
    return sorted(result.values(), key=lambda e: e.key)


def emit_registry(record: Record, registry: Registry) -> Graph:
    """Return the graph describing the actors, persons and instruments the record names."""
    graph = Graph()
    _country(graph, registry.country)
    kinds = actor_kind_types()
    hidden = {}
    for row in registry.alias_notes:
        hidden.setdefault(row["entity"], []).append(row["alias"])
    for entity in referenced(record, registry):
        node = entity_iri(registry, entity.key)
        for alias in hidden.get(entity.key, []):
            graph.add((node, SKOS.hiddenLabel, en(alias)))
        # The CSV's `note` column is the curator's (why a name matches, a spelling of the
        # record): it stays in the CSV and is never published as a description.
        {"org": _organisation, "person": _person, "instrument": _instrument}[entity.kind](
            graph, registry, entity, node, kinds
        )
    return graph


def _labels(graph: Graph, node: URIRef, name_en: str, name_ja: str = "") -> None:
    graph.add((node, RDFS.label, en(name_en)))
    graph.add((node, SKOS.prefLabel, en(name_en)))
    if name_ja:
        graph.add((node, SKOS.prefLabel, Literal(name_ja, lang="ja")))
        graph.add((node, RDFS.label, Literal(name_ja, lang="ja")))


def _country(graph: Graph, cc: str) -> None:
    node, facts = iris.country(cc), COUNTRIES[cc]
    graph.add((node, RDF.type, NAP.Country))
    _labels(graph, node, facts["en"], facts["ja"])
    graph.add((node, SKOS.notation, Literal(cc.upper())))
    graph.add((node, SKOS.notation, Literal(facts["alpha3"])))


def _organisation(graph: Graph, registry: Registry, entity: Entity, node: URIRef, kinds) -> None:
    row = entity.row
    for type_ in kinds[row["kind"]] + [PROV.Agent, FOAF.Organization]:
        graph.add((node, RDF.type, type_))
    _labels(graph, node, row["name_en"], row["name_ja"])
    if row["acronym"]:
        graph.add((node, SKOS.altLabel, en(row["acronym"])))
    graph.add((node, ORG.classification, iris.concept("actor-kind", row["kind"])))
    if row["part_of"]:
        parent = entity_iri(registry, f"org:{row['part_of']}")
        if row["relation"] == "unit":
            graph.add((node, RDF.type, ORG.OrganizationalUnit))
            graph.add((node, ORG.unitOf, parent))
            graph.add((parent, ORG.hasUnit, node))
        else:
            graph.add((node, ORG.subOrganizationOf, parent))
            graph.add((parent, ORG.hasSubOrganization, node))


def _person(graph: Graph, registry: Registry, entity: Entity, node: URIRef, kinds) -> None:
    row = entity.row
    name = f"{row['given_name']} {row['family_name']}"
    for type_ in (FOAF.Person, SDO.Person, PROV.Agent):
        graph.add((node, RDF.type, type_))
    graph.add((node, RDFS.label, en(f"{row['honorific']} {name}")))
    graph.add((node, FOAF.name, Literal(name)))
    graph.add((node, FOAF.givenName, Literal(row["given_name"])))
    graph.add((node, FOAF.familyName, Literal(row["family_name"])))
    graph.add((node, SDO.honorificPrefix, en(row["honorific"])))
    graph.add((node, SDO.jobTitle, en(row["job_title"])))
    organisation = entity_iri(registry, f"org:{row['affiliation']}")
    graph.add((node, ORG.memberOf, organisation))
    membership = iris.membership(node, row["affiliation"])
    graph.add((membership, RDF.type, ORG.Membership))
    graph.add((membership, ORG.member, node))
    graph.add((membership, ORG.organization, organisation))
    graph.add((membership, ORG.role, iris.concept("post", row["post"])))
    affiliation = registry.get(f"org:{row['affiliation']}").row["name_en"]
    label = f"{row['honorific']} {name}: {row['job_title']} ({affiliation})"
    graph.add((membership, RDFS.label, en(label)))


def _instrument(graph: Graph, registry: Registry, entity: Entity, node: URIRef, kinds) -> None:
    row = entity.row
    for type_ in (getattr(NAP, row["kind"]), NAP.Instrument, PROV.Entity):
        graph.add((node, RDF.type, type_))
    _labels(graph, node, row["name_en"], row["name_ja"])
    if row["kind"] == "DomesticLaw":
        graph.add((node, RDF.type, SDO.Legislation))
        graph.add((node, RDF.type, ELI.LegalResource))
        graph.add((node, SDO.legislationJurisdiction, iris.country(entity.scope)))
        graph.add((node, ELI.jurisdiction, iris.country(entity.scope)))
        if row["law_number"]:
            graph.add((node, SDO.legislationIdentifier, Literal(row["law_number"], lang="ja")))
        if row["egov_status"] == "verified":
            graph.add((node, ELI.id_local, Literal(row["egov_law_id"])))


def emit_links(record: Record, registry: Registry) -> Graph:
    """Return the links graph: verified identities and pages outside napgraph."""
    graph = Graph()
    facts = COUNTRIES[registry.country]
    country = iris.country(registry.country)
    graph.add((country, OWL.sameAs, WD[facts["wikidata"]]))
    graph.add((country, SKOS.exactMatch, URIRef(GEONAMES_PLACE.format(facts["geonames"]))))
    for entity in referenced(record, registry):
        node = entity_iri(registry, entity.key)
        row = entity.row
        if row.get("wikidata"):
            graph.add((node, OWL.sameAs, WD[row["wikidata"]]))
        if row.get("egov_status") == "verified":
            graph.add((node, FOAF.page, URIRef(EGOV_PAGE.format(row["egov_law_id"]))))
    for link in read_csv(data_dir() / registry.country / "links.csv"):
        if link["entity"] in {e.key for e in referenced(record, registry)}:
            predicate = {
                "seeAlso": RDFS.seeAlso,
                "sameAs": OWL.sameAs,
                "page": FOAF.page,
                "closeMatch": SKOS.closeMatch,
            }[link["relation"]]
            graph.add((entity_iri(registry, link["entity"]), predicate, URIRef(link["target"])))
    for name in LINK_TARGETS:
        _linkset(graph, registry.country, name)
    return graph


def _linkset(graph: Graph, cc: str, name: str) -> None:
    """Describe the links of `graph` into the external dataset `name` as a void:Linkset."""
    target = LINK_TARGETS[name]
    links = sum(
        1 for o in graph.objects(None, target["predicate"]) if o.startswith(target["uri_space"])
    )
    linkset, external = iris.linkset(cc, name), iris.dataset(name)
    graph.add((linkset, RDF.type, VOID.Linkset))
    graph.add((linkset, RDFS.label, en(f"{COUNTRIES[cc]['en']}: links to {target['label']}")))
    graph.add((linkset, VOID.subjectsTarget, iris.dataset(cc)))
    graph.add((linkset, VOID.objectsTarget, external))
    graph.add((linkset, VOID.linkPredicate, target["predicate"]))
    graph.add((linkset, VOID.triples, Literal(links, datatype=XSD.integer)))
    graph.add((external, RDF.type, VOID.Dataset))
    graph.add((external, RDFS.label, en(target["label"])))
    graph.add((external, VOID.uriSpace, Literal(target["uri_space"])))
    graph.add((external, VOID.sparqlEndpoint, URIRef(target["sparql"])))
    graph.add((external, FOAF.page, URIRef(target["page"])))
