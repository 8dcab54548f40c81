"""core.identity: conversations keyed by channel and platform user id."""

from __future__ import annotations

import pytest

from core.identity import CHANNELS, conversation_id, platform_id, split_conversation_id


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_conversation_id_splits_back_into_its_parts(channel: str) -> None:
    for user in ("12345", "+212612000011", "web:client:7", "ahmed"):
        key = conversation_id(channel, user)
        assert key == f"{channel}:{user}"
        assert split_conversation_id(key) == (channel, user)
        assert platform_id(key, channel) == user


def test_ids_of_different_channels_never_collide() -> None:
    keys = {conversation_id(channel, "12345") for channel in CHANNELS}
    assert len(keys) == len(CHANNELS)
    # A REST client posting another channel's conversation id gets a REST conversation.
    assert conversation_id("rest", "telegram:12345") != conversation_id("telegram", "12345")
    assert split_conversation_id("rest:telegram:12345") == ("rest", "telegram:12345")


def test_ids_no_channel_made_are_not_split() -> None:
    for sender in ("12345", "cmdline:x", "default", "telegram:", ":42"):
        assert split_conversation_id(sender) is None


def test_a_platform_id_is_kept_when_it_has_no_prefix_of_that_channel() -> None:
    assert platform_id("12345", "telegram") == "12345"
    assert platform_id("whatsapp:212600", "telegram") == "whatsapp:212600"
    assert platform_id("telegram:99", "telegram") == "99"
