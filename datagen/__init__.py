"""Builders of the data that ships with alignkit, and their source material (not part of the package).

- ``sources/``: hand-written problems and seeded generators (coding, math, instruction following, chat).
- :mod:`datagen.prompt_sets`: the prompt sets and SFT demonstrations built from them.
- :mod:`datagen.pairs` (+ :mod:`datagen.if_synth`): judge-verified preference pairs for reward models.
- :mod:`datagen.checks`: trusted checks on gold solutions.

Run ``python scripts/build_data.py`` from the repository root; it writes ``src/alignkit/data/shipped/``,
which the package reads with :mod:`alignkit.data.loading`. Nothing under ``alignkit`` imports this folder.
"""
