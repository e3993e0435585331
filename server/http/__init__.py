"""The HTTP layer: errors and their statuses, formats, responses, cache, settings, headers."""
