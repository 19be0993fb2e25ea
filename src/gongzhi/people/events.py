"""The domain events ``people`` publishes (in-transaction, through :func:`gongzhi.core.events.publish`).

Subscribers register in their ``AppConfig.ready``; ``people`` never imports them.

``people.volunteer_status_changed(profile: VolunteerProfile, from_status: str, to_status: str)``
    After every status change of a volunteer (``from_status`` is "" for a new application): applied → screening →
    active, rejected, suspended ↔ active. Published by ``volunteer_apply`` / ``volunteer_review`` /
    ``volunteer_suspend`` / ``volunteer_reinstate``; the ``VolunteerStatusChange`` row is already written and the
    profile saved. Bulk writers do not publish: the import creates applied volunteers only, and the scale-data
    generator and the demo rebuild what subscribers derive (``gongzhi rollups --rebuild``).
"""

VOLUNTEER_STATUS_CHANGED = "people.volunteer_status_changed"
