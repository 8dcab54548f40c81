"""Rasa component mapping extracted entities to canonical values and adding gazetteer hits.

Runs after DIETClassifier and EntitySynonymMapper. Country, region, sector, event-type and
language values become canonical (``KE``, ``souss-massa``, ``agrifood``, ``mission``, ``fr``)
through ``nlu.vocabulary.gazetteer``; values it cannot map are dropped. Gazetteer hits the
statistical extractor missed are added, and ``email``, ``phone`` and ``ice`` are found and
normalised by ``nlu.vocabulary.contacts``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from nlu.vocabulary import contacts
from nlu.vocabulary.contacts import ice_digits, normalize_email, normalize_phone
from nlu.vocabulary.gazetteer import ENTITIES as GAZETTEER_ENTITIES
from nlu.vocabulary.gazetteer import Gazetteer, load_gazetteer

logger = logging.getLogger(__name__)

_CONTACT_NORMALIZERS: Final[dict[str, Callable[[str], str | None]]] = {
    "email": normalize_email,
    "phone": normalize_phone,
    "ice": ice_digits,
}


def find_contacts(text: str) -> list[dict[str, Any]]:
    """``email``, ``ice`` and ``phone`` entities of a message (ICE wins over a phone)."""
    return [_entity(c.kind, c.value, c.start, c.end) for c in contacts.find_contacts(text)]


def _entity(entity: str, value: str, start: int, end: int) -> dict[str, Any]:
    return {
        ENTITY_ATTRIBUTE_TYPE: entity,
        ENTITY_ATTRIBUTE_VALUE: value,
        ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: end,
    }


def _overlaps(start: int, end: int, entities: list[dict[str, Any]]) -> bool:
    return any(
        start < e.get(ENTITY_ATTRIBUTE_END, -1) and e.get(ENTITY_ATTRIBUTE_START, -1) < end
        for e in entities
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EntityCanonicalizer(GraphComponent, EntityExtractorMixin):
    """Canonical values for gazetteer entities; adds missed gazetteer hits and contact details."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # Entities whose values are mapped to canonical values through nlu.vocabulary.gazetteer.
            "entities": list(GAZETTEER_ENTITIES),
            # fuzz.ratio (0-100) a value must reach to be matched approximately (surfaces of
            # 5+ characters, same script only). Lower means more typos accepted, more errors.
            "fuzzy_threshold": 90,
            # Add gazetteer hits in the text that no earlier extractor found.
            "add_missing": True,
            # Values never added from gazetteer hits (they may still come from DIET):
            # MA, the exporters' own country, is named in many messages that are not about it.
            "ignore_found_values": {"country": ["MA"]},
            # Extract email, phone (E.164) and ice (15 digits) with nlu.vocabulary.contacts.
            "extract_contacts": True,
        }

    def __init__(self, config: dict[str, Any], gazetteer: Gazetteer | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._entities = frozenset(self._config["entities"])
        self._threshold = float(self._config["fuzzy_threshold"])
        self._ignore = {
            entity: frozenset(values)
            for entity, values in (self._config["ignore_found_values"] or {}).items()
        }
        self._gazetteer = gazetteer

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityCanonicalizer:
        """Creates the component (nothing to train or load)."""
        return cls(config)

    @property
    def gazetteer(self) -> Gazetteer:
        """The shared gazetteer, loaded on first use."""
        if self._gazetteer is None:
            self._gazetteer = load_gazetteer()
        return self._gazetteer

    def process(self, messages: list[Message]) -> list[Message]:
        """Canonicalise, complete and de-duplicate each message's entities."""
        for message in messages:
            text = message.get(TEXT) or ""
            entities = self._canonicalize(message.get(ENTITIES, []) or [])
            if self._config["add_missing"] and text:
                entities.extend(self._missing(text, entities))
            if self._config["extract_contacts"] and text:
                entities.extend(
                    self.add_extractor_name(
                        [e for e in find_contacts(text) if not self._has_same(e, entities)]
                    )
                )
            message.set(ENTITIES, self._deduplicate(entities), add_to_output=True)
        return messages

    def _canonicalize(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        result = []
        for entity in entities:
            entity = dict(entity)
            kind = entity.get(ENTITY_ATTRIBUTE_TYPE)
            if kind in _CONTACT_NORMALIZERS:
                result.append(self._normalize_contact(entity))
                continue
            if kind not in self._entities:
                result.append(entity)
                continue
            raw = str(entity.get(ENTITY_ATTRIBUTE_VALUE, ""))
            kind, value = self._resolve(str(kind), raw)
            if value is None:
                logger.debug("EntityCanonicalizer: dropped %s %r", entity.get("entity"), raw)
                continue
            if value != raw or kind != entity[ENTITY_ATTRIBUTE_TYPE]:
                entity[ENTITY_ATTRIBUTE_TYPE] = kind
                entity[ENTITY_ATTRIBUTE_VALUE] = value
                self.add_processor_name(entity)
            result.append(entity)
        return result

    def _resolve(self, kind: str, raw: str) -> tuple[str, str | None]:
        """(entity, canonical value); a Moroccan city tagged country becomes a region and back."""
        value = self.gazetteer.lookup(kind, raw, fuzzy_threshold=self._threshold)
        if value is not None:
            return kind, value
        other = {"country": "region", "region": "country"}.get(kind)
        if other and other in self._entities:
            value = self.gazetteer.lookup(other, raw, fuzzy_threshold=self._threshold)
            if value is not None:
                return other, value
        return kind, None

    @staticmethod
    def _normalize_contact(entity: dict[str, Any]) -> dict[str, Any]:
        raw = str(entity.get(ENTITY_ATTRIBUTE_VALUE, ""))
        value = _CONTACT_NORMALIZERS[entity[ENTITY_ATTRIBUTE_TYPE]](raw)
        if value is not None:
            entity[ENTITY_ATTRIBUTE_VALUE] = value
        return entity

    def _missing(self, text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        added: list[dict[str, Any]] = []
        for match in self.gazetteer.find_all(text):
            if match.entity not in self._entities:
                continue
            if match.value in self._ignore.get(match.entity, ()):
                continue
            if _overlaps(match.start, match.end, entities) or _overlaps(
                match.start, match.end, added
            ):
                continue
            entity = _entity(match.entity, match.value, match.start, match.end)
            entity["confidence_entity"] = 1.0
            entity[EXTRACTOR] = self.name
            added.append(entity)
        return added

    @staticmethod
    def _has_same(entity: dict[str, Any], entities: list[dict[str, Any]]) -> bool:
        """An entity of the same type already covers this span."""
        return any(
            e.get(ENTITY_ATTRIBUTE_TYPE) == entity[ENTITY_ATTRIBUTE_TYPE]
            and _overlaps(entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END], [e])
            for e in entities
        )

    @staticmethod
    def _deduplicate(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One entity per (type, value), the earliest; sorted by position."""
        seen: set[tuple[str, str]] = set()
        result = []
        for entity in sorted(entities, key=lambda e: e.get(ENTITY_ATTRIBUTE_START, 0)):
            key = (str(entity.get(ENTITY_ATTRIBUTE_TYPE)), str(entity.get(ENTITY_ATTRIBUTE_VALUE)))
            if key not in seen:
                seen.add(key)
                result.append(entity)
        return result
