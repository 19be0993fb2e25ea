"""The outbox: notification_create writes the in-app row and one outbox row per channel; the dispatcher sends due
messages, retries with back-off on a controlled clock, and gives up after N attempts keeping the last error."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.accounts.services import user_create
from gongzhi.notifications.models import Notification, OutboxMessage, OutboxStatus
from gongzhi.notifications.senders import InAppSender, SmsSender, WeChatSender, sender_for
from gongzhi.notifications.services import backoff, channels_for, notification_create, outbox_dispatch

pytestmark = pytest.mark.django_db


def _note(world, **kwargs):
    return notification_create(user=world.user("volunteer"), kind=kwargs.pop("kind", "signup_confirmed"),
                               title=kwargs.pop("title", "报名成功：文明交通引导"), **kwargs)


def test_create_writes_inapp_row_and_one_outbox_row_per_channel(world, clock):
    """An in-app row (unread, at the clock's time) plus one pending outbox row per outside channel, de-duplicated;
    in-app itself needs no outbox row."""
    note = _note(world, body="6月1日 8:00 钢城大街路口", url="/activities/1/", channels=["memory", "log", "memory",
                                                                                      "in_app"])
    assert Notification.objects.get(pk=note.pk).read_at is None
    assert note.created_at == clock.at
    rows = list(note.outbox.order_by("pk"))
    assert [r.channel for r in rows] == ["memory", "log"]
    assert all(r.status == OutboxStatus.PENDING and r.attempts == 0 and r.next_attempt_at == clock.at for r in rows)


def test_channels_default_to_inapp_only_and_follow_settings_per_kind(world, settings):
    """Without channels from the caller a kind uses NOTIFICATION_CHANNELS; a kind not listed is in-app only."""
    settings.NOTIFICATION_CHANNELS = {"waitlist_promoted": ["sms", "in_app"]}
    assert channels_for("waitlist_promoted") == ["sms"]
    assert channels_for("signup_confirmed") == []
    assert channels_for("waitlist_promoted", ["wechat"]) == ["wechat"]
    assert not _note(world).outbox.exists()
    assert [m.channel for m in _note(world, kind="waitlist_promoted").outbox.all()] == ["sms"]


def test_dispatch_sends_due_messages_once(world, clock, memory):
    """Due pending messages are sent and marked sent; a second round sends nothing again."""
    notes = [_note(world, channels=["memory"]) for _ in range(3)]
    assert outbox_dispatch(now=clock.at) == 3
    assert sorted(memory.sent) == sorted(n.outbox.get().pk for n in notes)
    assert set(OutboxMessage.objects.values_list("status", "attempts", "sent_at")) == {(OutboxStatus.SENT, 1,
                                                                                       clock.at)}
    assert outbox_dispatch(now=clock.advance(hours=1)) == 0
    assert len(memory.sent) == 3


def test_dispatch_leaves_messages_not_yet_due(world, clock, memory):
    """A message whose next attempt is in the future waits."""
    msg = _note(world, channels=["memory"]).outbox.get()
    assert outbox_dispatch(now=clock.at - dt.timedelta(seconds=1)) == 0
    assert OutboxMessage.objects.get(pk=msg.pk).status == OutboxStatus.PENDING


def test_dispatch_respects_limit(world, clock, memory):
    """At most ``limit`` messages per round, oldest first."""
    msgs = [_note(world, channels=["memory"]).outbox.get().pk for _ in range(5)]
    assert outbox_dispatch(now=clock.at, limit=2) == 2
    assert memory.sent == msgs[:2]
    assert outbox_dispatch(now=clock.at, limit=10) == 3


def test_backoff_is_exponential():
    """1, 5, 25, 125 minutes after the 1st, 2nd, 3rd, 4th failed try."""
    assert [backoff(n) for n in (1, 2, 3, 4)] == [dt.timedelta(minutes=m) for m in (1, 5, 25, 125)]


def test_failed_send_is_retried_with_backoff_then_sent(world, clock, memory):
    """A failure pushes the next attempt by 1 min, then 5 min; the message is not retried early; then it goes."""
    memory.reset(fail_next=2)
    msg = _note(world, channels=["memory"]).outbox.get()
    t0 = clock.at
    assert outbox_dispatch(now=t0) == 0
    msg.refresh_from_db()
    assert (msg.status, msg.attempts, msg.next_attempt_at) == (OutboxStatus.PENDING, 1, t0 + dt.timedelta(minutes=1))
    assert msg.last_error == "memory sender told to fail"
    assert outbox_dispatch(now=t0 + dt.timedelta(seconds=59)) == 0  # not yet due
    t1 = t0 + dt.timedelta(minutes=1)
    assert outbox_dispatch(now=t1) == 0
    msg.refresh_from_db()
    assert (msg.attempts, msg.next_attempt_at) == (2, t1 + dt.timedelta(minutes=5))
    assert outbox_dispatch(now=t1 + dt.timedelta(minutes=4)) == 0
    assert outbox_dispatch(now=t1 + dt.timedelta(minutes=5)) == 1
    msg.refresh_from_db()
    assert (msg.status, msg.attempts, msg.last_error) == (OutboxStatus.SENT, 3, "")
    assert memory.sent == [msg.pk]


def test_message_fails_after_max_attempts_keeping_last_error(world, clock, memory, settings):
    """After NOTIFICATION_MAX_ATTEMPTS failed tries the message is failed for good, with its last error kept."""
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    memory.reset(fail_next=10)
    msg = _note(world, channels=["memory"]).outbox.get()
    for _ in range(3):
        outbox_dispatch(now=clock.advance(hours=3))
    msg.refresh_from_db()
    assert (msg.status, msg.attempts, msg.last_error) == (OutboxStatus.FAILED, 3, "memory sender told to fail")
    outbox_dispatch(now=clock.advance(days=1))
    msg.refresh_from_db()
    assert msg.attempts == 3 and memory.sent == []


def test_default_max_attempts_is_five(world, clock, memory):
    """Without the setting a message gets five tries."""
    memory.reset(fail_next=10)
    msg = _note(world, channels=["memory"]).outbox.get()
    for i in range(1, 6):
        outbox_dispatch(now=clock.advance(hours=4))
        msg.refresh_from_db()
        assert msg.attempts == i
    assert msg.status == OutboxStatus.FAILED


def test_unknown_channel_fails_the_message_not_the_caller(world, clock, memory):
    """notification_create accepts any channel name; the dispatcher fails that message at once and sends the rest."""
    note = _note(world, channels=["carrier_pigeon", "memory"])
    assert outbox_dispatch(now=clock.at) == 1
    bad = note.outbox.get(channel="carrier_pigeon")
    assert bad.status == OutboxStatus.FAILED and bad.attempts == 1
    assert "no sender configured for channel 'carrier_pigeon'" in bad.last_error
    assert note.outbox.get(channel="memory").status == OutboxStatus.SENT


def test_abstract_interface_configured_as_sender_fails_the_message(world, clock, settings):
    """Configuring the bare SmsSender interface (no gateway) fails its messages with a clear error."""
    settings.NOTIFICATION_SENDERS = {"sms": "gongzhi.notifications.senders.SmsSender",
                                     "bad": "gongzhi.nowhere.Sender"}
    note = _note(world, channels=["sms", "bad"])
    assert outbox_dispatch(now=clock.at) == 0
    errors = dict(note.outbox.values_list("channel", "last_error"))
    assert "cannot be used" in errors["sms"] and "cannot be used" in errors["bad"]
    assert set(note.outbox.values_list("status", flat=True)) == {OutboxStatus.FAILED}


def test_sender_that_crashes_counts_as_a_failed_attempt(world, clock, memory, monkeypatch):
    """A sender raising anything else is a failed attempt with the error recorded, never a crash of the job."""
    monkeypatch.setattr(InAppSender, "send", lambda self, m: 1 / 0)
    msg = OutboxMessage.objects.create(notification=_note(world), channel="in_app", next_attempt_at=clock.at)
    assert outbox_dispatch(now=clock.at) == 0
    msg.refresh_from_db()
    assert msg.status == OutboxStatus.PENDING and msg.attempts == 1 and "ZeroDivisionError" in msg.last_error


def test_log_and_inapp_senders_succeed(world, clock, caplog):
    """The default senders: in-app is a no-op, log writes the title to the log."""
    note = _note(world, channels=["log"])
    with caplog.at_level("INFO", logger="gongzhi.notifications.senders"):
        assert outbox_dispatch(now=clock.at) == 1
    assert "报名成功：文明交通引导" in caplog.text
    assert sender_for("in_app").send(note.outbox.get()) is None


class FakeSms(SmsSender):
    calls: list = []

    def deliver(self, *, phone, template_code, params):
        FakeSms.calls.append((phone, template_code, params))


class FakeWeChat(WeChatSender):
    calls: list = []

    def recipient_openid(self, user):
        return "" if user.username == "t-resident" else f"openid-{user.pk}"

    def deliver(self, *, openid, template_id, data, url):
        FakeWeChat.calls.append((openid, template_id, data["title"], url))


def test_sms_interface_uses_approved_template_and_the_linked_resident_phone(world, clock, settings, caplog):
    """An SMS adapter gets the phone of the resident record linked to the account (else the login phone), the
    approved template code and title/link only (never the body); the log shows the masked number only (R-P3)."""
    settings.NOTIFICATION_SENDERS = {"sms": f"{__name__}.FakeSms"}
    settings.SMS_TEMPLATE_CODES = {"signup_confirmed": "SMS_2001"}
    FakeSms.calls = []
    resident = world.user("resident")  # linked to 赵六, phone 13600002222
    notification_create(user=resident, kind="signup_confirmed", title="报名成功", body="私密备注", url="/a/1/",
                        channels=["sms"])
    unlinked = notification_create(user=world.user("volunteer"), kind="signup_confirmed", title="报名成功",
                                   channels=["sms"])
    untemplated = notification_create(user=resident, kind="activity_cancelled", title="活动取消", channels=["sms"])
    phoneless = user_create(username="t-nophone", password="x-pass-123", display_name="无手机")
    nophone = notification_create(user=phoneless, kind="signup_confirmed", title="报名成功", channels=["sms"])
    with caplog.at_level("INFO", logger="gongzhi.notifications.senders"):
        assert outbox_dispatch(now=clock.at) == 2
    assert FakeSms.calls == [("13600002222", "SMS_2001", {"title": "报名成功", "url": "/a/1/"}),
                             ("13900000011", "SMS_2001", {"title": "报名成功", "url": ""})]  # no person: login phone
    assert "136****2222" in caplog.text and "13600002222" not in caplog.text
    assert unlinked.outbox.get().status == OutboxStatus.SENT
    assert nophone.outbox.get().last_error == "recipient has no phone number"
    assert "no approved template" in untemplated.outbox.get().last_error


def test_wechat_interface_needs_a_binding_and_a_template(world, clock, settings):
    """A WeChat adapter sends to the bound openid with the approved template; no binding fails the attempt."""
    settings.NOTIFICATION_SENDERS = {"wechat": f"{__name__}.FakeWeChat"}
    settings.WECHAT_TEMPLATE_IDS = {"signup_confirmed": "TPL-1"}
    FakeWeChat.calls = []
    bound = notification_create(user=world.user("volunteer"), kind="signup_confirmed", title="报名成功", url="/a/",
                                channels=["wechat"])
    unbound = notification_create(user=world.user("resident"), kind="signup_confirmed", title="报名成功",
                                  channels=["wechat"])
    assert outbox_dispatch(now=clock.at) == 1
    assert FakeWeChat.calls == [(f"openid-{world.user('volunteer').pk}", "TPL-1", "报名成功", "/a/")]
    assert bound.outbox.get().status == OutboxStatus.SENT
    assert unbound.outbox.get().last_error == "recipient has no WeChat binding"


def test_outbox_job_is_registered_every_30_seconds():
    """The dispatcher runs as the periodic job notifications.outbox."""
    from gongzhi.core import jobs

    job = jobs.registered()["notifications.outbox"]
    assert job.every == dt.timedelta(seconds=30)
