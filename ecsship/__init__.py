"""ecsship: one YAML manifest to a production-grade Amazon ECS service, shipped safely."""

__version__ = "0.1.0"
