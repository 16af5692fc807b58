"""Shared app pieces: theme and number formats (plain Python), sidebar and context (Streamlit)."""
