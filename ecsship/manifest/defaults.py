"""Defaults the manifest leaves implicit, shared by validation (which checks merged values) and the
desired-model builder (which applies them), so the two can never disagree."""
from __future__ import annotations

DEREGISTRATION_DELAY_DEFAULT = 300  # seconds: ELB's own default (target group attribute deregistration_delay.timeout_seconds)
ALB_HEALTH_DEFAULTS = {"path": "/", "interval": 30, "timeout": 5, "healthy_threshold": 5, "unhealthy_threshold": 2, "matcher": "200"}
