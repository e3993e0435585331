"""Describe the published dataset with VoID and DCAT (the catalog graph).

The catalog lists one dataset per country; each names its source document, its licence,
its dumps (one DCAT distribution per published file) and the SPARQL service, and counts its
triples. Each named graph is a VoID subset, so a client can see what the dataset is made of.
Server paths live under the same base as the data: `{base}sparql`, `{base}download/{file}`.
"""

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from napgraph.graph import iris, rdf_files
from napgraph.graph.emit_facts import en
from napgraph.graph.vocab import DCAT, PREFIXES, VOID

LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DUMPS = ("napgraph.nq", "napgraph.trig", "napgraph.ttl", "napgraph.jsonld")  # graph/publish.py
VOCABULARIES = ("nap", "prov", "org", "skos", "dcterms", "schema", "oa", "foaf", "eli")


def media_type(name: str) -> URIRef:
    """The IANA registry's IRI of the media type of the published file `name`."""
    return URIRef(f"https://www.iana.org/assignments/media-types/{rdf_files.media_type(name)}")


def describe(
    graphs: dict[URIRef, Graph], country: str, source_document: URIRef, example: URIRef
) -> Graph:
    """Return the catalog graph describing `graphs` (the build's other named graphs)."""
    graph = Graph()
    catalog, dataset = iris.dataset(), iris.dataset(country)
    service = iris.sparql_service()
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add(
        (catalog, DCTERMS.title, en("napgraph: National Action Plans on Business and Human Rights"))
    )
    graph.add((catalog, DCAT.dataset, dataset))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, RDFS.label, en("napgraph SPARQL 1.1 endpoint")))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.servesDataset, dataset))

    for type_ in (DCAT.Dataset, VOID.Dataset):
        graph.add((dataset, RDF.type, type_))
    graph.add((dataset, RDFS.label, en("Japan's 2018 NAP consultations as linked data")))
    graph.add((dataset, DCTERMS.title, en("Japan's 2018 NAP consultations as linked data")))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            en(
                "The ten multi-stakeholder consultations held in 2018 to prepare Japan's National Action "
                "Plan on Business and Human Rights: dates, topics, attendees by role, reports, "
                "presentations and discussion points, each traceable to the sentence of the record it "
                "came from."
            ),
        )
    )
    graph.add((dataset, DCTERMS.license, LICENCE))
    graph.add((dataset, DCTERMS.source, source_document))
    graph.add((dataset, DCTERMS.spatial, iris.country(country)))
    graph.add((dataset, VOID.sparqlEndpoint, service))
    graph.add((dataset, VOID.uriSpace, Literal(str(iris.id_space(country)))))
    graph.add((dataset, VOID.exampleResource, example))
    for prefix in VOCABULARIES:
        graph.add((dataset, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    total = 0
    for name, member in graphs.items():
        graph.add((dataset, VOID.subset, name))
        graph.add((name, RDF.type, VOID.Dataset))
        graph.add((name, VOID.triples, Literal(len(member), datatype=XSD.integer)))
        total += len(member)
    graph.add((dataset, VOID.triples, Literal(total, datatype=XSD.integer)))
    for file_name in DUMPS:
        kind = rdf_files.media_type(file_name)
        dump = iris.download(file_name)
        distribution = iris.distribution(country, file_name.rsplit(".", 1)[1])
        graph.add((dataset, VOID.dataDump, dump))
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, RDFS.label, en(f"{file_name} ({kind})")))
        graph.add((distribution, DCAT.downloadURL, dump))
        graph.add((distribution, DCAT.mediaType, media_type(file_name)))
    return graph


def describe_import(country: str, counts: dict[str, int], base: str) -> list[ox.Quad]:
    """The catalog's description of an imported country, in its graph `graph/{cc}/catalog`:
    its dataset in napgraph's catalog, its graphs as VoID subsets with their sizes, its
    uriSpace, the SPARQL service and its dump (`/download/{cc}.nq`). What the country says
    of its dataset (title, source, licence) stays in its own graphs, beside this."""
    def node(value: str) -> ox.NamedNode:
        return ox.NamedNode(iris.rebase(str(value), base))

    graph = node(iris.graph(f"{country}/catalog"))
    dataset, service = node(iris.dataset(country)), node(iris.sparql_service())
    dump, distribution = node(iris.download(f"{country}.nq")), node(iris.distribution(country, "nq"))
    integer = ox.NamedNode(str(XSD.integer))
    triples = [
        (node(iris.dataset()), DCAT.dataset, dataset),
        (service, DCAT.servesDataset, dataset),
        (dataset, RDF.type, DCAT.Dataset),
        (dataset, RDF.type, VOID.Dataset),
        (dataset, DCTERMS.spatial, node(iris.country(country))),
        (dataset, VOID.sparqlEndpoint, service),
        (dataset, VOID.uriSpace, ox.Literal(iris.rebase(str(iris.id_space(country)), base))),
        (dataset, VOID.triples, ox.Literal(str(sum(counts.values())), datatype=integer)),
        (dataset, VOID.dataDump, dump),
        (dataset, DCAT.distribution, distribution),
        (distribution, RDF.type, DCAT.Distribution),
        (distribution, RDFS.label, ox.Literal(f"{country}.nq (application/n-quads)", language="en")),
        (distribution, DCAT.downloadURL, dump),
        (distribution, DCAT.mediaType, ox.NamedNode(str(media_type("graph.nq")))),
    ]
    for name, count in sorted(counts.items()):
        triples += [(dataset, VOID.subset, ox.NamedNode(name)),
                    (ox.NamedNode(name), RDF.type, VOID.Dataset),
                    (ox.NamedNode(name), VOID.triples, ox.Literal(str(count), datatype=integer))]
    return [ox.Quad(s if isinstance(s, ox.NamedNode) else ox.NamedNode(str(s)),
                    ox.NamedNode(str(p)),
                    o if isinstance(o, (ox.NamedNode, ox.Literal)) else ox.NamedNode(str(o)),
                    graph) for s, p, o in triples]
