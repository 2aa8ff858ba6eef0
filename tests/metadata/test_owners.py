"""Owners: email addresses and teams."""

from __future__ import annotations

import pytest

from tagbase._errors import OwnerValidationError
from tagbase.metadata import validate_owners


def test_owners_accept_emails_and_teams_and_drop_duplicates_in_order() -> None:
    owners = ["ana@example.com", "team:data-eng", "bo.b+x@mail.example.org", "ana@example.com"]
    assert validate_owners(owners) == (
        "ana@example.com",
        "team:data-eng",
        "bo.b+x@mail.example.org",
    )
    assert validate_owners(None) == ()
    assert validate_owners("team:x") == ("team:x",)


def test_owners_report_every_bad_owner_at_once() -> None:
    bad = ["ana", "team:", "team:data eng", "ana @example.com", "a@b", "team:" + "x" * 64, 7]
    with pytest.raises(OwnerValidationError) as caught:
        validate_owners(["ok@example.com", *bad])  # type: ignore[list-item]
    assert len(caught.value.problems) == len(bad)
    message = str(caught.value)
    assert "owner 'ana'" in message
    assert "prefix a team with 'team:'" in message
    assert "owner 7 (type int)" in message
