"""The ``alignkit`` command line: one command per method, each driven by a Hydra recipe.

Every command takes ``recipe=NAME`` (default ``default``; also a path to a YAML file) and any number of Hydra
overrides ``key=value``. ``--print-config`` prints the composed, resolved config; ``--list-recipes`` lists the
command's recipes; ``--recipes-dir DIR`` adds a folder of the user's recipes. Bad input exits with code 2 and a
message that names the problem and the fix, never a traceback.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from alignkit.errors import UserError
from alignkit.runs import SilentExit

console = Console()
err_console = Console(stderr=True)
log = logging.getLogger("alignkit")


@dataclass(frozen=True)
class Command:
    """A CLI command: its recipe folder, and the module whose ``run(cfg, run_dir, resume_from)`` trains."""

    name: str
    help: str
    recipes: str
    module: str | None  # None: not built yet
    schema: str = ""
    default_recipe: str = "default"
    # first word -> "module:function(args)" for commands that take sub-commands (`alignkit eval compare A B`)
    subcommands: tuple[tuple[str, str], ...] = ()


COMMANDS = [
    Command("sft", "Supervised fine-tuning (TRL SFTTrainer) on chat demonstrations.", "sft",
            "alignkit.trainers.sft", "SFTRecipe"),
    Command("score-init", "SCoRe Stage I: teach attempt 2 to self-correct while attempt 1 stays put.", "score_init",
            None),
    Command("score-rl", "SCoRe Stage II: multi-turn RL with the self-correction shaping bonus.", "score_rl", None),
    Command("cgpo", "CGPO: constrained RLHF with a Mixture of Judges (CRPG, CRRAFT, CODPO).", "cgpo",
            "alignkit.trainers.cgpo", "CGPORecipe", "coding"),
    Command("eva-evolve", "eva: a creator evolves prompts, a solver runs DPO/SimPO on them.", "eva_evolve", None),
    Command("eval", "Evaluate a model on benchmarks: `alignkit eval TASK`, `alignkit eval suite=quick`, "
            "`alignkit eval --list`, `alignkit eval compare RUN_A RUN_B`.", "eval",
            "alignkit.eval.runner", "EvalRecipe", "humaneval",
            subcommands=(("compare", "alignkit.eval.compare:main"),)),
    Command("rm", "Train a reward model on preference pairs (TRL RewardTrainer).", "rm",
            "alignkit.trainers.reward_model", "RMRecipe", "coding"),
]

app = typer.Typer(
    name="alignkit",
    help="Post-training for language models: CGPO, SCoRe and eva on top of TRL.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]error:[/bold red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _split_args(args: list[str], command: Command) -> tuple[str, list[str]]:
    """``recipe=NAME`` (or, for ``eval``, a bare first word) and the remaining Hydra overrides."""
    recipe = command.default_recipe
    overrides: list[str] = []
    for i, arg in enumerate(args):
        if arg.startswith("recipe="):
            recipe = arg.split("=", 1)[1]
        elif arg.startswith("~"):  # Hydra's delete override: ~key or ~key=value
            overrides.append(arg)
        elif "=" not in arg and not arg.startswith("-") and i == 0:
            recipe = arg
        elif arg.startswith("-"):
            raise UserError(f"Unknown option {arg!r}. Options: --print-config, --list, --list-recipes, "
                            f"--recipes-dir DIR.")
        elif "=" not in arg:
            raise UserError(f"Cannot read argument {arg!r}: overrides look like key=value (e.g. trainer.max_steps=5).")
        else:
            overrides.append(arg)
    return recipe, overrides


def _list_recipes(command: Command, extra_dirs: list[Path]) -> None:
    from alignkit.config import first_comment, recipe_files

    module = importlib.import_module(command.module) if command.module else None
    lister = getattr(module, "list_tasks", None)
    if lister is not None:  # eval: the tasks (found by their recipes' _target_) and the suites
        table = Table(title=f"alignkit {command.name} tasks", show_lines=False)
        table.add_column("task", style="bold cyan", no_wrap=True)
        table.add_column("description")
        for name, desc in lister(extra_dirs):
            table.add_row(name, desc)
        console.print(table)
        return
    files = recipe_files(command.recipes, extra_dirs)
    if not files:
        console.print(f"No recipes for `alignkit {command.name}` yet.")
        return
    table = Table(title=f"alignkit {command.name} recipes", show_lines=False)
    table.add_column("recipe", style="bold cyan")
    table.add_column("description")
    for name, path in sorted(files.items()):
        table.add_row(name, first_comment(path))
    console.print(table)


def _setup_logging(main: bool = True) -> None:
    """Rich logs on stderr; a process other than the main one of a multi-process launch shows errors only."""
    from rich.logging import RichHandler

    level = os.environ.get("ALIGNKIT_LOG_LEVEL", "INFO").upper() if main else "ERROR"
    logging.basicConfig(level=level, format="%(message)s", datefmt="[%X]",
                        handlers=[RichHandler(console=err_console, show_path=False, rich_tracebacks=False)])
    for noisy in ("httpx", "urllib3", "filelock", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.WARNING if main else logging.ERROR)
    if not main:
        _quiet_secondary_process()


def _quiet_secondary_process() -> None:
    """Silence everything but errors on a non-main process: warnings, library logs and progress bars."""
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("transformers", "trl", "accelerate", "datasets", "torch", "alignkit"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers is a dependency
        pass
    try:
        import datasets

        datasets.disable_progress_bars()
        datasets.logging.set_verbosity_error()
    except ImportError:  # pragma: no cover
        pass


def run_command(command: Command, args: list[str], print_config: bool, list_recipes: bool,
                recipes_dir: list[Path]) -> None:
    """Compose the recipe, make (or reopen) the run directory, and run the command's trainer."""
    if list_recipes:
        _list_recipes(command, recipes_dir)
        return
    if command.module is None:
        _fail(f"`alignkit {command.name}` is not built yet in this version of alignkit; nothing was trained. "
              f"Available now: " + ", ".join(c.name for c in COMMANDS if c.module) + ".")
    from alignkit.config import compose_recipe, to_yaml
    from alignkit.runs import (
        atomic_write_text,
        find_resume_dir,
        is_main_process,
        new_run_dir,
        on_main_then_share,
        setup_file_logging,
    )

    if args and dict(command.subcommands).get(args[0]):
        target = dict(command.subcommands)[args[0]]
        mod, _, fn = target.partition(":")
        getattr(importlib.import_module(mod), fn)(args[1:])
        return
    recipe, overrides = _split_args(args, command)
    module = importlib.import_module(command.module)
    schema = getattr(module, command.schema)
    compose = getattr(module, "compose_recipe", compose_recipe)  # a command may compose its own way (eval suites)
    cfg = compose(command.name, command.recipes, recipe, overrides, schema, recipes_dir)
    if print_config:
        console.print(to_yaml(cfg), highlight=False, markup=False, soft_wrap=True)
        return
    main = is_main_process()
    _setup_logging(main)

    def open_run_dir() -> tuple[Path, Path | None]:
        """(run directory, run to resume or None), decided and written by the main process only."""
        resume_from = None
        if cfg.resume:
            run_dir = find_resume_dir(command.name, cfg.recipe, cfg.resume)
            resume_from = run_dir
            log.info("Resuming %s", run_dir)
        else:
            run_dir = new_run_dir(command.name, cfg.recipe, cfg.output_dir)
        cfg.output_dir = str(run_dir)
        if (run_dir / "config.yaml").exists() and resume_from is not None:
            n = len(list(run_dir.glob("config.resume-*"))) + 1
            atomic_write_text(run_dir / f"config.resume-{n}.yaml", to_yaml(cfg))
        else:
            atomic_write_text(run_dir / "config.yaml", to_yaml(cfg))
        return run_dir, resume_from

    # Under a multi-process launch every process runs this; the main process alone makes (or finds) the run
    # directory and the others are told which one it is, so that one launch writes one run directory.
    run_dir, resume_from = on_main_then_share(open_run_dir, cpu=_wants_cpu(cfg))
    cfg.output_dir = str(run_dir)
    if main:
        setup_file_logging(run_dir)
        log.info("Run directory: %s", run_dir)
    import torch

    torch.manual_seed(cfg.seed)
    result = module.run(cfg, run_dir, resume_from)
    if not main:
        return
    if result:
        from alignkit.runs import atomic_write_json

        atomic_write_json(run_dir / "summary.json", result)
        _print_summary(result)
    console.print(f"[bold green]done[/bold green] run directory: {run_dir}")


