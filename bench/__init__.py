"""Benchmarks for gongzhi. ``python -m bench`` (``make bench``) runs the xlsx import benchmark; see RESULTS.md."""
