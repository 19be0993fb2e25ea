"""The working-time calendar: Monday–Friday 09:00–17:00 local time, minus holidays, plus 调休 workdays (R-H8)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Holiday

DAY_START = dt.time(9, 0)
DAY_END = dt.time(17, 0)


class Calendar:
    """Working-day arithmetic over the Holiday table, loaded once per calendar."""

    def __init__(self):
        self._exceptions = dict(Holiday.objects.values_list("date", "workday"))

    def is_workday(self, day: dt.date) -> bool:
        if day in self._exceptions:
            return self._exceptions[day]
        return day.weekday() < 5

    def _local(self, moment: dt.datetime) -> dt.datetime:
        return timezone.localtime(moment)

    def _at(self, day: dt.date, t: dt.time) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, t))

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """The moment itself when it lies in working time, else the start of the next working period."""
        local = self._local(moment)
        day = local.date()
        if self.is_workday(day) and local.time() < DAY_START:
            return self._at(day, DAY_START)
        if self.is_workday(day) and local.time() < DAY_END:
            return local
        day += dt.timedelta(days=1)
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return self._at(day, DAY_START)

    def add_working_hours(self, moment: dt.datetime, hours: int) -> dt.datetime:
        current = self.next_working_moment(moment)
        left = dt.timedelta(hours=hours)
        while True:
            end_of_day = self._at(current.date(), DAY_END)
            room = end_of_day - current
            if left <= room:
                return current + left
            left -= room
            current = self.next_working_moment(end_of_day)

    def add_working_days(self, moment: dt.datetime, days: int) -> dt.datetime:
        """The same working time of day ``days`` working days later."""
        current = self.next_working_moment(moment)
        day = current.date()
        for _ in range(days):
            day += dt.timedelta(days=1)
            while not self.is_workday(day):
                day += dt.timedelta(days=1)
        return self._at(day, current.timetz().replace(tzinfo=None))
