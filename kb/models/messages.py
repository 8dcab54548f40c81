"""What the channels and the senders keep about messages: notifications sent, inbound messages
until they are answered, the replies stored for them, button payloads."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)

from kb.models.base import Base, _created_at, utcnow


class NotificationSent(Base):
    """A proactive message claimed before sending, so alerts and reminders go out once.

    ``pending`` rows are queued (a registration's status notice, written with the change),
    ``claimed`` rows are being sent (or were when a process died: they are not sent again),
    ``sent`` went out, ``failed`` gave up after retries and may be retried by staff.
    """

    __tablename__ = "notifications_sent"
    __table_args__ = (
        UniqueConstraint("kind", "user_id", "event_id"),
        CheckConstraint("status IN ('pending', 'claimed', 'sent', 'failed')", name="status"),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(30), nullable=False)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    event_id = Column(Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    sent_at = Column(
        DateTime(timezone=True), nullable=False, default=utcnow, server_default=func.now()
    )
    status = Column(String(20), nullable=False, default="claimed", server_default="sent")
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    last_error = Column(Text)
    #: How many platform messages of it were delivered (a long text goes in several): a retry
    #: sends only the rest.
    parts_sent = Column(Integer, nullable=False, default=0, server_default="0")


class InboundMessage(Base):
    """A channel message or update, kept from its arrival until it is answered.

    Stored ``pending`` with what is needed to answer it (``payload``) before the platform is
    acknowledged; held by one process at a time (``lease_owner`` until ``lease_until``; a
    released message is not taken again before ``lease_until``); ``done`` once its replies
    were handed to the platform (the payload is then cleared), ``failed`` after too many
    attempts. The channel and external id are unique: a redelivery gets no second answer.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        CheckConstraint("status IN ('pending', 'done', 'failed')", name="status"),
        Index("ix_inbound_messages_waiting", "status", "channel", "channel_user_id"),
    )

    id = Column(Integer, primary_key=True)
    channel = Column(String(30), nullable=False)
    external_id = Column(String(200), nullable=False)
    #: The platform's id of the sender (users.channel_user_id); None on rows from before it
    #: was kept.
    channel_user_id = Column(String(100))
    received_at = Column(
        DateTime(timezone=True),
        nullable=False,
        default=utcnow,
        server_default=func.now(),
        index=True,
    )
    status = Column(String(10), nullable=False, default="pending", server_default="pending")
    #: JSON: what the channel needs to answer the message; cleared once it is done.
    payload = Column(Text)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    lease_owner = Column(String(100))
    lease_until = Column(DateTime(timezone=True))
    done_at = Column(DateTime(timezone=True))


class OutboxReply(Base):
    """A reply to an inbound message, stored before it is sent.

    A turn's replies are stored in order (``position``); each platform message delivered
    (a long text goes in several) is counted in ``parts_sent``, so answering the message
    again after a crash sends only what was not delivered. Once the message is done the
    content is dropped and the count stays, as the record of what went out; the rows go with
    their inbound message.
    """

    __tablename__ = "outbox_replies"
    __table_args__ = (UniqueConstraint("inbound_id", "position"),)

    id = Column(Integer, primary_key=True)
    inbound_id = Column(
        Integer, ForeignKey("inbound_messages.id", ondelete="CASCADE"), nullable=False
    )
    position = Column(Integer, nullable=False)
    #: JSON: the reply as Rasa hands it to an output channel (text, buttons, custom...);
    #: None once the message is done.
    content = Column(Text)
    parts_sent = Column(Integer, nullable=False, default=0, server_default="0")
    created_at = _created_at()


class CallbackPayload(Base):
    """A button payload too long for the platform's button data, stored under a short key.

    Telegram allows 64 bytes of callback data per button; longer payloads (most carry an event
    slug) are sent as their key and looked up when the button is pressed, by whichever process
    sent them (the Rasa server's replies, or the notifier's alerts).
    """

    __tablename__ = "callback_payloads"

    key = Column(String(32), primary_key=True)
    payload = Column(Text, nullable=False)
    created_at = _created_at()
