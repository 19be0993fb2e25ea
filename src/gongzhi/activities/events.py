"""The domain events ``activities`` publishes (in-transaction, through :func:`gongzhi.core.events.publish`).

Subscribers register in their ``AppConfig.ready``; ``activities`` never imports them.

``activities.status_changed(activity: Activity, from_status: str, to_status: str)``
    After every transition of an activity: draft → published → ongoing → finished, or → cancelled. Published by
    ``activity_publish`` / ``activity_start`` / ``activity_finish`` / ``activity_cancel``; the ``ActivityEvent``
    row is already written.

``activities.signup_changed(signup: Signup, from_status: str, to_status: str)``
    After every change of a sign-up (``from_status`` is "" for a new one): created as confirmed / pending /
    waitlisted, approved, promoted from the waitlist, rejected, cancelled (also when the activity is cancelled).
    The activity's counters are already updated (and saved before the event for new sign-ups).

``activities.beneficiaries_recorded(row: BeneficiaryCount, replaced: BeneficiaryCount | None)``
    After a 惠及人次 figure is appended; ``replaced`` is the row it supersedes for the same activity and group
    (None for the first figure). The current total of an activity is the sum of rows nobody supersedes.
"""

STATUS_CHANGED = "activities.status_changed"
SIGNUP_CHANGED = "activities.signup_changed"
BENEFICIARIES_RECORDED = "activities.beneficiaries_recorded"
