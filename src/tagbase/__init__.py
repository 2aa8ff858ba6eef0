"""tagbase."""
