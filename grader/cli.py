"""The instructor's command: `grader build|validate|check|demo|autograde|lab|formgrader`."""
from __future__ import annotations

import argparse
import sys

from .paths import notebook_names
from .sandbox import Limits


def main(argv=None):
    parser = argparse.ArgumentParser(prog="grader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build the student release into notebooks/")
    p = sub.add_parser("validate", help="solutions pass every test; blank releases fail every test")
    p.add_argument("notebooks", nargs="*")
    p = sub.add_parser("check", help="validate plus every typical mistake and alternative answer")
    p.add_argument("notebooks", nargs="*")
    p.add_argument("--workers", type=int, help="grading processes side by side (default: one per core)")
    p.add_argument("--fast", action="store_true",
                   help="grade the variants from one shared executed prefix instead of one nbgrader run each")
    p = sub.add_parser("diagnose", help="fingerprint every typical mistake's failures (solutions/diagnoses/, "
                                        "helpers/checks/diagnoses.json)")
    p.add_argument("notebooks", nargs="*")
    p = sub.add_parser("demo", help="build, run the solutions, autograde three example students")
    p.add_argument("notebooks", nargs="*")
    p = sub.add_parser("autograde", help="grade a folder (or zip) of submissions for one notebook")
    p.add_argument("notebook", help="for example 01_knn")
    p.add_argument("submissions", help="a folder with one folder per student, or an LMS zip")
    p.add_argument("--out", help="where grades.csv and feedback/ go (default build/grades/NOTEBOOK)")
    p.add_argument("--workers", type=int, help="grading processes side by side (default: one per core)")
    p.add_argument("--scheduler", help="grade on a Dask cluster instead, for example tcp://host:8786")
    p.add_argument("--full", action="store_true",
                   help="also run the demonstration cells (plots, widgets) that no test reads")
    p.add_argument("--show-hidden-tests", action="store_true",
                   help="show the hidden tests' code in the students' feedback (hidden by default)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run student code without bubblewrap (only for code you trust)")
    p.add_argument("--memory-mb", type=int, default=Limits.memory_mb, help="memory limit per kernel")
    p.add_argument("--cpu-seconds", type=int, default=Limits.cpu_seconds,
                   help="CPU-time limit per kernel over the whole notebook")
    sub.add_parser("lab", help="JupyterLab for students on work/ (copies in the notebooks it lacks, never overwrites)")
    sub.add_parser("formgrader", help="JupyterLab with every nbgrader plugin on the course folder build/course")
    args = parser.parse_args(argv)

    names = getattr(args, "notebooks", None) or notebook_names()
    unknown = set(names) - set(notebook_names())
    if unknown:
        parser.error(f"no source for {sorted(unknown)}; the notebooks are {notebook_names()}")

    if args.command == "build":
        from .release import build
        build()
        print(f"Built {len(notebook_names())} notebooks into notebooks/")
    elif args.command in ("validate", "check"):
        from .check import check
        bad = 0
        for name in names:
            print(f"== {name}")
            report = check(name, with_variants=args.command == "check",
                           workers=getattr(args, "workers", None), fast=getattr(args, "fast", False))
            bad += sum(bool(p) for p in report.values())
        print("all as expected" if not bad else f"{bad} submissions graded differently than expected")
        return 1 if bad else 0
    elif args.command == "diagnose":
        from .diagnoses import write
        write(names)
    elif args.command == "demo":
        from .demo import demo
        return demo(names)
    elif args.command in ("lab", "formgrader"):
        from . import lab
        return getattr(lab, args.command)()
    elif args.command == "autograde":
        if args.notebook not in notebook_names():
            parser.error(f"unknown notebook {args.notebook!r}; choose from {notebook_names()}")
        from .autograde import autograde_class
        limits = Limits(memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds)
        autograde_class(args.notebook, args.submissions, args.out, workers=args.workers,
                        scheduler=args.scheduler, grading_mode=not args.full, sandbox=not args.no_sandbox,
                        show_hidden=args.show_hidden_tests, limits=limits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
