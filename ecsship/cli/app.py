"""The `ecsship` command: global options, command registration, entry point.

Only typer is imported at start-up; each command imports what it needs when it runs, so
`ecsship --help` and `ecsship validate` never load boto3.
"""
from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from ecsship import __version__
from ecsship.app.application import Application
from ecsship.app.signals import sigterm_as_interrupt
from ecsship.cli.options_anywhere import command_index, hoist_global_options


class EcsshipGroup(TyperGroup):
    def parse_args(self, ctx, args):
        return super().parse_args(ctx, hoist_global_options(list(args)))

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except typer.TyperException as exc:  # a usage error: still exit 2, printed by typer; the hint is ours
            hint = extra_files_hint(exc.message)
            if hint:
                exc.message += f"\nhint: {hint}"
            raise

    def list_commands(self, ctx):
        # The order commands are used in, not alphabetical (typer would also put groups last).
        rank = {name: i for i, name in enumerate(HELP_ORDER)}
        return sorted(self.commands, key=lambda name: rank.get(name, len(rank)))


def extra_files_hint(message: str) -> str | None:
    """A shell glob after one -f (`-f examples/*/ecsship.yaml`) reaches Click as one -f value and
    extra arguments; say how to pass several manifests."""
    if "unexpected extra argument" not in message:
        return None
    if not any(word.strip("()").endswith((".yaml", ".yml")) for word in message.split()):
        return None
    return ("-f takes one path: repeat it for each manifest (-f a.yaml -f b.yaml), or quote the "
            "pattern (-f 'examples/*/ecsship.yaml')")


# Every command is listed here (tests/unit/cli/test_help_order.py checks it); one missing would still be
# shown, last.
HELP_ORDER = ["init", "import", "validate", "services", "plan", "apply", "deploy", "wait", "rollback", "promote", "status",
              "history", "run", "logs", "exec", "job", "cost", "rightsize", "destroy", "secret", "unlock", "local", "schema",
              "version"]

HELP = """Turn one YAML manifest into a production-grade Amazon ECS service, and ship new versions safely.

Typical flow: init → validate → plan → apply → deploy (→ rollback).
Add --local to any command to rehearse on the embedded local AWS.

Exit codes: 0 ok, 1 operation failed, 2 invalid manifest or usage, 130 interrupted.
"""

app = typer.Typer(
    name="ecsship",
    cls=EcsshipGroup,
    help=HELP,
    # Plain click help: typer's rich help costs ~90 ms of imports on every `--help`.
    rich_markup_mode=None,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"ecsship {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    region: Annotated[Optional[str], typer.Option(help="AWS region (else the manifest's, AWS_REGION, or the profile's).", envvar=None)] = None,
    profile: Annotated[Optional[str], typer.Option(help="AWS named profile (else AWS_PROFILE).")] = None,
    endpoint_url: Annotated[Optional[str], typer.Option("--endpoint-url", help="Send every AWS call to this endpoint (also AWS_ENDPOINT_URL).")] = None,
    local: Annotated[bool, typer.Option("--local", help="Use the embedded local AWS (started when not running).")] = False,
    local_port: Annotated[Optional[int], typer.Option("--local-port", help="Port of the local AWS for --local (default 4566, or ECSSHIP_LOCAL_PORT).")] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="text or json.", case_sensitive=False)] = "text",
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours (also NO_COLOR).")] = False,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More detail (repeat for more).")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and results.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and AWS call details.")] = False,
    assume_role_arn: Annotated[Optional[str], typer.Option("--assume-role-arn", envvar="ECSSHIP_ASSUME_ROLE_ARN", show_envvar=True,
                                                         help="Make every AWS call as this IAM role (wins over the manifest's assume_role).")] = None,
    external_id: Annotated[Optional[str], typer.Option("--external-id", help="The external ID the role's trust policy requires.")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    if output.lower() not in ("text", "json"):
        raise typer.BadParameter("must be text or json", param_hint="--output")
    # A caller embedding the CLI may hand in an Application with the run's clock
    # (tests: CliRunner.invoke(app, args, obj=Application(given_clock=FakeClock(...)))).
    given = ctx.obj if isinstance(ctx.obj, Application) else None
    ctx.obj = Application(
        given_clock=given.given_clock if given else None,
        region=region,
        profile=profile,
        endpoint_url=endpoint_url,
        local=local,
        local_port=local_port,
        output=output.lower(),
        color=not no_color,
        verbose=verbose,
        quiet=quiet,
        debug=debug,
        assume_role_arn=assume_role_arn or None,
        external_id=external_id or None,
    )


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"ecsship.cli.commands.{name}").register(app)


# Order here is the order `--help` lists them in.
COMMAND_MODULES = ["init", "import_", "validate", "fleet", "plan", "apply", "destroy", "secret", "deploy", "status", "ops", "job", "cost", "unlock", "local", "meta"]  # add a module name here to add its commands


_register()


def main() -> None:
    fewer_collector_passes()
    try:
        # docker stop, CI cancel: the Ctrl-C path, exit 130
        with sigterm_as_interrupt(), only_the_invoked_command(sys.argv[1:]):
            app(prog_name="ecsship")
    except SystemExit as exc:
        from ecsship.cli.commands.plan import ChangesReported

        raise SystemExit(_detailed_exit(exc.code, sys.argv[1:], isinstance(exc, ChangesReported))) from None


@contextmanager
def only_the_invoked_command(argv: list[str]):
    """Typer makes every registered command a click command (signatures, annotations, options) at
    each start: ~20 ms for ecsship's 32 (issue #20 item 4). A run that names a known command builds
    only that one; `--help`, `--version`, no command or an unknown one build them all (the listing,
    click's suggestions)."""
    args = hoist_global_options(list(argv))
    j = command_index(args)
    name = args[j] if j is not None else None
    commands = [c for c in app.registered_commands if _command_name(c) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    unnamed = any(g.name is None for g in app.registered_groups)  # its commands would be merged in
    if not (commands or groups) or unnamed:
        yield
        return
    saved = app.registered_commands, app.registered_groups
    app.registered_commands, app.registered_groups = commands, groups
    try:
        yield
    finally:
        app.registered_commands, app.registered_groups = saved


def _command_name(info) -> str:
    """The name typer gives a registered command (typer.main.get_command_name)."""
    return info.name or info.callback.__name__.lower().replace("_", "-")


def fewer_collector_passes() -> None:
    """A young-generation pass of the cyclic garbage collector every 10,000 net allocations instead of
    CPython's 700: a converged `plan` allocates a few hundred thousand objects that live to its end
    (parsed service models, endpoint rules, clients) and spent ~90 ms walking them (issue #20
    item 4). A run's garbage is still collected, in fewer, larger passes. The CLI's process only:
    embedding ecsship leaves the host's collector alone."""
    gc.set_threshold(10_000, 10, 10)


def _detailed_exit(code, argv: list[str], changes_reported: bool = False):
    """`plan --detailed-exitcode`: 2 means only "changes"; a usage error the option parser caught is 1."""
    if code == 2 and "--detailed-exitcode" in argv and "plan" in argv:
        return 2 if changes_reported else 1
    return code


if __name__ == "__main__":
    sys.exit(main())
