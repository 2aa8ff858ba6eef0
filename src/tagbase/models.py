"""`from tagbase.models import Model`, where ZenML code writes `from zenml.models import Model`
(the same class as `tagbase.Model`)."""

from tagbase.definitions._values import Model

__all__ = ["Model"]
