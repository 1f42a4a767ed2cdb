"""fangyi command line: thin typer app; each concern's commands live in optimizer/cli/."""

from __future__ import annotations

import typer

from optimizer.cli import check, demo, incidents, roster, routes, testing

app = typer.Typer(
    name="fangyi",
    help="防疫 fangyi: duty rosters, testing rounds, disinfection routes, emergency dispatch.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

for module in (demo, roster, check, incidents, routes, testing):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
