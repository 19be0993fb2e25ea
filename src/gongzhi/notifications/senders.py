"""Pluggable senders: how one outbox message leaves for its channel.

A channel name (``in_app``, ``log``, ``sms``, ``wechat`` ...) maps to a sender class by dotted path in
``settings.NOTIFICATION_SENDERS`` (default :data:`DEFAULT_SENDERS`). A sender's ``send(message)`` returns on success
and raises :class:`SendFailed` when the channel refused or was unreachable; the dispatcher retries with back-off.

SMS and WeChat are interfaces here (:class:`SmsSender`, :class:`WeChatSender`): they fix what a real gateway adapter
must do (approved template codes, the recipient looked up from people data, only masked numbers in logs) and leave
the gateway call itself abstract. Nothing in this module talks to the network.
"""

from __future__ import annotations

import abc
import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from gongzhi.privacy.masking import mask_phone

if TYPE_CHECKING:
    from .models import Notification, OutboxMessage

logger = logging.getLogger(__name__)

IN_APP = "in_app"

DEFAULT_SENDERS = {
    IN_APP: "gongzhi.notifications.senders.InAppSender",
    "log": "gongzhi.notifications.senders.LogSender",
}


class SendFailed(Exception):
    """The channel did not take the message (refused, unreachable, no recipient address); worth retrying later."""


class Sender(abc.ABC):
    """One channel's way out. Instances are made per dispatch round; keep no per-message state on them."""

    @abc.abstractmethod
    def send(self, message: OutboxMessage) -> None:
        """Deliver ``message`` (its ``notification`` is loaded) or raise :class:`SendFailed`."""


class InAppSender(Sender):
    """The in-app row is the delivery itself (written by ``notification_create``): nothing left to do."""

    def send(self, message: OutboxMessage) -> None:
        return None


class LogSender(Sender):
    """Writes the message to the application log: for development and for channels not wired to a gateway yet."""

    def send(self, message: OutboxMessage) -> None:
        note = message.notification
        logger.info("notification %s (%s) for user %s via %s: %s", note.pk, note.kind, note.user_id,
                    message.channel, note.title)


class MemorySender(Sender):
    """For tests: remembers what it sent (across instances), and can be told to fail the next ``fail_next`` sends."""

    sent: ClassVar[list[int]] = []
    fail_next: ClassVar[int] = 0
    delay: ClassVar[float] = 0.0
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def reset(cls, *, fail_next: int = 0, delay: float = 0.0) -> None:
        with cls._lock:
            cls.sent = []
            cls.fail_next = fail_next
            cls.delay = delay

    def send(self, message: OutboxMessage) -> None:
        if self.delay:
            threading.Event().wait(self.delay)
        with self._lock:
            if MemorySender.fail_next > 0:
                MemorySender.fail_next -= 1
                raise SendFailed("memory sender told to fail")
            MemorySender.sent.append(message.pk)


def _template(setting: str, kind: str) -> str:
    codes: Mapping[str, str] = getattr(settings, setting, {})
    if kind not in codes:
        raise SendFailed(f"no approved template in {setting} for kind {kind!r}")
    return codes[kind]


class SmsSender(Sender, abc.ABC):
    """Interface for an SMS gateway adapter (阿里云短信, 腾讯云短信 ...). A real adapter subclasses this and implements
    :meth:`deliver` only.

    What the base class fixes, so every adapter behaves the same:

    - Only gateway-approved templates are sent: ``settings.SMS_TEMPLATE_CODES`` maps a notification kind to the
      template code registered with the operator; a kind without one fails the message (never free text by SMS).
    - Template parameters are the title and the link only (:meth:`template_params`), never the body, which may hold
      details the recipient's phone screen should not show.
    - The number comes from people data (:meth:`recipient_phone`): the resident record linked to the account, else
      the account's login phone. It is decrypted only to hand it to the gateway; logs and errors carry
      ``mask_phone(...)`` only (R-P3).
    """

    def send(self, message: OutboxMessage) -> None:
        note = message.notification
        phone = self.recipient_phone(note.user)
        if not phone:
            raise SendFailed("recipient has no phone number")
        code = _template("SMS_TEMPLATE_CODES", note.kind)
        logger.info("sms %s to %s with template %s", message.pk, mask_phone(phone), code)
        self.deliver(phone=phone, template_code=code, params=self.template_params(note))

    def recipient_phone(self, user) -> str:
        from gongzhi.people.models import Person

        person = Person.objects.filter(user_id=user.pk).first()
        phone = person.phone_clear() if person is not None else ""
        return phone or (user.phone or "")

    def template_params(self, note: Notification) -> dict[str, str]:
        return {"title": note.title, "url": note.url}

    @abc.abstractmethod
    def deliver(self, *, phone: str, template_code: str, params: dict[str, str]) -> None:
        """Call the gateway. Raise :class:`SendFailed` for a refusal or timeout (with the masked number only);
        return only once the gateway has accepted the message."""


class WeChatSender(Sender, abc.ABC):
    """Interface for a WeChat template-message (服务号模板消息 / 小程序订阅消息) adapter.

    - ``settings.WECHAT_TEMPLATE_IDS`` maps a kind to the approved template id; a kind without one fails.
    - The recipient is an ``openid`` bound to the account (:meth:`recipient_openid`, abstract: the binding table
      belongs to the WeChat login integration, not to notifications); a user without a binding fails the message.
    - The data sent is the title, time and link (:meth:`template_data`), never the body; openids are not logged.
    """

    def send(self, message: OutboxMessage) -> None:
        note = message.notification
        openid = self.recipient_openid(note.user)
        if not openid:
            raise SendFailed("recipient has no WeChat binding")
        template_id = _template("WECHAT_TEMPLATE_IDS", note.kind)
        self.deliver(openid=openid, template_id=template_id, data=self.template_data(note), url=note.url)

    def template_data(self, note: Notification) -> dict[str, str]:
        return {"title": note.title, "time": note.created_at.isoformat(timespec="minutes")}

    @abc.abstractmethod
    def recipient_openid(self, user) -> str:
        """The openid bound to ``user`` for this official account or mini program, or "" when not bound."""

    @abc.abstractmethod
    def deliver(self, *, openid: str, template_id: str, data: dict[str, str], url: str) -> None:
        """Call the WeChat API; raise :class:`SendFailed` on an error code or timeout."""


class UnknownChannel(SendFailed):
    """No sender is configured for the channel, or its class cannot be loaded: retrying will not help."""


def sender_paths() -> dict[str, str]:
    return dict(getattr(settings, "NOTIFICATION_SENDERS", DEFAULT_SENDERS))


def sender_for(channel: str, cache: dict[str, Sender] | None = None) -> Sender:
    """The sender for ``channel``; raises :class:`UnknownChannel` when none is configured or it cannot be built."""
    if cache is not None and channel in cache:
        return cache[channel]
    path = sender_paths().get(channel)
    if not path:
        raise UnknownChannel(f"no sender configured for channel {channel!r}")
    try:
        cls = import_string(path)
        sender = cls()
    except (ImportError, TypeError) as exc:  # a bad dotted path, or an abstract interface configured directly
        raise UnknownChannel(f"sender {path!r} for channel {channel!r} cannot be used: {exc}") from exc
    if not isinstance(sender, Sender):
        raise UnknownChannel(f"{path!r} is not a Sender")
    if cache is not None:
        cache[channel] = sender
    return sender
