"""Options and parameter types shared by several commands, each defined once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from tagbase._errors import InvalidInputError
from tagbase._kinds import Kind
from tagbase._tag_settings import TagSettings

F = TypeVar("F", bound=Callable[..., Any])

MAX_LIMIT = 10_000

if TYPE_CHECKING:  # click >= 8.4 types ParamType by its value; older click is not generic
    _KindParam = click.ParamType[Kind]
    _TimeParam = click.ParamType[datetime]
else:
    _KindParam = _TimeParam = click.ParamType


class KindType(_KindParam):
    """An entity kind, by its name or an alias (`model_version`, `artifact`, `pipeline`...)."""

    name = "kind"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Kind:
        if isinstance(value, Kind):
            return value
        try:
            return Kind.parse(str(value))
        except InvalidInputError as error:
            self.fail(str(error), param, ctx)


class TimeType(_TimeParam):
    """An ISO 8601 time; without a zone it is UTC, as every time tagbase prints."""

    name = "time"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            moment = value
        elif str(value).strip().lower() == "now":
            return datetime.now(UTC)
        else:
            try:
                moment = datetime.fromisoformat(str(value).strip())
            except ValueError:
                self.fail(
                    f"{value!r} is not an ISO 8601 time; write e.g. 2024-05-01T12:00:00Z, "
                    "2024-05-01 or now",
                    param,
                    ctx,
                )
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


KIND = KindType()
TIME = TimeType()

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
tag_filter_option = click.option(
    "--tag",
    "tag_filters",
    multiple=True,
    metavar="FILTER",
    help="Only entities with this tag: 'key', 'key=value', or an operator such as "
    "'contains:exp', 'startswith:v2', 'notequals:old', 'oneof:a,b'. Repeat to require all.",
)
query_option = click.option(
    "--filter",
    "query",
    metavar="QUERY",
    help="Only entities matching a query, e.g. "
    "'tag:env=prod and tag:team in (ml, data) and not tag:deprecated'.",
)
add_tag_option = click.option(
    "-t",
    "--tag",
    "add_tags",
    multiple=True,
    metavar="TAG",
    help="Add a tag: 'key' (a label) or 'key=value'. Repeat for several.",
)
remove_tag_option = click.option(
    "-r",
    "--remove-tag",
    "remove_tags",
    multiple=True,
    metavar="TAG",
    help="Remove a tag: 'key' or 'key=value'. Repeat for several.",
)
limit_option = click.option(
    "--limit",
    metavar="N",
    type=click.IntRange(1, MAX_LIMIT),
    default=50,
    show_default=True,
    help="Show at most this many, newest first.",
)
pipeline_option = click.option(
    "--pipeline", metavar="NAME_OR_ID", help="The pipeline (job) the run belongs to."
)


def tag_changes(function: F) -> F:
    """`-t/--tag` and `-r/--remove-tag`, as every update command takes them."""
    return add_tag_option(remove_tag_option(function))


def tag_settings(function: F) -> F:
    """The registry settings `tag register` and `tag update` take, one option per setting of
    `TagSettings` (named as it); the command gets them whole, as `settings`. Unset ones are
    None: they stay as they are."""
    options = (
        click.option(
            "--exclusive/--no-exclusive",
            default=None,
            help="At most one entity per scope holds it (one run per pipeline, one version per "
            "artifact or model); tagging another moves it.",
        ),
        click.option(
            "--cascade/--no-cascade",
            default=None,
            help="On a pipeline, also apply it to the pipeline's runs and their artifact versions.",
        ),
        click.option(
            "--color", metavar="COLOUR", help="A colour for the UI: '#3b82f6' or a name like blue."
        ),
        click.option("--description", metavar="TEXT", help="What the tag means."),
        click.option(
            "--multi-valued/--single-valued",
            default=None,
            help="Whether one entity may hold several values of the tag's key.",
        ),
    )

    @functools.wraps(function)
    def with_settings(*args: Any, **given: Any) -> Any:
        settings = TagSettings(**{name: given.pop(name) for name in TagSettings.names()})
        return function(*args, settings=settings, **given)

    command: Any = with_settings
    for option in reversed(options):
        command = option(command)
    return cast(F, command)
