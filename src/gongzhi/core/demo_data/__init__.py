"""Plain data for the 钢城区 demo: places, organisations and logins from the seed pages, and name lists.

Everything here is either named in ``../shared/seeds/`` (the communities, villages, teams and the federation) or
made up for the demo (marked as such). No real person's name is used.
"""
