"""Route tests share the engine's `extract` fixture and the `family` helpers beside it."""
