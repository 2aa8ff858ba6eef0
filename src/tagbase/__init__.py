"""tagbase: data and ML pipelines around a first-class tag and metadata catalog.

Everything public is importable from here; `tagbase.client.Client` also works, as in the seeds.
"""

from tagbase._client import Client
from tagbase._errors import (
    AlreadyExistsError,
    ConflictError,
    ExclusiveTagConflictError,
    InvalidInputError,
    MetadataValidationError,
    NotFoundError,
    OwnerValidationError,
    QueryError,
    SchemaVersionError,
    StoreError,
    TagbaseError,
    TagValidationError,
    TargetError,
)
from tagbase._functions import add_tags, log_metadata, remove_tags
from tagbase._kinds import Kind
from tagbase._metadata import (
    AssetKey,
    CodeReferencesMetadataValue,
    LocalFileCodeReference,
    MetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableColumnDep,
    TableColumnLineage,
    TableConstraints,
    TableRecord,
    TableSchema,
    UrlCodeReference,
)
from tagbase._records import (
    AssignedTag,
    Entity,
    EntityRef,
    MetadataEntry,
    Page,
    Retagging,
    TagDefinition,
    TagEvent,
)
from tagbase._tags import Tag, TagPolicy
from tagbase.store import EntitySpec

__version__ = "0.1.0"

__all__ = [
    "AlreadyExistsError",
    "AssetKey",
    "AssignedTag",
    "Client",
    "CodeReferencesMetadataValue",
    "ConflictError",
    "Entity",
    "EntityRef",
    "EntitySpec",
    "ExclusiveTagConflictError",
    "InvalidInputError",
    "Kind",
    "LocalFileCodeReference",
    "MetadataEntry",
    "MetadataValidationError",
    "MetadataValue",
    "NotFoundError",
    "OwnerValidationError",
    "Page",
    "QueryError",
    "Retagging",
    "SchemaVersionError",
    "StoreError",
    "TableColumn",
    "TableColumnConstraints",
    "TableColumnDep",
    "TableColumnLineage",
    "TableConstraints",
    "TableRecord",
    "TableSchema",
    "Tag",
    "TagDefinition",
    "TagEvent",
    "TagPolicy",
    "TagValidationError",
    "TagbaseError",
    "TargetError",
    "UrlCodeReference",
    "__version__",
    "add_tags",
    "log_metadata",
    "remove_tags",
]
