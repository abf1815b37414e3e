"""Tracking issues across a unit's successive notices (matching, transitions, alerts).

Modules, one purpose each:

- :mod:`tracker.text` — normalisation, similarity measures, the kept share (diff-match-patch);
- :mod:`tracker.assign` — optimal one-to-one assignment (maximum-weight bipartite matching);
- :mod:`tracker.match` — which issue of a later report is which issue of an earlier one;
- :mod:`tracker.compare` — :func:`~tracker.compare.compare`: a pure function of two reports;
- :mod:`tracker.rounds` / :mod:`tracker.recurring` — inspection rounds, recurring issues;
- :mod:`tracker.model` — the result dataclasses (TrackedReport, Transition, Comparison …);
- :mod:`tracker.units` — unit identity and lookup by any of a unit's names;
- :mod:`tracker.history` — reading the store: :func:`~tracker.history.iter_units`,
  :func:`~tracker.history.load_units`, :func:`~tracker.history.track_report` (incremental);
- :mod:`tracker.threads` — an issue's chain across all reports of its unit;
- :mod:`tracker.serialize` — the JSON of ``rectrack track --json``.
"""
