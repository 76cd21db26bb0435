"""Generating blank workbooks for units: one (`new`) or a whole roster (`batch`)."""
