"""Stored text cannot drive the terminal: names, tags, descriptions and metadata values holding
escape sequences or control characters come out of the CLI escaped, in tables, plain lines,
JSON and error messages alike."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from tagbase import Client, Kind
from tagbase.cli import cli
from tagbase.cli._safe import printable
from tagbase.store._schema import entity, tag

# Clears the screen, sets the window title, rings, returns, and a C1 CSI and a right-to-left
# override: each can rewrite or disguise what the terminal shows.
EVIL = "a\x1b[2J\x1b]0;owned\x07b\rc\x9b31md\u202ee"
SHOWN = "a\\x1b[2J\\x1b]0;owned\\x07b\\x0dc\\x9b31md\\u202ee"


def stored_raw(client: Client, kind: Kind, ref: str, **columns: str) -> None:
    """Write text into the catalog as it may be found there (an older version, another
    writer), past the checks of today's writes."""
    found = client.get(kind, ref)
    with client.store.engine.begin() as connection:
        connection.execute(entity.update().where(entity.c.uuid == found.id).values(**columns))


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def assert_escaped(output: str) -> None:
    assert SHOWN in output
    assert not any(c in output for c in "\x1b\x07\r\x9b\u202e")


def test_printable_escapes_what_drives_a_terminal_and_keeps_layout() -> None:
    assert printable(EVIL) == SHOWN
    assert printable("two\nlines\tand tab, ünïcode ✓") == "two\nlines\tand tab, ünïcode ✓"


def test_tables_show_stored_names_and_descriptions_escaped(client: Client) -> None:
    client.create_model("churn", tags=["prod"])
    stored_raw(client, Kind.MODEL, "churn", name=EVIL, description=EVIL)

    assert_escaped(run("model", "list").stdout)
    assert_escaped(run("model", "show", EVIL).stdout)


def test_tags_and_metadata_values_are_escaped(client: Client) -> None:
    client.create_model("churn", tags=["env=prod"], metadata={"notes": EVIL})
    with client.store.engine.begin() as connection:
        connection.execute(tag.update().where(tag.c.value == "prod").values(value=EVIL))

    shown = run("model", "show", "churn").stdout

    assert_escaped(shown)
    assert f"env={SHOWN}" in shown


def test_plain_lines_are_escaped(client: Client) -> None:
    client.create("asset", "orders")
    version = client.create("asset_version", "v1", scope="orders")
    client.log_metadata("asset_version", version.id, {"rows": 3})
    stored_raw(client, Kind.ASSET_VERSION, version.id, name=EVIL)

    shown = run("artifact", "metadata", "orders", "rows").stdout

    # click drops the colour codes (ESC [ ... m and the like) of text it does not send to a
    # terminal; what it lets through is escaped
    assert "orders:a\\x1b]0;owned\\x07b\\x0dc\\x9b31md\\u202ee  3" in shown
    assert not any(c in shown for c in "\x1b\x07\r\x9b\u202e")


def test_json_stays_valid_and_escaped(client: Client) -> None:
    client.create_model("churn", description=EVIL)

    printed = run("model", "show", "churn", "--json").stdout

    assert json.loads(printed)["description"] == EVIL
    assert not any(c in printed for c in "\x1b\x07\r\x9b\u202e")


def test_error_messages_are_escaped(client: Client) -> None:
    client.create_pipeline("train")
    first = client.create_run("train", "r1")
    client.create_run("train", "r2")
    stored_raw(client, Kind.RUN, first.id, name=EVIL)
    client.create_tag("latest", exclusive=True)

    result = CliRunner().invoke(cli, ["tag", "add", "--filter", "job:train", "latest", "--yes"])

    assert result.exit_code == 1
    assert "is exclusive" in result.stderr
    assert SHOWN in result.stderr  # the run's name, in the list of holders
    assert not any(c in result.stderr for c in "\x1b\x07\r\x9b\u202e")
