"""The app's pages, in menu order: the router builds st.navigation from this list, and the
AppTest and browser tests visit every entry (so a new page is tested by being listed here)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    path: str  # script, relative to the project root
    title: str
    icon: str
    url_path: str  # "" for the default page


PAGES = (
    PageEntry("app_pages/overview.py", "Overview", ":material/dashboard:", ""),
    PageEntry("app_pages/utilization.py", "Module use", ":material/bar_chart:", "utilization"),
    PageEntry("app_pages/coverage.py", "Training coverage", ":material/groups:", "coverage"),
    PageEntry("app_pages/knowledge.py", "Knowledge", ":material/school:", "knowledge"),
    PageEntry("app_pages/toolkit.py", "Toolkit use", ":material/download:", "toolkit"),
    PageEntry("app_pages/adoption.py", "Protocol adoption", ":material/checklist:", "adoption"),
    PageEntry("app_pages/exports.py", "Excel reports", ":material/table_view:", "exports"),
    PageEntry("app_pages/data.py", "Data", ":material/database:", "data"),
    PageEntry("app_pages/definitions.py", "Definitions", ":material/menu_book:", "definitions"),
)
