"""The sandbox's domain model: pure Python, no Flask and no wire format in here."""