def _wants_cpu(cfg) -> bool:
    """Whether the trainers will ask accelerate for CPU processes (gloo): the same rule as theirs."""
    try:
        from alignkit.models import resolve_device

        return resolve_device(cfg.model.device).type == "cpu"
    except Exception:  # a bad device is reported by the trainer with its own message
        return True


def _print_summary(result: dict) -> None:
    table = Table(title="summary", show_header=False)
    for key, value in result.items():
        if isinstance(value, int | float | str | bool) or value is None:
            table.add_row(str(key), f"{value:.4g}" if isinstance(value, float) else str(value))
    console.print(table)


def _make(command: Command):
    def handler(
        ctx: typer.Context,
        print_config: bool = typer.Option(False, "--print-config", help="Print the composed config and exit."),
        list_recipes: bool = typer.Option(False, "--list-recipes", "--list",
                                          help="List this command's recipes (eval: its tasks and suites) and exit."),
        recipes_dir: list[Path] = typer.Option([], "--recipes-dir", help="Add a folder of your own recipes."),
    ) -> None:
        try:
            run_command(command, list(ctx.args), print_config, list_recipes, list(recipes_dir))
        except SilentExit as stop:
            raise typer.Exit(stop.args[0] if stop.args else 2) from None
        except UserError as err:
            _fail(str(err))
        except KeyboardInterrupt:
            _fail("interrupted; resume with resume=true", 130)

    handler.__doc__ = (
        f"{command.help}\n\nUsage: alignkit {command.name} "
        f"{'TASK ' if command.name == 'eval' else ''}[recipe=NAME] [key=value ...]"
    )
    return handler


