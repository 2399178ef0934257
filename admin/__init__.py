"""admin: see DESIGN.md section 3 (not built yet)."""
