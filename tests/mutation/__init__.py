"""Mutation testing of the graded suite: mutate solutions/, grade each mutant, count kills.

    python -m tests.mutation [--unit U ...] [--jobs N] [--list] [--json PATH]

`operators` holds the mutation operators, `mutator` turns a solution file into mutants
with stable ids, `runner` grades them with `autograder grade`, `report` prints the kill
rate per unit against `equivalent.yml` (survivors judged equivalent, with the reason).
"""
