"""Correct alternative implementations in varied styles, graded by
tests/test_correct_alternatives.py: each must keep full marks."""
