"""Evaluation tasks, one file each; each is built by the ``_target_`` of its recipe in ``recipes/eval/``."""
