"""Tracking issues across a unit's successive notices (matching, transitions, alerts)."""
