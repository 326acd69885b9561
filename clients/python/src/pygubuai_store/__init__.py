"""Python client of pygubuai-store's server (``pygubu-db serve``): standard library only.

``Registry`` and ``WorkflowTracker`` mirror PygubuAI's own classes; ``StoreClient`` has the rest
(templates, analytics, the log, ``subscribe()``).
"""
from .client import StoreClient, default_store, discover
from .errors import (
    ProjectExistsError,
    ProjectNotFoundError,
    ServerUnavailableError,
    StoreError,
    ValidationFailedError,
)
from .registry import Registry, WorkflowTracker, metadata_of

__version__ = "0.1.0"

__all__ = [
    "Registry",
    "WorkflowTracker",
    "StoreClient",
    "StoreError",
    "ProjectNotFoundError",
    "ProjectExistsError",
    "ValidationFailedError",
    "ServerUnavailableError",
    "default_store",
    "discover",
    "metadata_of",
]
