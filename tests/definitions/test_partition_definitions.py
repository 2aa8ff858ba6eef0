"""Partitions as definitions: which keys exist (now, and as the catalog records them), the rule
every launch follows, and how assets, asset jobs and their reads agree on partitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagbase import (
    DailyPartitionsDefinition,
    Definitions,
    HourlyPartitionsDefinition,
    PartitionKeyError,
    StaticPartitionsDefinition,
    Tag,
    asset,
    define_asset_job,
    graph_asset,
    multi_asset,
    op,
)
from tagbase._errors import DefinitionError, InvalidInputError
from tagbase.definitions import AssetOut, plan_job
from tagbase.definitions._partitions import (
    check_partition_key,
    partitions_from_json,
    partitions_json,
    split_partition,
)

daily = DailyPartitionsDefinition(start_date="2024-01-01")
colours = StaticPartitionsDefinition(["red", "green", "blue"])

days = st.dates(min_value=datetime(2023, 1, 1).date(), max_value=datetime(2026, 1, 1).date())
moments = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2026, 6, 1), timezones=st.just(UTC)
)


@given(
    start=days,
    offset=st.integers(0, 2),
    zone=st.sampled_from(["UTC", "Europe/Paris", "America/New_York"]),
    now=moments,
    shift=st.integers(-3, 40),
)
def test_a_daily_key_exists_exactly_when_it_is_listed(
    start: object, offset: int, zone: str, now: datetime, shift: int
) -> None:
    partitions = DailyPartitionsDefinition(start_date=str(start), timezone=zone, end_offset=offset)
    listed = partitions.get_partition_keys(now)
    near_end = datetime.strptime(listed[-1], "%Y-%m-%d") if listed else now
    key = (near_end + timedelta(days=shift - 20)).strftime("%Y-%m-%d")
    assert partitions.has_partition_key(key, now) == (key in listed)


@given(
    offset=st.integers(0, 2),
    zone=st.sampled_from(["UTC", "Asia/Tokyo"]),
    hours=st.integers(0, 200),
    shift=st.integers(-5, 205),
    minute=st.sampled_from([0, 0, 30]),
)
def test_an_hourly_key_exists_exactly_when_it_is_listed(
    offset: int, zone: str, hours: int, shift: int, minute: int
) -> None:
    partitions = HourlyPartitionsDefinition("2024-03-01-00:00", timezone=zone, end_offset=offset)
    now = datetime(2024, 3, 1, tzinfo=UTC) + timedelta(hours=hours, minutes=17)
    listed = partitions.get_partition_keys(now)
    moment = datetime(2024, 3, 1) + timedelta(hours=shift, minutes=minute)
    key = moment.strftime("%Y-%m-%d-%H:%M")
    assert partitions.has_partition_key(key, now) == (key in listed)


def test_a_key_past_the_end_date_is_not_a_partition() -> None:
    january = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
    assert january.has_partition_key("2024-01-31")
    assert not january.has_partition_key("2024-02-01")
    assert not DailyPartitionsDefinition(start_date="2024-01-01").has_partition_key("2999-01-01")


@given(
    keys=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8, unique=True),
    start=days,
    offset=st.integers(0, 3),
    zone=st.sampled_from(["UTC", "Europe/Paris", "Pacific/Auckland"]),
    end=st.none() | days,
)
def test_partitions_read_back_from_the_catalog_as_defined(
    keys: list[str], start: object, offset: int, zone: str, end: object
) -> None:
    static = StaticPartitionsDefinition(keys)
    assert partitions_from_json(partitions_json(static), "job 'x'") == static
    window = DailyPartitionsDefinition(
        str(start), None if end is None else str(end), timezone=zone, end_offset=offset
    )
    assert partitions_from_json(partitions_json(window), "job 'x'") == window
    hourly = HourlyPartitionsDefinition(f"{start}-06:00", timezone=zone)
    assert partitions_from_json(partitions_json(hourly), "job 'x'") == hourly


@given(st.one_of(st.integers(), st.text(), st.dictionaries(st.text(), st.integers())))
def test_a_description_that_is_no_partitions_is_a_clear_error(data: object) -> None:
    with pytest.raises(InvalidInputError, match="tagbase load"):
        partitions_from_json(data, "job 'x'")


def test_the_rule_names_the_key_a_few_valid_ones_and_the_fix() -> None:
    with pytest.raises(PartitionKeyError) as bad:
        check_partition_key(colours, "purple", "job 'paint'")
    [problem] = bad.value.problems
    assert problem.subject == "partition key 'purple'"
    assert "job 'paint'" in problem.rule
    assert "red, green, blue" in problem.rule
    assert "pick one of those" in problem.fix
    with pytest.raises(PartitionKeyError, match="has no partitions"):
        check_partition_key(None, "red", "job 'plain'")
    with pytest.raises(PartitionKeyError, match=r"2024-01-01, 2024-01-02, 2024-01-03, \.\.\."):
        check_partition_key(daily, None, "job 'daily'")
    with pytest.raises(PartitionKeyError, match="2023-12-31"):
        check_partition_key(daily, "2023-12-31", "job 'daily'")
    check_partition_key(colours, "red", "job 'paint'")
    check_partition_key(None, None, "job 'plain'")


def test_a_misaligned_hour_is_not_a_partition() -> None:
    hours = HourlyPartitionsDefinition("2024-01-01-00:00")
    assert hours.has_partition_key("2024-01-01-03:00")
    assert not hours.has_partition_key("2024-01-01-03:30")


def test_the_partition_leaves_the_launch_tags_as_a_system_tag() -> None:
    launch = (Tag("env", "dev"), Tag("tagbase/partition", "red"))
    assert split_partition("job 'paint'", colours, launch) == (
        (Tag("env", "dev"),),
        (Tag("tagbase/partition", "red"),),
    )
    assert split_partition("job 'paint'", colours, (), "blue")[1] == (
        Tag("tagbase/partition", "blue"),
    )
    with pytest.raises(PartitionKeyError, match="'green', 'red'"):
        split_partition("job 'paint'", colours, launch, "green")


# -- partitioned assets ----------------------------------------------------------------------


@asset(partitions_def=daily)
def events() -> list[int]:
    return [1]


@asset(partitions_def=daily)
def counts(events: list[int]) -> int:
    return len(events)


@asset(partitions_def=colours)
def paint() -> str:
    return "wet"


@asset
def plain() -> int:
    return 1


def test_assets_of_every_decorator_take_partitions() -> None:
    @multi_asset(outs={"a": AssetOut(), "b": AssetOut()}, partitions_def=colours)
    def pair() -> tuple[int, int]:
        return 1, 2

    @op
    def double(value: list[int]) -> list[int]:
        return value * 2

    @graph_asset(partitions_def=daily)
    def doubled(events: list[int]) -> list[int]:
        return double(events)

    assert [spec.partitions_def for spec in pair.specs] == [colours, colours]
    assert doubled.partitions_def == daily
    assert events.specs[0].partitions_def == daily
    assert plain.partitions_def is None


def test_an_asset_job_takes_the_partitions_its_assets_share() -> None:
    defs = Definitions(
        assets=[events, counts, plain],
        jobs=[define_asset_job("everyday", "*"), define_asset_job("once", "plain")],
    )
    assert defs.get_job_def("everyday").partitions_def == daily
    assert defs.get_job_def("once").partitions_def is None


def test_assets_partitioned_apart_are_no_job() -> None:
    with pytest.raises(DefinitionError, match="partitioned differently"):
        Definitions(assets=[events, paint], jobs=[define_asset_job("both", "*")])
    with pytest.raises(DefinitionError, match="asset 'paint'"):
        Definitions(
            assets=[events, paint],
            jobs=[define_asset_job("daily_paint", "paint", partitions_def=daily)],
        )


def test_a_partitioned_asset_is_read_only_by_assets_partitioned_alike() -> None:
    @asset
    def total(events: list[int]) -> int:
        return sum(events)

    @asset(partitions_def=colours)
    def tinted(events: list[int]) -> int:
        return sum(events)

    @asset(deps=[events])
    def after_events() -> int:  # depends without reading: no partition to choose
        return 1

    for reader, rule in ((total, "has no partitions"), (tinted, "partitioned differently")):
        defs = Definitions(assets=[events, reader], jobs=[define_asset_job("j", reader.names[0])])
        with pytest.raises(DefinitionError, match=rule) as refused:
            plan_job(defs.get_job_def("j"))
        assert "deps=['events']" in str(refused.value)
    defs = Definitions(
        assets=[events, counts, after_events],
        jobs=[define_asset_job("fine", "counts"), define_asset_job("after", "after_events")],
    )
    [step] = plan_job(defs.get_job_def("fine")).steps
    assert step.outputs[0].partitioned
    assert step.inputs["events"].partitioned  # type: ignore[union-attr]
    plan_job(defs.get_job_def("after"))
