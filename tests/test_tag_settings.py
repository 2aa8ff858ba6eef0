"""The tag settings: one value, and every layer that names them names the same ones."""

from __future__ import annotations

import pytest

from tagbase import Client, InvalidInputError
from tagbase._json import TagDefinitionOut
from tagbase._tag_settings import TagSettings
from tagbase._tags import Tag
from tagbase.cli._tags import register_tag, update_tag
from tagbase.server._schemas import TagCreate, TagUpdate
from tagbase.store._registry import definition_query

NAMES = TagSettings.names()


def test_given_holds_the_settings_that_are_set_in_order() -> None:
    settings = TagSettings(multi_valued=False, exclusive=True, color="red")

    assert settings.given == {"exclusive": True, "color": "red", "multi_valued": False}
    assert TagSettings().given == {}


def test_changes_apply_over_settings_and_unknown_ones_are_refused() -> None:
    assert TagSettings(color="red").with_changes({"cascade": True}) == TagSettings(
        cascade=True, color="red"
    )
    with pytest.raises(InvalidInputError, match=r"no tag setting 'exclusiv'.*exclusive, cascade"):
        TagSettings().with_changes({"exclusiv": True})


@pytest.mark.parametrize(("name", "value"), [("exclusive", "yes"), ("color", 3)])
def test_a_setting_of_the_wrong_type_is_refused(name: str, value: object) -> None:
    with pytest.raises(InvalidInputError, match=f"tag setting {name}="):
        TagSettings().with_changes({name: value})


def test_a_tag_object_carries_its_settings() -> None:
    tag = Tag("latest", exclusive=True, color="blue")

    assert tag.settings == TagSettings(exclusive=True, color="blue")
    assert tag.has_behaviours
    assert not Tag("latest").has_behaviours


def test_every_layer_names_the_same_settings() -> None:
    """A new setting in TagSettings must reach the registry's columns, the API's request and
    response shapes and the options of `tagbase tag register` and `tag update`."""
    columns = {column.name for column in definition_query().selected_columns}
    assert set(NAMES) <= columns
    assert set(TagUpdate.model_fields) == set(NAMES)
    assert set(TagCreate.model_fields) == {*NAMES, "name"}
    assert set(NAMES) <= set(TagDefinitionOut.model_fields)
    for command in (register_tag, update_tag):
        options = {param.name for param in command.params}
        assert set(NAMES) <= options, command.name


def test_the_client_takes_settings_as_keywords_or_whole(client: Client) -> None:
    made = client.create_tag(name="champion", exclusive=True, color="green")
    assert made.settings == TagSettings(
        exclusive=True, cascade=False, color="green", description=None, multi_valued=False
    )

    changed = client.update_tag("champion", TagSettings(description="serving"), cascade=True)

    assert (changed.exclusive, changed.cascade, changed.color) == (True, True, "green")
    assert changed.description == "serving"
    with pytest.raises(InvalidInputError, match="no tag setting 'colour'"):
        client.update_tag("champion", colour="red")
