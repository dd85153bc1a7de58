"""What `make test` has time for: the notebooks whose browser test and
figure check run there; the others carry the marker ``browser_all`` and run
in `make test-browser`, which CI runs after `make test`."""
MAKE_TEST_NOTEBOOKS = ("01_knn",)
