"""The tags this project registers: what they mean, their colour, and how they behave.

Registered behaviours live in the catalog, so `latest` stays exclusive and `iris_baseline`
keeps cascading when anyone later passes them as plain strings.
"""

from __future__ import annotations

from tagbase import Client, Tag

TAGS = (
    Tag("latest", exclusive=True, color="blue",
        description="The newest run of a pipeline: it moves to each new run."),
    Tag("champion", exclusive=True, color="#eab308",
        description="The best version of a model so far; exactly one per model."),
    Tag("iris_baseline", cascade=True, color="purple",
        description="The naive Bayes baseline experiment: on every artifact version it makes."),
    Tag("pii=true", color="red",
        description="Holds personal data: access is logged and limited to the owners."),
    Tag("high_accuracy", color="green", description="A training run that scored 0.9 or more."),
    Tag("refresh=nightly", color="teal",
        description="Refreshed by the nightly_marketing job, which selects assets by this tag."),
)  # fmt: skip


def register_tags(client: Client) -> None:
    """Register every tag of the project, or bring a registered one up to date (create_tag
    refuses a registered tag, so a second call updates it); safe to call again."""
    registered = {definition.name for definition in client.list_tags(registered_only=True)}
    for tag in TAGS:
        write = client.update_tag if tag.name in registered else client.create_tag
        write(
            tag.name,
            exclusive=bool(tag.exclusive),
            cascade=bool(tag.cascade),
            color=tag.color,
            description=tag.description,
        )
