"""Domain events published by the appeals app (see ``gongzhi.core.events``). All are in-transaction (``publish``).

- ``appeals.state_changed(appeal: Appeal, from_state: str, to_state: str)`` — after every transition of an appeal
  (accept, dispatch, … close, reopen, reject, merge, extend, return, escalate; for extend and escalate
  ``from_state == to_state``); ``from_state`` is "" for the submission itself.
- ``appeals.report_accepted(appeal: Appeal)`` — when a 随手拍 (channel ``photo_report``) is accepted (受理). The points
  app may subscribe and call ``points.services.award_for_report(person=..., unit=appeal.unit, source_id=appeal.pk)``;
  this app never imports points.
- ``appeals.escalated(appeal: Appeal, from_unit: Unit, to_unit: Unit)`` — when an appeal's responsibility moves one
  tier up (grid → community → street → district), by the 督办 job for a red item (once per deadline) or by its owner
  (小事不出网格，大事不出街道); ``appeal.level_unit`` is then ``to_unit``. Every escalation is also an ``escalate``
  AppealEvent with ``detail = {"from_unit", "to_unit", "due", "manual"}``.
"""

STATE_CHANGED = "appeals.state_changed"
REPORT_ACCEPTED = "appeals.report_accepted"
ESCALATED = "appeals.escalated"
