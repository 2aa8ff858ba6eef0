"""`from tagbase.client import Client`, as the seed examples import it."""

from tagbase._client import Client

__all__ = ["Client"]
