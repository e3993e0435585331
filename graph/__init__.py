"""Turn NAP consultation records into RDF: registries, parser, emitter, build, validation.

This package never imports Flask: the server depends on it, not the other way round.
"""
