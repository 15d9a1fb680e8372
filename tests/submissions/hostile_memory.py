"""Hostile: ``log_partition`` allocates until the memory limit."""
AFFECTED = ["log_partition"]


def log_partition(d):
    block = bytearray(1 << 20)
    while True:
        block = block + block
