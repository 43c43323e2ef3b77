"""The curated knowledge base: entries per topic, calls with dates, interface strings.

Content lives in YAML beside this code; ``loader.load`` reads and validates it in one pass.
"""
