"""Base of the NLU components that train a model and keep it in Rasa's model storage."""

from __future__ import annotations

import functools
import hashlib
import logging
from abc import abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from typing_extensions import Self

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT")


def source_hash(root: Path, patterns: Sequence[str]) -> str:
    """A hash of the files under ``root`` matching ``patterns`` (names and contents).

    Rasa's training cache keys a component by its config and its training data, not by its
    source: a component that puts this value in its config is retrained when its code or
    vocabulary changes instead of being restored from the cache.
    """
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def source_hash_once(root: Path, patterns: tuple[str, ...]) -> str:
    """``source_hash`` read once per process, for a component's default config:
    get_default_config runs for every pipeline built or loaded, and the files cannot change
    under a running process."""
    return source_hash(root, patterns)


class TrainedComponent(GraphComponent, Generic[ModelT]):
    """Creates, persists and loads a component around its trained model.

    Subclasses write and read the model's files (``write_model``, ``read_model``) and say
    what they do without one (``without_model``, for the warning when none can be loaded).
    """

    without_model: ClassVar[str]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: ModelT | None = None,
    ) -> None:
        """Creates the component around a trained model, or none."""
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model: ModelT | None = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        """Creates an untrained component."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        """Loads the trained model; without one the component runs as ``without_model`` says."""
        try:
            with model_storage.read_from(resource) as directory:
                model = cls.read_model(directory)
        except (ValueError, OSError) as error:
            logger.warning("%s not loaded (%s); %s.", cls.__name__, error, cls.without_model)
            model = None
        return cls(config, model_storage, resource, model)

    def persist(self) -> None:
        """Writes the trained model into the model storage."""
        with self._model_storage.write_to(self._resource) as directory:
            self.write_model(directory)

    @classmethod
    @abstractmethod
    def read_model(cls, directory: Path) -> ModelT:
        """The model read from the files ``write_model`` wrote into ``directory``."""

    @abstractmethod
    def write_model(self, directory: Path) -> None:
        """Writes the trained model's files into ``directory``."""
