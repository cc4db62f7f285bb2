"""Options shared by many commands, declared once."""
from __future__ import annotations

import inspect
from typing import Annotated, List, Optional

import typer

FileOpt = Annotated[str, typer.Option("--file", "-f", help="Manifest to use (- reads it from standard input).", show_default=True)]
EnvOpt = Annotated[Optional[str], typer.Option("--env", "-e", help="Merge environments.NAME over the base manifest.")]
VarOpt = Annotated[Optional[List[str]], typer.Option("--var", help="Set a ${VAR} for interpolation: KEY=VALUE (repeatable; wins over the environment).")]

# The options of every command that reads a manifest: (type, default) by parameter name.
MANIFEST_OPTIONS = {"file": (FileOpt, "ecsship.yaml"), "env": (EnvOpt, None), "var": (VarOpt, None)}


def manifest_options(fn):
    """Give a command the manifest options (-f/--file, -e/--env, --var) declared once above: it
    lists them last, keyword-only and bare (`def run(ctx, command: CommandArg = None, *, file, env,
    var)`); typer sees them right after `ctx` and its required arguments (so `--help` lists them
    first, as everywhere), each with its type and default. Click passes every parameter by name, so the order is typer's only."""
    signature = inspect.signature(fn, eval_str=True)  # typer reads the annotations as objects
    own, manifest = [], []
    for param in signature.parameters.values():
        if param.name in MANIFEST_OPTIONS and param.kind is param.KEYWORD_ONLY:
            # Bare: the shared declaration; annotated (`file: FilesOpt = None`, many manifests): its own.
            annotation, default = MANIFEST_OPTIONS[param.name] if param.annotation is param.empty else (param.annotation, param.default)
            manifest.append(param.replace(kind=param.POSITIONAL_OR_KEYWORD, annotation=annotation, default=default))
        else:
            own.append(param)
    # own[0] is the typer.Context; required arguments (`key: KeyArg`, no default) must stay before
    # the defaulted options in a signature, so the manifest options come after those.
    required = next((i for i, p in enumerate(own[1:], 1) if p.default is not p.empty), len(own))
    params = own[:required] + manifest + own[required:]
    fn.__signature__ = signature.replace(parameters=params)
    fn.__annotations__ = {p.name: p.annotation for p in params if p.annotation is not p.empty}
    return fn


# Commands that take many manifests: -f repeated, a directory (every ecsship.yaml and *.ecsship.yaml
# beneath it) or a glob; one manifest runs exactly as before.
FilesOpt = Annotated[Optional[List[str]], typer.Option(
    "--file", "-f", help="Manifest (- reads standard input); repeat it, or give a directory or a glob, for many services.")]
OnlyOpt = Annotated[Optional[str], typer.Option("--only", help="With many manifests: only these services (a,b).")]
ParallelOpt = Annotated[int, typer.Option("--parallel", min=1, max=64, help="With many manifests: services run at a time (default 4).")]
KeepGoingOpt = Annotated[bool, typer.Option("--keep-going", help="With many manifests: after a failure, run the services that do not come after it.")]


def one_file(files: list[str] | None) -> str:
    return files[0] if files else "ecsship.yaml"

ImageTagOpt = Annotated[Optional[str], typer.Option("--image-tag", "-t", help="Replace the tag (or sha256: digest) of the manifest's image.")]
ImageOpt = Annotated[Optional[str], typer.Option("--image", help="Use this full image URI instead of the manifest's.")]
