"""What the notebooks import: the lab helpers, statement logs, plans, command output, and the
exercises' checkers and bug reproductions (the `workbook` extra)."""
