"""The instructor's command: `grader build|validate|check|demo|autograde`."""
from __future__ import annotations

import argparse
import sys

from .paths import notebook_names


def main(argv=None):
    parser = argparse.ArgumentParser(prog="grader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build the student release into notebooks/")
    p = sub.add_parser("validate", help="solutions pass every test; blank releases fail every test")
    p.add_argument("notebooks", nargs="*")
    p = sub.add_parser("check", help="validate plus every typical mistake and alternative answer")
    p.add_argument("notebooks", nargs="*")
    p = sub.add_parser("demo", help="build, run the solutions, autograde three example students")
    p.add_argument("notebooks", nargs="*")
    p = sub.add_parser("autograde", help="grade a folder (or zip) of submissions for one notebook")
    p.add_argument("notebook", help="for example 01_knn")
    p.add_argument("submissions", help="a folder with one folder per student, or an LMS zip")
    p.add_argument("--out", help="where grades.csv and feedback/ go (default build/grades/NOTEBOOK)")
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
            report = check(name, with_variants=args.command == "check")
            bad += sum(bool(p) for p in report.values())
        print("all as expected" if not bad else f"{bad} submissions graded differently than expected")
        return 1 if bad else 0
    elif args.command == "demo":
        from .demo import demo
        return demo(names)
    elif args.command == "autograde":
        if args.notebook not in notebook_names():
            parser.error(f"unknown notebook {args.notebook!r}; choose from {notebook_names()}")
        from .autograde import autograde_class
        autograde_class(args.notebook, args.submissions, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
