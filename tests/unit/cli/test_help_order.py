"""`ecsship --help` lists commands in the order they are used (cli/app.HELP_ORDER): a command added
without a place there would be shown last, out of its flow, so every registered command must be listed."""
import typer

from ecsship.cli.app import HELP_ORDER, app


def test_every_command_has_a_place_in_the_help_order():
    group = typer.main.get_command(app)
    registered = set(group.commands)
    assert registered - set(HELP_ORDER) == set(), "add these to HELP_ORDER in ecsship/cli/app.py"
    assert len(HELP_ORDER) == len(set(HELP_ORDER))
    with typer.Context(group) as ctx:
        assert group.list_commands(ctx) == [name for name in HELP_ORDER if name in registered]
