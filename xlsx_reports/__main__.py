"""`python -m xlsx_reports …` runs the command line, as `xlsx-reports …` does."""
from xlsx_reports.cli import main

if __name__ == "__main__":
    main(prog_name="xlsx-reports")
