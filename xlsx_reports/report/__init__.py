"""The published report (Markdown, HTML, text, Word) and data records for other tools."""
