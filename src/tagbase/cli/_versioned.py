"""`artifact` and `model`: the same commands for two registries of named things with versions."""

from __future__ import annotations

import click

from tagbase._client import Client
from tagbase._kinds import Kind
from tagbase._records import Entity, alias_parts
from tagbase.cli._app import State, pass_state
from tagbase.cli._entities import (
    add_entity_commands,
    get_entity,
    list_entities,
    show_entity,
    update_help,
    update_tags,
)
from tagbase.cli._options import (
    json_option,
    limit_option,
    query_option,
    tag_changes,
    tag_filter_option,
)
from tagbase.cli._render import a, noun


def versioned_group(kind: Kind, version_kind: Kind, *, examples: tuple[str, str]) -> click.Group:
    """The `list`, `show` and `update` commands of `kind`, and a `version` group for its
    versions. `examples` are the update commands shown in the help of each level."""
    name = noun(kind)

    @click.group(name, help=f"{name.capitalize()}s and their versions.")
    def group() -> None:
        pass

    add_entity_commands(group, kind, examples[0])
    group.add_command(_version_group(kind, version_kind, examples[1]))
    return group


def _version_group(kind: Kind, version_kind: Kind, example: str) -> click.Group:
    parent = noun(kind)
    metavar = parent.upper()

    @click.group("version", help=f"Versions of {parent}s.")
    def group() -> None:
        pass

    @group.command("list", help=f"List versions, newest first: of one {parent}, or of all of them.")
    @click.argument("parent_ref", metavar=f"[{metavar}]", required=False)
    @tag_filter_option
    @query_option
    @limit_option
    @json_option
    @pass_state
    def list_command(
        state: State,
        parent_ref: str | None,
        tag_filters: tuple[str, ...],
        query: str | None,
        limit: int,
        as_json: bool,
    ) -> None:
        list_entities(
            state.client,
            version_kind,
            scope=parent_ref,
            tag_filters=tag_filters,
            query=query,
            limit=limit,
            as_json=as_json,
        )

    @group.command(
        "show",
        help=f"Show a version of {a(parent)}, by version name, number or id; or by alias, "
        f"{metavar}@TAG (the version holding the exclusive tag TAG); or, given {a(parent)} "
        "alone, its latest version.",
    )
    @click.argument("parent_ref", metavar=f"{metavar}[@ALIAS]")
    @click.argument("version", required=False)
    @json_option
    @pass_state
    def show_command(state: State, parent_ref: str, version: str | None, as_json: bool) -> None:
        client = state.client
        if version is None:
            show_entity(_by_parent(client, version_kind, parent_ref), as_json)
        else:
            show_entity(get_entity(client, version_kind, version, parent_ref), as_json)

    @group.command("update", help=update_help(f"{parent} version", example))
    @click.argument("parent_ref", metavar=f"{metavar}[@ALIAS]")
    @click.argument("version", required=False)
    @tag_changes
    @json_option
    @pass_state
    def update_command(
        state: State,
        parent_ref: str,
        version: str | None,
        add_tags: tuple[str, ...],
        remove_tags: tuple[str, ...],
        as_json: bool,
    ) -> None:
        client = state.client
        if version is None and alias_parts(parent_ref) is None:
            raise click.UsageError(f"give the VERSION, or name it by alias: {metavar}@TAG")
        ref, scope = (parent_ref, None) if version is None else (version, parent_ref)
        entity = update_tags(client, version_kind, ref, scope, add_tags, remove_tags)
        show_entity(entity, as_json)

    return group


def _by_parent(client: Client, kind: Kind, parent_ref: str) -> Entity:
    """A version named without a version: by alias (PARENT@TAG), else the parent's latest."""
    if kind is Kind.MODEL_VERSION:
        return client.get_model_version(parent_ref)
    return client.get_artifact_version(parent_ref)


artifact = versioned_group(
    Kind.ASSET,
    Kind.ASSET_VERSION,
    examples=(
        "tagbase artifact update my_artifact -t production -t dataset",
        "tagbase artifact version update iris_data 2023-06-15 -t final",
    ),
)
model = versioned_group(
    Kind.MODEL,
    Kind.MODEL_VERSION,
    examples=(
        'tagbase model update iris_classifier --tag "production-ready"',
        'tagbase model version update iris_classifier 2.0.0 --tag "approved"',
    ),
)
