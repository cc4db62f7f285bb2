"""cli.options.manifest_options: the manifest options (-f, --env, --var) declared once, given to a
command that lists them bare and keyword-only; --help shows them first, as on every command."""
from __future__ import annotations

from typing import Annotated, Optional

import typer
from typer.testing import CliRunner

from ecsship.cli.options import manifest_options


def _app(seen: dict) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @manifest_options
    def show(ctx: typer.Context, name: Annotated[Optional[str], typer.Option("--name")] = None, *, file, env, var) -> None:
        seen.update(name=name, file=file, env=env, var=var)

    return app


def test_the_options_reach_the_command_with_their_defaults():
    seen: dict = {}
    assert CliRunner().invoke(_app(seen), []).exit_code == 0
    assert seen == {"name": None, "file": "ecsship.yaml", "env": None, "var": None}
    result = CliRunner().invoke(_app(seen), ["-f", "m.yaml", "-e", "prod", "--var", "A=1", "--var", "B=2", "--name", "x"])
    assert result.exit_code == 0, result.output
    assert seen == {"name": "x", "file": "m.yaml", "env": "prod", "var": ["A=1", "B=2"]}


def test_help_lists_them_before_the_commands_own():
    text = CliRunner().invoke(_app({}), ["--help"]).output
    assert text.index("--file") < text.index("--env") < text.index("--var") < text.index("--name")


def test_a_required_argument_keeps_its_place_before_the_options():
    """`ecsship secret set KEY -f m.yaml`: an argument without a default cannot follow defaulted
    options in a Python signature, so the shared options come after it."""
    app, seen = typer.Typer(), {}

    @app.command()
    @manifest_options
    def set_(ctx: typer.Context, key: Annotated[str, typer.Argument()], *, file, env, var) -> None:
        seen.update(key=key, file=file)

    result = CliRunner().invoke(app, ["DB_PASSWORD", "-f", "m.yaml"])
    assert result.exit_code == 0, result.output
    assert seen == {"key": "DB_PASSWORD", "file": "m.yaml"}
