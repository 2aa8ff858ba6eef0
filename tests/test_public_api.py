"""The one public door: `from tagbase import ...`, with a sorted `__all__`."""

from __future__ import annotations

import tagbase


def test_all_is_sorted_and_importable() -> None:
    assert tagbase.__all__ == sorted(tagbase.__all__)
    for name in tagbase.__all__:
        assert hasattr(tagbase, name), name


def test_seed_names_are_public() -> None:
    wanted = {
        "asset", "AssetSpec", "multi_asset", "AssetOut", "graph_asset", "op", "job", "graph",
        "define_asset_job", "Definitions", "materialize", "MaterializeResult", "Output",
        "AssetExecutionContext", "OpExecutionContext", "step", "pipeline", "ArtifactConfig",
        "Model", "Tag", "add_tags", "log_metadata", "MetadataValue", "TableSchema",
    }  # fmt: skip
    assert wanted <= set(tagbase.__all__)
