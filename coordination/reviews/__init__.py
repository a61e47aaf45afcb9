"""The review loop (例会机制): cadences, occurrences, minutes, action items, job rotation."""
