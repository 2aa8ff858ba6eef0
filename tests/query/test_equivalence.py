"""The SQL compiler agrees with the in-memory evaluator on random catalogs and random queries."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagbase import EntitySpec
from tagbase.metadata import EncodedMetadata, encode_metadata_value, normalize_metadata
from tagbase.query import (
    And,
    AssetIs,
    Candidate,
    Compare,
    CreatedCompare,
    HasKey,
    MadeByRun,
    Match,
    MetadataCompare,
    MetadataHasKey,
    MetadataIs,
    MetadataMatch,
    MetadataTimeCompare,
    NameMatch,
    Node,
    Not,
    Or,
    ScopeIs,
    StatusIn,
    TagIs,
    TagMatch,
    TagValueIn,
    matches,
)
from tagbase.store import Store

KEYS = ["env", "team", "a_b", "x%y", "ünï"]
VALUES = ["", "prod", "dev", "p_d", "50%", "ü=ö", "a=b", "Prod"]
FRAGMENTS = ["", "p", "_", "%", "=", "ü", "od", "env=", "Pro", "a"]
_examples = itertools.count()

STATUSES = [None, "success", "failed"]
TIMES = [1_000, 2_000, 3_000]
JAN_2026 = datetime(2026, 1, 1, tzinfo=UTC)
JUN_2025 = datetime(2025, 6, 1, tzinfo=UTC)
# Every type a filter reads, and the numbers at the edges of what a float holds exactly.
METADATA_VALUES = [
    None,
    -1.5,
    0,
    7,
    1000,
    2**53 + 1,
    2**63 - 1,
    -(2**63),
    1e308,
    True,
    False,
    JAN_2026,
    JUN_2025,
    "s3://bucket/x",
    "file:///tmp/50%",
    "true",
    "2026-01-01",
    "7",
    "ü",
]
METADATA_KEYS = ["m", "k"]
NUMBERS = [-1.5, 0.0, 7.0, 500.0, 9007199254740992.0, 9.223372036854776e18, -9.3e18]
SECONDS = [JAN_2026.timestamp(), JUN_2025.timestamp(), 0.0]
ASSETS = ["ASSET_A", "ASSET_B"]  # stand for this example's assets


@dataclass(frozen=True)
class Row:
    tags: dict[str, str]
    status: str | None
    created_ms: int
    metadata: dict[str, object]
    made: frozenset[str]  # of ASSETS: the run made a version of each

    def encoded(self) -> dict[str, EncodedMetadata]:
        stored = normalize_metadata(self.metadata)
        return {key: encode_metadata_value(value) for key, value in stored.items()}


rows = st.builds(
    Row,
    st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=4),
    st.sampled_from(STATUSES),
    st.sampled_from(TIMES),
    st.dictionaries(st.sampled_from(METADATA_KEYS), st.sampled_from(METADATA_VALUES[1:])),
    st.frozensets(st.sampled_from(ASSETS)),
)
catalogs = st.lists(rows, min_size=0, max_size=12)

metadata_keys = st.sampled_from([*METADATA_KEYS, "missing"])
tag_leaves = st.one_of(
    st.builds(TagIs, st.sampled_from(KEYS), st.sampled_from(VALUES)),
    st.builds(HasKey, st.sampled_from(KEYS)),
    st.builds(
        TagValueIn,
        st.sampled_from(KEYS),
        st.lists(st.sampled_from(VALUES), min_size=1, max_size=3).map(tuple),
    ),
    st.builds(
        TagMatch,
        st.one_of(st.none(), st.sampled_from(KEYS)),
        st.sampled_from(list(Match)),
        st.sampled_from(FRAGMENTS),
    ),
)
metadata_leaves = st.one_of(
    st.builds(
        MetadataCompare, metadata_keys, st.sampled_from(list(Compare)), st.sampled_from(NUMBERS)
    ),
    st.builds(
        MetadataMatch,
        metadata_keys,
        st.sampled_from(list(Match)),
        st.sampled_from(["s3://", "%", "x", "ü", "", "true", "7", "2026-01-01"]),
    ),
    st.builds(MetadataHasKey, metadata_keys),
    st.builds(MetadataIs, metadata_keys, st.booleans()),
    st.builds(
        MetadataTimeCompare, metadata_keys, st.sampled_from(list(Compare)), st.sampled_from(SECONDS)
    ),
    # what `metadata:m in (...)` parses to, which the compiler folds into one IN test
    st.lists(
        st.one_of(
            st.builds(
                MetadataMatch, st.just("m"), st.just(Match.EQUALS), st.sampled_from(["ü", "7"])
            ),
            st.builds(MetadataCompare, st.just("m"), st.just(Compare.EQ), st.sampled_from(NUMBERS)),
        ),
        min_size=2,
        max_size=4,
    ).map(lambda items: Or(tuple(items))),
)
leaves = st.one_of(
    tag_leaves,
    metadata_leaves,
    st.builds(NameMatch, st.sampled_from(list(Match)), st.sampled_from(["r", "r1", "1", "_"])),
    st.builds(StatusIn, st.lists(st.sampled_from(["success", "failed"]), min_size=1).map(tuple)),
    st.builds(ScopeIs, st.sampled_from(["THIS_JOB", "other"])),
    st.builds(CreatedCompare, st.sampled_from(list(Compare)), st.sampled_from(TIMES)),
    st.builds(AssetIs, st.sampled_from([*ASSETS, "nothing"])),
)


def trees(of: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.recursive(
        of,
        lambda inner: st.one_of(
            st.builds(Not, inner),
            st.lists(inner, min_size=1, max_size=3).map(lambda items: And(tuple(items))),
            st.lists(inner, min_size=1, max_size=3).map(lambda items: Or(tuple(items))),
        ),
        max_leaves=6,
    )


queries = trees(leaves)
version_queries = trees(
    st.one_of(
        tag_leaves,
        metadata_leaves,
        st.builds(AssetIs, st.sampled_from([*ASSETS, "nothing"])),
        st.builds(MadeByRun, trees(tag_leaves)),
    )
)
EXAMPLES = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@dataclass(frozen=True)
class Catalog:
    """One example's runs and asset versions, and what the evaluator knows of each."""

    names: dict[str, str]  # placeholder (THIS_JOB, ASSET_A...) -> this example's name
    runs: list[Candidate]
    versions: list[Candidate]

    def named(self, query: Node) -> Node:
        """`query` with the placeholders replaced by this example's names."""
        match query:
            case ScopeIs(name) | AssetIs(name) if name in self.names:
                return replace(query, name=self.names[name])
            case Not(operand):
                return Not(self.named(operand))
            case And(operands) | Or(operands):
                return type(query)(tuple(self.named(item) for item in operands))
            case MadeByRun(condition):
                return MadeByRun(self.named(condition))
        return query


