"""The `kg` command line: one click group; each command lives in its own module in this package.

Commands only parse options, call one library function and render the result (data on stdout,
messages on stderr). A module registers its commands by defining `COMMANDS = [...]`. A KgError that
leaves a command is printed here, once for all commands, as its one line (prefixed by the command's
`error_prefix`, 'error' unless it says otherwise) and ends the process with its exit code.
"""
from __future__ import annotations

import importlib
import pkgutil

import click

from .. import __version__
from ..errors import KgError
from ._options import echo_err

HELP = """ofsted-kg: turn Ofsted children's-services inspection reports into a knowledge graph.

\b
Examples:
  kg extract reports/                       # one record per report, as a table
  kg extract --format jsonl reports/ > records.jsonl
  kg build reports/                         # read, extract, validate and store the graph
  kg query --list                           # the named questions you can ask
  kg recurring --council Doncaster          # which issues keep coming back

Exit status: 0 success; 1 ran, but some reports failed or the graph has violations;
2 usage, input or configuration error.

\b
Environment:
  KG_STORE      the graph store directory (default ~/.local/share/ofsted-kg/store)
  KG_RULES_DIR  a directory of rule files read in place of the bundled kg/data (a copy to try
                edited rules on; `python -m kg.rules --check` validates it)
"""


class _Group(click.Group):
    """The CLI's one error boundary: a KgError from any command becomes one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            name = ctx.invoked_subcommand
            command = self.get_command(ctx, name) if name else None
            echo_err(f"{getattr(command, 'error_prefix', 'error')}: {exc.one_line()}")
            raise SystemExit(exc.exit_code) from None


@click.group(cls=_Group, help=HELP,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ofsted-kg")
def main() -> None:
    pass


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


_register()
