"""Vehicle routing core: our problem model in, our plan out (PyVRP behind it)."""