for _cmd in COMMANDS:
    app.command(
        _cmd.name,
        help=_cmd.help,
        short_help=_cmd.help,
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )(_make(_cmd))


@app.command("report", help="Charts of training and eval runs in one offline HTML page (and PNGs): "
             "`alignkit report RUN_DIR [RUN_DIR ...]`; several runs are overlaid.")
def report(
    run_dirs: list[Path] = typer.Argument(..., help="Run directories (runs/<command>/<recipe>/<time>)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder for report.html and the PNGs "
                                    "(default: <run>/report for one run, runs/report/<time> for several)."),
    title: str | None = typer.Option(None, "--title", help="The page's title."),
) -> None:
    from alignkit.report import main as build

    try:
        path = build(list(run_dirs), out, title)
    except UserError as err:
        _fail(str(err))
    console.print(f"[bold green]report[/bold green] {path}")


judges_app = typer.Typer(name="judges", help="Measure judges on labeled sets; train the LLM judges.",
                         no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(judges_app, name="judges")
JUDGES_TRAIN = Command("judges-train", "Train the embedded model into the LLM judges (safety, false refusal, "
                       "factuality).", "judges_train", "alignkit.trainers.judge", "JudgeTrainRecipe", "embedded")
judges_app.command("train", help=JUDGES_TRAIN.help, short_help=JUDGES_TRAIN.help,
                   context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(_make(JUDGES_TRAIN))


@judges_app.command("check", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def judges_check(ctx: typer.Context, judge: str = typer.Argument(..., help="A shipped judge, a judge YAML, or all.")):
    """Measure a judge on a labeled JSONL: `alignkit judges check JUDGE [data=FILE] [limit=N] [key=value ...]`.

    Prints accuracy, precision/recall of "violated", the confusion table, judge failures and, for LLM judges, the
    decision-token mass and a calibration table; writes report.json in a run directory. Without data= the judge's
    shipped validation set is used. Other key=value arguments override the judge's settings (model=...).
    """
    _setup_logging()
    try:
        from alignkit.judges.check import cli_check

        cli_check([judge], list(ctx.args))
    except UserError as err:
        _fail(str(err))


def main() -> None:
    """Console-script entry point."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        app()
    except UserError as err:  # pragma: no cover - handlers catch these; belt and braces
        err_console.print(f"[bold red]error:[/bold red] {err}")
        sys.exit(2)


if __name__ == "__main__":
    main()
