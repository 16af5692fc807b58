"""One module per native export format: detect(header) and load(con, ctx, staged, result)."""
