"""How long each solution notebook takes headless, top to bottom, in a fresh
kernel (the course's target: under 30 s on a 2-core laptop)."""
from grader.execute import execute
from grader.notebook import read_source
from grader.paths import BUILD, notebook_names

TARGET = 30.0


def main():
    names = notebook_names()
    width = max(len(n) for n in names)
    print(f"{'notebook':<{width}} {'seconds':>8} {'of target':>10}  errors")
    for name in names:
        seconds, errors = execute(read_source(name), BUILD / "bench" / f"{name}.ipynb")
        print(f"{name:<{width}} {seconds:8.1f} {seconds / TARGET:9.2f}x  {'; '.join(errors) or '-'}")


if __name__ == "__main__":
    main()
