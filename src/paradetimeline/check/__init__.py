"""Check: load every file, resolve references, verify quotes and dates; the Timeline."""
