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


@pytest.mark.parametrize("command", ["score-init", "score-rl", "eva-evolve"])
def test_unbuilt_commands_refuse_with_code_2(command):
    result = invoke(command)
    assert result.exit_code == 2
    assert "not built yet" in result.output
    assert "Traceback" not in result.output


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
