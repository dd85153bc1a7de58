"""Interactive ipywidgets demos for the notebooks (each degrades to a static picture headless)."""
