"""The report layer: the facts a meeting and an inspection take away, and the files that carry them.

No Streamlit here. ``facts`` reads the warehouse and states the rules (headline, gaps, 需关注, the county
reading, the score, the reporting rule); ``briefing`` writes the meeting deck (PPTX + PDF); ``bulletin``
writes the 督查通报 (DOCX + XLSX). The dashboard, the exports and the command line all call these.
"""
