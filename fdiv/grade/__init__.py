"""``fdiv grade``: an autograder for coursework on divergences, GANs and EBMs.

An assignment file (:mod:`fdiv.grade.assignment`) names tasks; each task's cases come from a
quantity (:mod:`fdiv.grade.quantities`) whose reference answers are fdiv's own functions; student
code runs only in the sandbox (:mod:`fdiv._sandbox`); results are Gradescope's ``results.json``
(:mod:`fdiv.grade.grader`, :mod:`fdiv.grade.gradescope`).
"""
from .assignment import Assignment, Task, builtin_assignment, load_assignment
from .grader import crash_results, grade_batch, grade_submission, safe_grade, write_results
from .gradescope import init_assignment, validate_results, write_gradescope

__all__ = ["Assignment", "Task", "load_assignment", "builtin_assignment", "grade_submission",
           "safe_grade", "grade_batch", "crash_results", "write_results", "validate_results",
           "write_gradescope", "init_assignment"]
