"""The root `tagbase` group: global options, command aliases, and the one way errors are shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

import click

from tagbase import __version__
from tagbase._client import Client
from tagbase._config import Config
from tagbase._errors import (
    MetadataValidationError,
    OwnerValidationError,
    TagbaseError,
    TagValidationError,
)
from tagbase.cli._safe import printable, safe_output
from tagbase.execution._runtime import Runtime, use_runtime

# Both vocabularies work: ZenML says artifacts and pipelines, tagbase says assets and jobs.
ALIASES = {
    "artifacts": "artifact",
    "asset": "artifact",
    "assets": "artifact",
    "models": "model",
    "runs": "run",
    "pipelines": "pipeline",
    "job": "pipeline",
    "jobs": "pipeline",
    "tags": "tag",
}
_PROBLEM_ERRORS = (TagValidationError, MetadataValidationError, OwnerValidationError)


@dataclass
class State:
    """What the global options chose; the client (of the runtime in use) is made on first
    use."""

    database_url: str | None = None
    home: str | None = None
    _client: Client | None = field(default=None, repr=False)

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client()
        return self._client

    def config(self) -> Config:
        return Config.load(home=self.home, database_url=self.database_url)


pass_state = click.make_pass_decorator(State)


def error_lines(error: TagbaseError) -> list[str]:
    """The headline of an error, then any further lines indented under it; a fix is said in
    the CLI's terms."""
    if isinstance(error, _PROBLEM_ERRORS) and len(error.problems) == 1:
        return [f"{error.headline}: {error.problems[0]}"]
    # lines end at newlines only: a carriage return in stored text is escaped, not a break
    first, *rest = (error.explained("cli") or type(error).__name__).split("\n")
    return [first, *(line if line.startswith(" ") else f"  {line}" for line in rest)]


class TagbaseFailure(click.ClickException):
    """A TagbaseError on its way out: `error: ...` on stderr, exit code 1, no traceback."""

    exit_code = 1

    def __init__(self, error: TagbaseError) -> None:
        self.lines = error_lines(error)
        super().__init__(self.lines[0])

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(printable("error: " + "\n".join(self.lines)), file=file, err=True)


class RootGroup(click.Group):
    """Resolves plural and tagbase-vocabulary aliases and turns TagbaseErrors into failures."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, ALIASES.get(cmd_name, cmd_name))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with safe_output():
                return super().invoke(ctx)
        except TagbaseError as error:
            raise TagbaseFailure(error) from error


@click.group(
    "tagbase",
    cls=RootGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Aliases: artifacts, asset, assets = artifact; pipelines, job, jobs = pipeline; "
    "models = model; runs = run; tags = tag.",
)
@click.option(
    "--database-url",
    metavar="URL",
    help="The catalog database: sqlite:///path/catalog.db or postgresql://user@host/db. "
    "Default: $TAGBASE_DATABASE_URL, then database_url in $TAGBASE_HOME/tagbase.yaml, "
    "then tagbase.db in the home folder.",
)
@click.option(
    "--home",
    metavar="PATH",
    type=click.Path(file_okay=False),
    help="The tagbase home folder (default: $TAGBASE_HOME, else ~/.tagbase).",
)
@click.version_option(__version__, prog_name="tagbase")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, home: str | None) -> None:
    """tagbase: find, organise and control pipeline runs, artifacts and models by tags.

    Tags are written `key` (a label) or `key=value`.
    """
    ctx.obj = state = State(database_url=database_url, home=home)
    if database_url is not None or home is not None:  # else the runtime in use (the default)
        runtime = ctx.with_resource(use_runtime(Runtime(config=state.config())))
        ctx.call_on_close(runtime.close)
