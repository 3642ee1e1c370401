"""What the workbook's notebooks and exercises import: lab helpers, checkers, bug reproductions."""
