"""Describe the published dataset with VoID and DCAT (the catalog graph).

The catalog lists one dataset per country; each names its source document, its licence,
its dumps (one DCAT distribution per published file) and the SPARQL service, and counts its
triples. Each named graph is a VoID subset, so a client can see what the dataset is made of.
Server paths live under the same base as the data: `{base}sparql`, `{base}download/{file}`.
"""

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
