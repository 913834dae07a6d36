"""Datasets shipped with alignkit and the loaders for prompt sets and SFT demonstrations.

>>> from alignkit.data import load_prompts, load_sft_dataset, list_shipped
>>> records = load_prompts("math", split="test", limit=5)
>>> records[0]["metadata"]["answer"]  # doctest: +SKIP
'42'

See ``alignkit/data/shipped/README.md`` for the schema, counts and provenance of each shipped set. The
builders and their source material live outside the package, in the repository's ``datagen/`` folder
(``scripts/build_data.py``); importing alignkit loads no data.
"""

from alignkit.data.loading import (
    FILE_SUFFIXES,
    MATH_SUFFIX,
    PAIRS_DIR,
    PROMPT_SETS,
    REQUIRED_METADATA,
    SFT_SETS,
    SHIPPED_DIR,
    TASKS,
    PromptRecord,
    hub_reachable,
    list_shipped,
    load_pairs,
    load_prompts,
    load_sft_dataset,
    make_spurious,
    prompts_and_metadata,
    read_rows,
)

__all__ = [
    "FILE_SUFFIXES",
    "MATH_SUFFIX",
    "PAIRS_DIR",
    "PROMPT_SETS",
    "REQUIRED_METADATA",
    "SFT_SETS",
    "SHIPPED_DIR",
    "TASKS",
    "PromptRecord",
    "hub_reachable",
    "list_shipped",
    "load_pairs",
    "load_prompts",
    "load_sft_dataset",
    "make_spurious",
    "prompts_and_metadata",
    "read_rows",
]
