"""What every group of the storage contract stands on: a storage from ``storage_factory``."""

from __future__ import annotations

import pytest

from onzecoach.ports import Storage
from onzecoach.testing.contracts._builders import StorageFactory

__all__ = ["StorageTests"]


class StorageTests:
    """A group of the storage contract.

    Its tests take ``storage``, the first storage of the ``storage_factory`` that the
    subclass of the contract provides; a test that needs two connections to one database
    asks for ``storage_factory`` itself.
    """

    @pytest.fixture
    def storage(self, storage_factory: StorageFactory) -> Storage:
        return storage_factory()
