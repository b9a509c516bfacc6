"""The shared core every other package imports: settings, errors, registry, typed objects, Greek text.

It imports nothing from the rest of `assistant`, nor from `ingest`, `eval` or the interfaces."""
