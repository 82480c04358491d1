"""The performance benchmark (`make bench`): seeding, load, report. Never a runtime dependency."""
