"""The embedded PostgreSQL 16 server (the `embedded` extra): the only part of smartstore that starts
a server. Nothing in the core imports it; the commands and the workbook call it where a learner
asked for a server."""
