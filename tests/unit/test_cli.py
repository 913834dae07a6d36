"""The CLI: help, recipe listing, config printing, and bad input (exit code 2, a message, no traceback)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from alignkit.cli import app

runner = CliRunner()

COMMANDS = ["sft", "score-init", "score-rl", "cgpo", "eva-evolve", "eval"]


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_help_lists_every_command_with_a_description():
    result = invoke("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_print_config_applies_overrides():
    result = invoke("sft", "recipe=coding", "trainer.max_steps=5", "model=tiny", "--print-config")
    assert result.exit_code == 0, result.output
    assert "max_steps: 5" in result.output
    assert "name_or_path: tiny" in result.output
    assert "recipe: coding" in result.output


def test_model_path_sugar_sets_name_or_path(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    result = invoke("sft", f"model={tmp_path}", "--print-config")
    assert result.exit_code == 0, result.output
    assert f"name_or_path: {tmp_path}" in result.output


def test_list_recipes_shows_first_comment():
    result = invoke("sft", "--list-recipes")
    assert result.exit_code == 0
    assert "coding" in result.output and "math" in result.output and "default" in result.output
    assert "fenced" in result.output  # the description from the recipe's first comment


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["sft", "trainer.max_step=3"], "max_steps"),  # unknown key: named, nearest key suggested
        (["sft", "+foo=1"], "Unknown config key `foo`"),  # +key the schema lacks
        (["sft", "model.lora.rr=3"], "`r`"),
        (["sft", "trainer.max_steps=abc"], "trainer.max_steps"),  # wrong type
        (["sft", "trainer.learning_rate=-1"], "learning_rate"),  # bad value
        (["sft", "recipe=nope"], "coding"),  # unknown recipe: lists the ones that exist
        (["sft", "recipe=/nonexistent/recipe.yaml"], "no such file"),
        (["sft", "--recipes-dir", "/nonexistent-dir", "--print-config"], "no such directory"),
        (["sft", "model=/nonexistent/model", "trainer.max_steps=1", "output_dir=/tmp/alignkit-test-x"],
         "does not exist"),
        (["sft", "data.source=/nonexistent/data.jsonl", "model=tiny", "output_dir=/tmp/alignkit-test-y"],
         "/nonexistent/data.jsonl"),
        (["sft", "recipe=coding", "oops"], "key=value"),
        # ~key on a required key: refused, naming the key and how to set it instead
        (["cgpo", "recipe=coding", "~trainer.max_steps"], "Set it instead: trainer.max_steps=<value>"),
        (["cgpo", "recipe=coding", "~model.lora"], "model.lora.<key>=<value>"),
        (["sft", "~model"], "model.<key>=<value>"),  # a section pulled from a group is still a required section
        (["cgpo", "recipe=coding", "~tasks.coding.judges.nope"], "tasks.coding.judges has: code, format"),
        (["cgpo", "recipe=coding", "~tasks.math.kl_max"], "no `tasks.math`"),
        (["sft", "~trainer.max_stepz"], "max_steps"),
        (["cgpo", "recipe=coding", "~tasks.coding.optimizer=codpo"], "nothing deleted"),
    ],
)
def test_bad_input_exits_2_with_a_message(args, expected):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_recipe_file_path_and_user_recipes_dir(tmp_path):
    recipe = tmp_path / "mine.yaml"
    recipe.write_text("# alignkit sft recipe=mine.yaml\ndefaults:\n  - /model: tiny\n  - _self_\n"
                      "trainer:\n  max_steps: 7\n")
    result = invoke("sft", f"recipe={recipe}", "--print-config")
    assert result.exit_code == 0, result.output
    assert "max_steps: 7" in result.output and "name_or_path: tiny" in result.output

    (tmp_path / "sft").mkdir()
    (tmp_path / "sft" / "custom.yaml").write_text("# my recipe\ndefaults:\n  - /model: tiny\n  - _self_\n"
                                                 "trainer:\n  max_steps: 9\n")
    listed = invoke("sft", "--recipes-dir", str(tmp_path), "--list-recipes")
    assert "custom" in listed.output and "my recipe" in listed.output
    result = invoke("sft", "--recipes-dir", str(tmp_path), "recipe=custom", "--print-config")
    assert result.exit_code == 0, result.output
    assert "max_steps: 9" in result.output


def test_delete_override_drops_a_judge_and_nulls_optional_keys():
    """Hydra's ~key on a typed schema: a mapping entry is removed, an optional key becomes null, a list or mapping
    goes back to empty."""
    from alignkit.config import compose_recipe
    from alignkit.trainers.cgpo import CGPORecipe
    from alignkit.trainers.sft import SFTRecipe

    def cgpo(*overrides):
        return compose_recipe("cgpo", "cgpo", "coding", ["model=tiny", *overrides], CGPORecipe)

    assert sorted(cgpo().tasks.coding.judges) == ["code", "format"]
    assert sorted(cgpo("~tasks.coding.judges.format").tasks.coding.judges) == ["code"]
    assert dict(cgpo("~tasks.coding.judges").tasks.coding.judges) == {}
    assert cgpo("~tasks.coding.max_new_tokens").tasks.coding.max_new_tokens is None
    assert cgpo("~tasks.coding.max_new_tokens=128").tasks.coding.max_new_tokens is None  # value matches
    fmt = cgpo("~tasks.coding.judges.format.max_words").tasks.coding.judges.format
    assert "max_words" not in fmt and fmt.require_terminal is False  # the judge's own default applies
    sft = compose_recipe("sft", "sft", "coding", ["~data.eval_split", "~trainer.report_to"], SFTRecipe)
    assert sft.data.eval_split is None and list(sft.trainer.report_to) == []

    result = invoke("cgpo", "recipe=coding", "~tasks.coding.judges.format", "--print-config")
    assert result.exit_code == 0, result.output
    assert "CodeJudge" in result.output and "FormatJudge" not in result.output


@pytest.mark.parametrize(("command", "old", "new"), [
    ("cgpo", "trainer.lr=1e-6", "trainer.learning_rate"),
    ("cgpo", "trainer.save_every=2", "trainer.save_steps"),
    ("cgpo", "trainer.keep_checkpoints=2", "trainer.save_total_limit"),
    ("sft", "trainer.lr=1e-6", "trainer.learning_rate"),
    ("sft", "trainer.save_every=2", "trainer.save_steps"),
    ("rm", "trainer.keep_checkpoints=2", "trainer.save_total_limit"),
    ("rm", "trainer.batch_size=4", "trainer.per_device_train_batch_size"),
    ("rm", "report_to=[tensorboard]", "trainer.report_to"),
])
def test_an_old_option_name_exits_2_naming_the_new_one(command, old, new):
    result = invoke(command, "model=tiny", old, "--print-config")
    assert result.exit_code == 2, result.output
    assert f"use `{new}`" in " ".join(result.output.split()) and "Traceback" not in result.output
