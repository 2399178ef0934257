"""matching: the collaborator pool, the ranking engine, introductions, projects and calls."""
