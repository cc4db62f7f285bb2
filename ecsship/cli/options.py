"""Options shared by many commands, declared once."""
from __future__ import annotations

from typing import Annotated, List, Optional

import typer

FileOpt = Annotated[str, typer.Option("--file", "-f", help="Manifest to use (- reads it from standard input).", show_default=True)]
EnvOpt = Annotated[Optional[str], typer.Option("--env", "-e", help="Merge environments.NAME over the base manifest.")]
VarOpt = Annotated[Optional[List[str]], typer.Option("--var", help="Set a ${VAR} for interpolation: KEY=VALUE (repeatable; wins over the environment).")]
