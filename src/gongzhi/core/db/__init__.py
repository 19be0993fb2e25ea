"""Database backends: Django's own, with what measurement showed they lack."""
