"""`grader autograde NOTEBOOK SUBMISSIONS`: grade a whole class.

Every student gets a row in grades.csv, with a reason when the submission
could not be graded, and a feedback HTML file when it could.
"""
from __future__ import annotations

from pathlib import Path

from . import report
from .course import Course, Graded
from .intake import student_files, take, unpack
from .paths import BUILD


def autograde_class(name, submissions, out=None, course=None):
    course = course or Course()
    course.build([name])  # grade against the current solutions/ source
    out = Path(out or BUILD / "grades" / name)
    release = course.release(name)
    folder = unpack(Path(submissions))
    results = []
    for student, files in student_files(folder).items():
        intake = take(student, files, name, release)
        if intake.notebook is None:
            graded = Graded(student, name, ok=False, notes=[intake.error])
            course.read_grades(graded)  # zero for every cell, so max_points is right
            results.append(graded)
            continue
        graded = course.autograde(name, {student: intake.notebook})[0]
        graded.notes[:0] = intake.notes
        results.append(graded)
    report.print_table(results)
    report.write_csv(results, out / "grades.csv")
    report.copy_feedback(course, results, out / "feedback")
    print(f"\n{len(results)} students. Grades: {out / 'grades.csv'}  Feedback: {out / 'feedback'}")
    return results
