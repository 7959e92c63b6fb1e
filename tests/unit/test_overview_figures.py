"""Home's figure parsing: CPU share from /proc/stat, df output, Docker's SystemTime, and
the duration format."""
from __future__ import annotations

from panel.services.overview import _parse_engine_time, cpu_percent, parse_df
from panel.web import human_duration


def test_cpu_share_between_two_samples():
    before = [100, 0, 100, 800, 0, 0, 0, 0]  # user nice system idle iowait ...
    after = [150, 0, 150, 880, 20, 0, 0, 0]  # 100 busy, 100 idle (80 idle + 20 iowait)
    assert cpu_percent(before, after) == 50.0
    assert cpu_percent(before, before) == 0.0


def test_df_posix_output():
    out = ("Filesystem     1-blocks      Used Available Capacity Mounted on\n"
           "overlay    105089261568 52544630784 52544630784      50% /\n")
    storage = parse_df(out)
    assert (storage.used, storage.total, storage.path, storage.percent) == \
        (52544630784, 105089261568, "/", 50)


def test_engine_time_keeps_the_hosts_offset():
    stamp = _parse_engine_time("2026-11-22T04:05:06.123456789+01:00")
    assert stamp.isoformat() == "2026-11-22T04:05:06+01:00"
    assert _parse_engine_time("2026-11-22T04:05:06.5Z").utcoffset().total_seconds() == 0
    assert _parse_engine_time("garbage") is None and _parse_engine_time(None) is None


def test_durations_read_at_a_glance():
    assert human_duration(93784) == "1 d 2 h 3 min"
    assert human_duration(59) == "59 s"
    assert human_duration(3600) == "1 h"
    assert human_duration(None) == "—"
