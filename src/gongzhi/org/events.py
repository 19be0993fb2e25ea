"""The domain events ``org`` publishes (in-transaction, through :func:`gongzhi.core.events.publish`).

Subscribers register in their ``AppConfig.ready``; ``org`` never imports them.

``org.organisation_changed(organisation: Organisation, before: Organisation | None)``
    After an organisation is created (``before`` is None; ``organisation_create``) or changed in the back office
    (``before`` is the row as it was stored: its unit, kind or active flag may differ). Organisations are
    deactivated, never deleted.
"""

ORGANISATION_CHANGED = "org.organisation_changed"
