"""Many services in one run: which manifests (files.py), in which order (order.py: `after:` waves),
run how (runner.py: in parallel within a wave, dependants of a failure skipped)."""