def build(store: Store, rows: list[Row], version_metadata: list[dict[str, object]]) -> Catalog:
    """The runs of `rows` in a fresh job, and for each asset a version per run that made it
    (plus versions of `version_metadata`, made by no run or by a run id nothing holds)."""
    n = next(_examples)
    names = {"THIS_JOB": f"job{n}"} | {asset: f"{asset.lower()}{n}" for asset in ASSETS}
    store.add(EntitySpec("job", names["THIS_JOB"]))
    for asset in ASSETS:
        store.add(EntitySpec("asset", names[asset]))
    run_names = [f"r{i}" for i in range(len(rows))]
    ids = store.add_many(
        [
            EntitySpec(
                "run",
                name,
                scope=names["THIS_JOB"],
                tags=row.tags,
                status=row.status,
                metadata=row.metadata,
                created_at=datetime.fromtimestamp(row.created_ms / 1000, UTC),
            )
            for name, row in zip(run_names, rows, strict=True)
        ]
    )
    runs = [
        Candidate(
            name,
            tuple(row.tags.items()),
            status=row.status,
            scope_name=names["THIS_JOB"],
            created_ms=row.created_ms,
            metadata=row.encoded(),
            assets={names[asset] for asset in row.made},
        )
        for name, row in zip(run_names, rows, strict=True)
    ]
    specs: list[EntitySpec] = []
    versions: list[Candidate] = []
    for asset in ASSETS:
        makers = [(i, run) for i, run in enumerate(runs) if names[asset] in run.assets]
        for i, run in makers:
            made = {"tagbase/run_id": ids[i]} | rows[i].metadata
            specs.append(EntitySpec("asset_version", f"v{i}", scope=names[asset], metadata=made))
            if asset == "ASSET_A":
                versions.append(_version(f"v{i}", names[asset], made, run))
    for j, metadata in enumerate(version_metadata):
        name = f"w{j}"
        specs.append(EntitySpec("asset_version", name, scope=names["ASSET_A"], metadata=metadata))
        versions.append(_version(name, names["ASSET_A"], metadata, None))
    store.add_many(specs)
    return Catalog(names, runs, versions)


def _version(
    name: str, asset: str, metadata: dict[str, object], run: Candidate | None
) -> Candidate:
    stored = normalize_metadata(metadata)
    encoded = {key: encode_metadata_value(value) for key, value in stored.items()}
    return Candidate(name, (), metadata=encoded, assets={asset}, run=run)


@EXAMPLES
@given(catalog=catalogs, query_list=st.lists(queries, min_size=1, max_size=5))
def test_sql_and_memory_agree(store: Store, catalog: list[Row], query_list: list[Node]) -> None:
    built = build(store, catalog, [])
    job = built.names["THIS_JOB"]
    for query in map(built.named, query_list):
        expected = {c.name for c in built.runs if matches(query, c)}
        page = store.list("run", scope=job, query=query, size=1000)
        assert {run.name for run in page} == expected, query
        assert page.total == len(expected)


unlinked = st.lists(
    st.fixed_dictionaries(
        {"tagbase/run_id": st.sampled_from(["not-a-run", "00000000-0000-4000-8000-000000000000"])},
        optional={"m": st.sampled_from(METADATA_VALUES[1:])},
    ),
    max_size=2,
)


@EXAMPLES
@given(
    catalog=catalogs,
    others=st.one_of(unlinked, st.lists(st.just({}), max_size=1)),
    query_list=st.lists(version_queries, min_size=1, max_size=5),
)
def test_sql_and_memory_agree_on_asset_versions(
    store: Store, catalog: list[Row], others: list[dict[str, object]], query_list: list[Node]
) -> None:
    built = build(store, catalog, others)
    asset = built.names["ASSET_A"]
    for query in map(built.named, query_list):
        expected = {c.name for c in built.versions if matches(query, c)}
        page = store.list("asset_version", scope=asset, query=query, size=1000)
        assert {version.name for version in page} == expected, query
        assert page.total == len(expected)
