"""Turn every failure into one clear message and a documented exit code; tracebacks only with --debug."""
from __future__ import annotations

import functools
import sys
import traceback

import typer

from ecsship.app.application import Quit
from ecsship.errors import EXIT_FAILED, EXIT_INTERRUPTED, EcsshipError


def guarded(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        ctx = kwargs.get("ctx") or (args[0] if args else None)
        options = ctx.obj if ctx is not None else None
        out = options.out() if options is not None else None
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except Quit as quit:  # the flow said what it had to; only the exit code is left
            raise typer.Exit(quit.exit_code) from None
        except EcsshipError as exc:
            if options is not None and options.debug:
                traceback.print_exc()
            if out is not None:
                out.error(exc)
            else:
                print(f"error: {exc.message}", file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:  # a bug or an unexpected failure: say so plainly
            translated = _translate_external(exc)
            if translated is not None:
                if options is not None and options.debug:
                    traceback.print_exc()
                out.error(translated) if out is not None else print(f"error: {translated.message}", file=sys.stderr)
                raise typer.Exit(translated.exit_code) from None
            if options is not None and options.debug:
                traceback.print_exc()
            print(f"error: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            print("hint: run again with --debug for the traceback, and report it", file=sys.stderr)
            raise typer.Exit(EXIT_FAILED) from None
        finally:
            if options is not None and options.debug:
                summary = options.call_summary()
                if summary:
                    print(summary, file=sys.stderr)

    return wrapper


def _translate_external(exc: Exception) -> EcsshipError | None:
    """botocore failures that escaped a reconciler's own translation (credentials, network)."""
    module = type(exc).__module__ or ""
    if not module.startswith("botocore"):
        return None
    from ecsship.aws.errors import translate_botocore

    return translate_botocore(exc)
