"""One module per command group; each exposes register(app). Bodies import heavy code lazily."""
