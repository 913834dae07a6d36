"""Datasets shipped with alignkit and the loaders for prompt sets and SFT demonstrations.

>>> from alignkit.data import load_prompts, load_sft_dataset, list_shipped
>>> records = load_prompts("math", split="test", limit=5)
>>> records[0]["metadata"]["answer"]  # doctest: +SKIP
'42'

See ``alignkit/data/shipped/README.md`` for the schema, counts and provenance of each shipped set.
"""

from alignkit.data.loading import (
    FILE_SUFFIXES,
    PROMPT_SETS,
    REQUIRED_METADATA,
    SFT_SETS,
    SHIPPED_DIR,
    TASKS,
    PromptRecord,
    hub_reachable,
    list_shipped,
    load_prompts,
    load_sft_dataset,
    prompts_and_metadata,
    read_rows,
)
from alignkit.data.sources.math_problems import MATH_SUFFIX

__all__ = [
    "FILE_SUFFIXES",
    "MATH_SUFFIX",
    "PROMPT_SETS",
    "REQUIRED_METADATA",
    "SFT_SETS",
    "SHIPPED_DIR",
    "TASKS",
    "PromptRecord",
    "hub_reachable",
    "list_shipped",
    "load_prompts",
    "load_sft_dataset",
    "prompts_and_metadata",
    "read_rows",
]
