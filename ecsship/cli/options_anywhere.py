"""Let global options stand anywhere on the command line.

`ecsship apply -f x.yaml --local --yes` reads naturally; click only accepts group options
before the sub-command, so we move the global ones to the front before parsing.
"""
from __future__ import annotations

GLOBAL_FLAGS = {"--local", "--no-color", "--debug", "-v", "--verbose", "-q", "--quiet", "-vv"}
GLOBAL_VALUED = {"--region", "--profile", "--endpoint-url", "--output", "-o", "--local-port", "--assume-role-arn", "--external-id"}
# Short options a command claims for itself after its name: `import -o FILE` (issue #16's contract)
# writes the manifest to FILE; `--output` still sets the output mode there.
OWN_AFTER_COMMAND = {"import": {"-o"}}


def hoist_global_options(args: list[str]) -> list[str]:
    front: list[str] = []
    rest: list[str] = []
    i = 0
    seen_command = False
    command = ""
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if seen_command and name in OWN_AFTER_COMMAND.get(command, ()):
            rest.append(arg)
        elif seen_command and arg in GLOBAL_FLAGS:
            front.append(arg)
        elif seen_command and name in GLOBAL_VALUED:
            front.append(arg)
            if "=" not in arg and i + 1 < len(args):
                front.append(args[i + 1])
                i += 1
        else:
            if not arg.startswith("-"):
                command = command or arg
                seen_command = True
            elif not seen_command and name in GLOBAL_VALUED and "=" not in arg and i + 1 < len(args):
                rest.extend(args[i : i + 2])
                i += 2
                continue
            rest.append(arg)
        i += 1
    # Global options go right before the first sub-command word.
    j = command_index(rest)
    return rest + front if j is None else rest[:j] + front + rest[j:]


def command_index(args: list[str]) -> int | None:
    """Where the sub-command's name is in `args` (global options first, as hoisted): the first word
    that is neither an option nor the value of a global option (`--output json`, not `--output=json`)."""
    for j, arg in enumerate(args):
        if arg == "--":
            return None
        if not arg.startswith("-") and (j == 0 or args[j - 1] not in GLOBAL_VALUED):
            return j
    return None
