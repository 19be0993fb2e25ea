"""Row ids as the databases hold them (bigint): an id beyond the range names no row — and SQLite cannot even bind
it — so callers answer 404/422 instead of letting the driver raise OverflowError (a 500)."""

MAX_ID = 2**63 - 1


def in_range(pk) -> bool:
    return isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk <= MAX_ID
