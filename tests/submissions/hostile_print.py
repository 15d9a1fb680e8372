"""Hostile but correct: ``generator`` prints megabytes, then returns the right answer.

Printing costs no points; the output is truncated in the feedback.
"""
AFFECTED = []
_reference_generator = generator


def generator(u):
    for _ in range(5000):
        print("x" * 200)
    return _reference_generator(u)
