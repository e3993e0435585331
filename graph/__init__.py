"""Turn NAP consultation records into RDF: registries, converters (one package per country,
such as jp/), emitters, build, validation.

This package never imports Flask: the server depends on it, not the other way round.
"""
