"""Domain events published by the appeals app (see ``gongzhi.core.events``). Both are in-transaction (``publish``).

- ``appeals.state_changed(appeal: Appeal, from_state: str, to_state: str)`` — after every transition of an appeal
  (accept, dispatch, … close, reopen, reject, merge); ``from_state`` is "" for the submission itself.
- ``appeals.report_accepted(appeal: Appeal)`` — when a 随手拍 (channel ``photo_report``) is accepted (受理). The points
  app may subscribe and call ``points.services.award_for_report(person=..., unit=appeal.unit, source_id=appeal.pk)``;
  this app never imports points.
"""

STATE_CHANGED = "appeals.state_changed"
REPORT_ACCEPTED = "appeals.report_accepted"
