"""Settings profiles: `base` (development and the embedded default), `production`, `test`."""
