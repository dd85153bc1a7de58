"""`make bench`: every benchmark in this folder, one after the other."""
import sys

from . import conv, grading, knn_distances, notebooks

BENCHES = {"knn_distances": knn_distances.main, "conv": conv.main, "notebooks": notebooks.main,
           "grading": grading.main}

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(BENCHES)
    for name in chosen:
        print(f"\n=== {name}")
        BENCHES[name]()
